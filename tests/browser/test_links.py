"""Every view is a link: deep links, row links and shared filtered views in a real browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

APP_TITLE = "Customer response"


# --- helpers -------------------------------------------------------------------------

def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_until_idle(page: Page) -> None:
    """Wait until the current script run has finished (the app is connected and not running)."""
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1)


def expect_no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def expect_shared_setup(page: Page) -> None:
    """What ``pages.common.setup`` draws on every page: tab title and the snapshot date."""
    expect(page).to_have_title(re.compile(re.escape(APP_TITLE)))
    expect(page.get_by_test_id("stSidebar").get_by_text("Snapshot as of", exact=True)).to_be_visible()


def pick_customer(portfolio, rank: int = 0):
    """(id, name) of a customer whose name is no part of another name, away from the
    alphabetical top (a page that shows its first customer by default must not pass)."""
    names = list(portfolio["name"])
    unique = portfolio[[sum(name in other for other in names) == 1 for name in names]]
    unique = unique.sort_values("name").iloc[len(unique) // 2:]
    row = unique.iloc[rank]
    return int(row["customer_id"]), str(row["name"])


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
