"""The customer chosen on a page stays chosen in a real browser across a run that does not
draw the choice box: on the log page a snapshot day stops the page before the box (entries
are made live only), and "Back to live" draws it again. The browser forgets the state of a
widget a finished run left out; drawn again without its value, the box came back empty and
the next interaction cleared the customer from the form and the URL. "Back to live" right
after a day was typed put the day back (the live date box still held it)."""

from __future__ import annotations

import datetime as dt

from fixtures import pick_customer, query, type_author, wait_for_run, wait_until_idle
from playwright.sync_api import expect


def test_the_customer_survives_a_snapshot_that_hides_the_form_and_the_way_back_to_live(server, page, demo_portfolio):
    customer_id, name = pick_customer(demo_portfolio)
    page.goto(f"{server.url}/Log_response?customer={customer_id}")
    form = page.get_by_text("Checklist items addressed (○ = still missing)")
    expect(form).to_be_visible()
    wait_until_idle(page)

    # The date box is three fields (day, month, year) that move on as digits are typed.
    page.get_by_test_id("stSidebar").get_by_role("spinbutton", name="day, Snapshot as of").click()
    page.keyboard.type((dt.date.today() - dt.timedelta(days=30)).strftime("%d%m%Y"))
    # The date commits when the box loses focus, not on Enter.
    wait_for_run(page, lambda: page.get_by_role("heading", name="Log a response").click())
    expect(page.get_by_text("data is entered on the live view only")).to_be_visible()
    expect(form).to_have_count(0)

    wait_for_run(page, lambda: page.get_by_role("button", name="Back to live").click())
    assert "as_of" not in query(page), page.url
    expect(form).to_be_visible()
    # Any interaction now sends the box's state along: the name box in the sidebar.
    type_author(page, "Dana Whitfield")
    expect(form).to_be_visible()
    expect(page.get_by_text("Pick the customer you just spoke with.")).to_have_count(0)
    assert query(page).get("customer") == [str(customer_id)], page.url
    expect(page.get_by_test_id("stMain").get_by_role("combobox", name="Customer")).to_have_value(name)

    # Clearing the box is still the user's to do.
    wait_for_run(page, lambda: page.get_by_test_id("stMain").get_by_role("button", name="Clear value").click())
    expect(page.get_by_text("Pick the customer you just spoke with.")).to_be_visible()
    assert "customer" not in query(page), page.url
