"""A team behind a proxy: two Streamlit servers on one database (PostgreSQL in the
suite's PostgreSQL run). A response logged through the form on the first shows on the
second's overview and journey at their next run, though the second had both pages in its
caches: the cache key (the change count) is read from the database, not kept in a server."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fixtures import first_missing_item, log_response_in_form, pick_customer, wait_until_idle
from playwright.sync_api import expect

import crm_core


def coverage_text(location, customer: dict) -> str:
    """The overview's "Coverage of current stages" of the customer's sector,
    region and account manager, as the page rounds it."""
    filters = {key: [customer[key]] for key in ("sector", "region", "account_manager")}
    with crm_core.connect(location) as db:
        figures, _ = crm_core.overview(db, None, 90, filters=filters)
    return f"{round(100 * figures.mean_coverage)}%"


def test_a_response_saved_on_one_server_shows_on_the_other_servers_overview_and_journey(two_servers, new_page,
                                                                                        demo_portfolio):
    one, two = two_servers
    with_gaps = demo_portfolio[demo_portfolio["items_covered"] < demo_portfolio["items_total"]]
    customer_id, name = pick_customer(with_gaps)
    item, _given, _expected = first_missing_item(one.db, customer_id)
    customer = demo_portfolio.set_index("customer_id").loc[customer_id]
    filters = urlencode({key: customer[key] for key in ("sector", "region", "account_manager")})
    overview = f"{two.url}/?{filters}"
    journey = f"{two.url}/Customer_journey?customer={customer_id}&tab=Responses+and+opinions"
    with crm_core.connect(one.db) as db:
        responses_before = len(crm_core.journey(db, customer_id).responses)
    coverage_before = coverage_text(one.db, customer)

    # The second server runs both pages first, so each is in its caches.
    watcher = new_page()
    watcher.goto(overview)
    coverage = watcher.get_by_test_id("stMetric").filter(has_text="Coverage of current stages")
    expect(coverage).to_contain_text(coverage_before)
    watcher.goto(journey)
    expect(watcher.get_by_role("heading", name=f"{responses_before} responses")).to_be_visible()

    # A manager on the first server logs the missing item.
    manager = new_page()
    manager.goto(f"{one.url}/Log_response?customer={customer_id}")
    expect(manager.get_by_text("Checklist items addressed (○ = still missing)")).to_be_visible()
    wait_until_idle(manager)
    log_response_in_form(manager, item, "Walked the site team through the plan")
    expect(manager.get_by_text(f"Response saved for {name}.")).to_be_visible()
    coverage_after = coverage_text(one.db, customer)
    assert coverage_after != coverage_before

    # The second server's next runs show it.
    watcher.goto(journey)
    expect(watcher.get_by_role("heading", name=f"{responses_before + 1} responses")).to_be_visible()
    expect(watcher.get_by_test_id("stMetric").filter(has_text="Last response")).to_contain_text("today")
    watcher.goto(overview)
    expect(coverage).to_contain_text(coverage_after)
    expect(watcher.get_by_test_id("stException")).to_have_count(0)
    assert re.search(r"/\?", watcher.url)
