"""A saved view in a real browser: saved on one page from the sidebar, opened again from
the sidebar on another page, it shows the same filters and snapshot day."""

from __future__ import annotations

from urllib.parse import urlsplit

from fixtures import query, wait_until_idle
from playwright.sync_api import expect


def saved_views(page):
    """The sidebar's "Saved views" expander of the Playwright ``page``, opened."""
    sidebar = page.get_by_test_id("stSidebar")
    expander = sidebar.get_by_test_id("stExpander").filter(has_text="Saved views")
    if not expander.get_by_label("Name of this view").is_visible():
        expander.get_by_text("Saved views").click()
    return expander


def test_a_view_saved_on_one_page_opens_from_the_sidebar_with_the_same_filters(server, page, demo_portfolio):
    sector = sorted(demo_portfolio["sector"].dropna().unique())[0]
    page.goto(f"{server.url}/Checklist_gaps?stage=pre_deal&sector={sector}&as_of=2026-06-30")
    wait_until_idle(page)
    views = saved_views(page)
    views.get_by_label("You are").fill("Ana")
    views.get_by_label("Name of this view").fill("Pre-deal gaps, June")
    views.get_by_role("button", name="Save this view").click()
    expect(views.get_by_text("Saved the view “Pre-deal gaps, June”.")).to_be_visible()
    wait_until_idle(page)

    page.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Portfolio overview")).to_be_visible()
    wait_until_idle(page)
    saved_views(page).get_by_role("link", name="Pre-deal gaps, June").click()

    expect(page.get_by_role("heading", name="Checklist gaps")).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert urlsplit(page.url).path.rstrip("/").endswith("/Checklist_gaps"), page.url
    assert {name: query(page).get(name) for name in ("stage", "sector", "as_of")} == {
        "stage": ["pre_deal"], "sector": [sector], "as_of": ["2026-06-30"]}, page.url
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stMultiSelect").filter(has_text="Sector")).to_contain_text(sector)
    expect(main.get_by_role("radiogroup", name="Stage", exact=True)
           .get_by_role("radio", name="Pre-deal", exact=True)).to_be_checked()
    expect(main.get_by_text("Snapshot: end of 30 Jun 2026 · not live")).to_be_visible()

    # From the same page showing something else: the link's view wins over the widgets' choices.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Checklist gaps").click()
    wait_until_idle(page)
    expect(main.get_by_role("radiogroup", name="Stage", exact=True)
           .get_by_role("radio", name="Operational", exact=True)).to_be_checked()
    saved_views(page).get_by_role("link", name="Pre-deal gaps, June").click()
    wait_until_idle(page)
    expect(main.get_by_test_id("stMultiSelect").filter(has_text="Sector")).to_contain_text(sector)
    expect(main.get_by_role("radiogroup", name="Stage", exact=True)
           .get_by_role("radio", name="Pre-deal", exact=True)).to_be_checked()
    assert query(page).get("sector") == [sector], page.url
