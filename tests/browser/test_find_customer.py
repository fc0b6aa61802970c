"""The search box in every page's sidebar finds a customer and opens their journey."""

from __future__ import annotations

from urllib.parse import urlsplit

from fixtures import pick_customer, query, wait_until_idle
from playwright.sync_api import expect


def test_searching_a_customer_from_the_sidebar_lands_on_their_journey(server, page, demo_portfolio):
    customer_id, name = pick_customer(demo_portfolio)
    page.goto(f"{server.url}/Checklist_gaps?as_of=2026-06-30")
    wait_until_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_label("Find a customer")
    box.fill(name[: max(4, len(name) - 2)].lower())
    box.press("Enter")
    sidebar.get_by_role("link").filter(has_text=name).click()

    expect(page.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert urlsplit(page.url).path.rstrip("/").endswith("/Customer_journey"), page.url
    assert query(page).get("customer") == [str(customer_id)], page.url
    assert query(page).get("as_of") == ["2026-06-30"], page.url   # the same snapshot day
