"""Every view is a link: deep links, row links and shared filtered views in a real browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fixtures import pick_customer, query, wait_until_idle
from playwright.sync_api import Locator, Page, expect

import crm_core
from crm_core import risk

APP_TITLE = "Customer response"
# Streamlit's data grid: rows (and the header) are 35 px high; the selection boxes sit
# in a narrow first column.
ROW_HEIGHT = 35
ROW_MARKER_X = 18


# --- helpers -------------------------------------------------------------------------

def expect_no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def expect_shared_setup(page: Page) -> None:
    """What ``pages.common.setup`` draws on every page: tab title and the snapshot date."""
    expect(page).to_have_title(re.compile(re.escape(APP_TITLE)))
    expect(page.get_by_test_id("stSidebar").get_by_text("Snapshot as of", exact=True)).to_be_visible()


def multiselect(page: Page, label: str) -> Locator:
    return page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(label, exact=True))


def selected(page: Page, label: str) -> Locator:
    """The chosen values of a multiselect, one tag each."""
    return multiselect(page, label).get_by_role("group", name="Selected values").locator("[data-tag]")


def expect_figures(page: Page, figures: dict[str, str]) -> None:
    """Each metric labelled by a key of ``figures`` shows that value."""
    for label, value in figures.items():
        metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
        expect(metric.get_by_test_id("stMetricValue")).to_have_text(value)


# --- tests -----------------------------------------------------------------------------

def test_cold_deep_link_to_a_journey_shows_that_customer(fresh_server, page, demo_portfolio):
    customer_id, name = pick_customer(demo_portfolio)

    # The very first page request this server gets (only /_stcore/health was asked).
    page.goto(f"{fresh_server.url}/Customer_journey?customer={customer_id}")

    expect(page.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    expect_shared_setup(page)
    wait_until_idle(page)
    expect_no_exception(page)
    assert urlsplit(page.url).path.rstrip("/").endswith("/Customer_journey"), page.url
    assert query(page).get("customer") == [str(customer_id)], page.url


def test_an_at_risk_row_opens_that_journey_at_the_same_snapshot(server, page):
    day = "2026-09-30"   # six customers to act on: row 1 is in the first table
    with crm_core.connect(server.db) as db:
        _, risky = crm_core.overview(db, day, risk.DEFAULT_PERIOD)
    row = 1     # not the first row: the click must pick the row it lands on
    customer_id, name = int(risky["customer_id"].iloc[row]), str(risky["name"].iloc[row])
    assert risky["act_now"].iloc[row]     # a row of the first table, "Act now"

    page.goto(f"{server.url}/?as_of={day}")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    wait_until_idle(page)
    # The grid is a canvas: tick the row's selection box in the leftmost column.
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + ROW_MARKER_X, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)

    expect(page).to_have_url(re.compile(r"/Customer_journey\?"))
    expect(page.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    wait_until_idle(page)
    expect_no_exception(page)
    assert query(page).get("customer") == [str(customer_id)], page.url
    assert query(page).get("as_of") == [day], page.url


def test_a_filtered_view_opened_in_a_new_browser_shows_the_same_filters_and_figures(server, new_page):
    with crm_core.connect(server.db) as db:
        values = crm_core.filter_values(db)
        sector = next(s for s in values["sector"]
                      if crm_core.checklist_gaps(db, "pre_deal", filters={"sector": [s]}).customers_with_gaps)
        region = crm_core.checklist_gaps(db, "pre_deal", filters={"sector": [sector]}).customers["region"].iloc[0]
        gaps = crm_core.checklist_gaps(db, "pre_deal", filters={"sector": [sector], "region": [region]})
    figures = {"Customers at or past Pre-deal": str(gaps.customers_total),
               "Customers with a gap": str(gaps.customers_with_gaps)}

    first = new_page()
    first.goto(f"{server.url}/Checklist_gaps?stage=pre_deal")
    expect(first.get_by_test_id("stMetric").filter(has_text="Customers at or past Pre-deal")).to_be_visible()
    # The filters are set through the widgets, as a manager would.
    for label, value in (("Sector", sector), ("Region", region)):
        wait_until_idle(first)
        multiselect(first, label).click()
        first.get_by_role("option", name=value, exact=True).click()
        first.keyboard.press("Escape")
        expect(selected(first, label)).to_have_text([value])
    expect(first).to_have_url(re.compile(r"region="))
    wait_until_idle(first)
    expect_figures(first, figures)
    link = first.url
    assert query(first)["sector"] == [sector] and query(first)["region"] == [region], link

    second = new_page()       # another browser context: no shared session, only the link
    second.goto(link)
    expect_figures(second, figures)
    expect(selected(second, "Sector")).to_have_text([sector])
    expect(selected(second, "Region")).to_have_text([region])
    expect(selected(second, "Account manager")).to_have_count(0)
    expect(second.get_by_role("radiogroup", name="Stage").get_by_role("radio", checked=True)).to_have_text(
        "Pre-deal")
    expect_no_exception(second)


def test_the_journey_tab_travels_in_the_link(server, new_page, demo_portfolio):
    customer_id, name = pick_customer(demo_portfolio, rank=1)
    first = new_page()
    first.goto(f"{server.url}/Customer_journey?customer={customer_id}")
    expect(first.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    wait_until_idle(first)
    first.get_by_role("tab", name="Checklist").click()
    expect(first).to_have_url(re.compile(r"[?&]tab=Checklist"))

    second = new_page()
    second.goto(first.url)
    expect(second.get_by_role("heading").filter(has_text=name).first).to_be_visible()
    expect(second.get_by_role("tab", name="Checklist")).to_have_attribute("aria-selected", "true")
    expect(second.get_by_role("tab", name="Journey")).to_have_attribute("aria-selected", "false")
    expect_no_exception(second)
