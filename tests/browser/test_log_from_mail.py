"""Logging a response from a mail and from an invite in a real browser: drop the file
on the log page, then three interactions (quality, completeness, save) log it for the
customer the addresses belong to, on the day and in the mode the message says."""

from __future__ import annotations

import datetime as dt
import re

from fixtures import choose, invite_bytes, mail_bytes, pick_customer, table_rows, wait_for_run, wait_until_idle
from playwright.sync_api import expect

import crm_core


def customers_with_own_address(db, portfolio, count: int) -> list[tuple[int, str, str]]:
    """``count`` (id, name, e-mail) of customers with a contact address no other customer's
    contact has (the demo's addresses are first initial + surname, so some repeat)."""
    with crm_core.connect(db) as conn:
        contacts = table_rows(conn, "contacts").dropna(subset=["email"])
    owners = contacts.groupby(contacts["email"].str.lower())["customer_id"].nunique()
    # ASCII only: a mail's address with accents needs SMTPUTF8, which the test's mail writer does not do.
    own = contacts[(contacts["email"].str.lower().map(owners) == 1) & contacts["email"].map(str.isascii)]
    found = []
    for rank in range(len(portfolio)):
        customer_id, name = pick_customer(portfolio, rank)
        addresses = own[own["customer_id"] == customer_id]["email"]
        if len(addresses):
            found.append((customer_id, name, str(addresses.iloc[0])))
        if len(found) == count:
            return found
    raise AssertionError("the demo has too few customers with an address of their own")


def drop_and_save(page, path, quality: str, completeness: str) -> None:
    """Drop the file ``path`` on the log page, then the three interactions."""
    page.get_by_text("📨 From a mail or an invite").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    # The draft's row in the review list, then the form it filled once the run is over (while
    # it runs, the previous customer's form may still be there beside the new one).
    expect(page.get_by_text(re.compile(r"▶"))).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_label("Summary (Enter saves)")).not_to_have_value("")
    choose(page, "Quality", quality)
    choose(page, "Completeness", completeness)
    page.get_by_role("button", name="Save response").click()


def last_response(db, customer_id: int):
    with crm_core.connect(db) as conn:
        return crm_core.journey(conn, customer_id).responses.iloc[-1]


def test_a_mail_and_an_invite_are_logged_in_three_interactions_after_the_drop(server, page, demo_portfolio,
                                                                               tmp_path):
    (mail_customer, mail_name, mail_address), (meeting_customer, meeting_name, meeting_address) = \
        customers_with_own_address(server.db, demo_portfolio, 2)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
    mail = tmp_path / "answer.eml"
    mail.write_bytes(mail_bytes(subject="Spare parts quote accepted", to="sales@supplier.example",
                                sender=f"Buyer <{mail_address}>",
                                date=now.strftime("%a, %d %b %Y %H:%M:%S +0000")))
    invite = tmp_path / "call.ics"
    invite.write_bytes(invite_bytes(summary="Quarterly review", start=now.strftime("%Y%m%dT%H%M%SZ"),
                                    attendees=(meeting_address,),
                                    location="https://teams.microsoft.com/l/meetup-join/abc"))

    page.goto(f"{server.url}/Log_response")
    wait_until_idle(page)
    author = page.get_by_role("textbox", name="You are")
    author.fill("Ana")
    wait_for_run(page, lambda: author.press("Enter"))
    drop_and_save(page, mail, "4", "5")
    expect(page.get_by_text(f"Response saved for {mail_name}.")).to_be_visible()
    logged = last_response(server.db, mail_customer)
    assert (logged["summary"].split(" — ")[0], logged["mode"], logged["quality"], logged["completeness"],
            logged["responded_on"]) == ("Spare parts quote accepted", "email_fax", 4, 5,
                                        now.astimezone().date().isoformat())
    expect(page).to_have_url(re.compile(rf"customer={mail_customer}\b"))

    drop_and_save(page, invite, "3", "4")
    expect(page.get_by_text(f"Response saved for {meeting_name}.")).to_be_visible()
    logged = last_response(server.db, meeting_customer)
    assert (logged["summary"], logged["mode"], logged["quality"], logged["completeness"]) == (
        "Quarterly review", "phone", 3, 4)
