"""A follow-up in a real browser: one click under the journey's advice makes it for the
customer's account manager, who finds it under "My follow-ups" on the overview; logging a
response that gives its item closes it, and the confirmation says so."""

from __future__ import annotations

import re

from fixtures import log_response_in_form, pick_customer, type_author, wait_until_idle
from playwright.sync_api import expect

import crm_core


def test_a_follow_up_made_on_the_journey_is_listed_for_its_owner_and_closed_by_the_response(
        server, page, demo_portfolio):
    managed = demo_portfolio[demo_portfolio["account_manager"].notna()
                             & (demo_portfolio["items_covered"] < demo_portfolio["items_total"])]
    customer_id, name = pick_customer(managed, rank=1)
    manager = managed.set_index("customer_id").loc[customer_id, "account_manager"]
    page.goto(f"{server.url}/Customer_journey?customer={customer_id}")
    wait_until_idle(page)
    type_author(page, manager)
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Follow up \(due ")).click()
    expect(page.get_by_text("Follow-up made.")).to_be_visible()
    wait_until_idle(page)
    with crm_core.connect(server.db) as db:
        [made] = crm_core.follow_up_list(db, customer_id=customer_id).itertuples()
    assert (made.owner, made.status) == (manager, "open")

    page.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name=re.compile("My follow-ups"))).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_text(re.compile(r"0 overdue · 1 due · 0 done this week"))).to_be_visible()

    page.goto(f"{server.url}/Log_response?customer={customer_id}")
    expect(page.get_by_text("Checklist items addressed (○ = still missing)")).to_be_visible()
    wait_until_idle(page)
    log_response_in_form(page, made.label, "Sent the plan the customer asked for")
    expect(page.get_by_text(re.compile(rf"Response saved for {re.escape(name)}\..*Follow-up “{re.escape(made.label)}” "
                                       r"closed\."))).to_be_visible()
    with crm_core.connect(server.db) as db:
        assert crm_core.follow_up_list(db, customer_id=customer_id)["status"].tolist() == ["done"]
