"""Logging a response right after a call, in a real browser: from a customer's journey
one click opens the form for that customer, four interactions save a response, and
the journey shows it at once (responses count, the checklist item given, coverage)."""

from __future__ import annotations

import re

from fixtures import first_missing_item, log_response_in_form, pick_customer, wait_until_idle
from playwright.sync_api import expect

import crm_core


def test_a_response_logged_from_the_journey_shows_in_the_journey_at_once(server, page, demo_portfolio):
    with_gaps = demo_portfolio[demo_portfolio["items_covered"] < demo_portfolio["items_total"]]
    customer_id, name = pick_customer(with_gaps)
    item, given, expected = first_missing_item(server.db, customer_id)
    page.goto(f"{server.url}/Customer_journey?customer={customer_id}")
    expect(page.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    page.get_by_role("tab", name=re.compile("Responses and opinions")).click()
    # The tab is kept in the URL, so choosing it reruns the page: let that run finish
    # before the next click (a click landing mid-run raced with it and lost the customer).
    expect(page).to_have_url(re.compile("tab=Responses"))
    wait_until_idle(page)
    count = page.get_by_role("heading", name=re.compile(r"^\d+ responses?$"))
    before = int(count.inner_text().split()[0])

    # One click from the journey to the form, for this customer.
    page.get_by_role("link", name=re.compile("Log a response for this customer")).click()
    expect(page).to_have_url(re.compile(rf"/Log_response\?.*customer={customer_id}"))
    expect(page.get_by_text("Checklist items addressed (○ = still missing)")).to_be_visible()
    wait_until_idle(page)

    # Four interactions: the missing item, quality, completeness, the summary with Enter.
    log_response_in_form(page, item, "Walked the site team through the plan")
    summary = page.get_by_label("Summary (Enter saves)")

    expect(page.get_by_text(f"Response saved for {name}.")).to_be_visible()
    expect(summary).to_have_value("")                       # ready for the next entry
    with crm_core.connect(server.db) as db:
        logged = crm_core.journey(db, customer_id).responses.iloc[-1]
    assert (logged["summary"], logged["quality"], logged["completeness"]) == (
        "Walked the site team through the plan", 4, 5)

    # Back on the journey (the sidebar link keeps the customer): it shows the response.
    page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile("Customer journey")).click()
    expect(page.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    coverage = page.get_by_test_id("stMetric").filter(has_text="Checklist coverage of the current stage")
    expect(coverage).to_contain_text(f"{round(100 * (given + 1) / expected)}%")
    expect(page.get_by_test_id("stMetric").filter(has_text="Last response")).to_contain_text("today")
    page.get_by_role("tab", name=re.compile("Responses and opinions")).click()
    expect(page.get_by_role("heading", name=f"{before + 1} responses")).to_be_visible()
    page.get_by_role("tab", name="Checklist", exact=True).click()
    # The data grid draws on a canvas and keeps an accessible table of its cells inside it.
    row = page.locator('[data-testid="stDataFrame"] table[role="grid"] tr').filter(has_text=item)
    expect(row).to_contain_text("Given")
