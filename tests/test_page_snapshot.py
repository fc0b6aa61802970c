"""A past snapshot looks like one: every page says so in its main area with a one-click
way back to live, shows days as dates, and offers no data entry."""

import datetime as dt

import pytest

from fixtures import PAGES, metrics

import crm_core

DAY = "2025-06-30"
BANNER = "Snapshot: end of 30 Jun 2025 · not live"


def back_to_live(page):
    return next(b for b in page.main.button if b.label == "Back to live")


@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_marks_a_snapshot_in_its_main_area(open_page, story_db, page_file):
    page = open_page(page_file, story_db, as_of=DAY)
    assert not page.exception
    assert BANNER in [w.value for w in page.main.warning]
    page = back_to_live(page).click().run()
    assert not page.exception
    assert "as_of" not in page.query_params
    assert BANNER not in [w.value for w in page.main.warning]


def test_a_live_page_has_no_snapshot_banner(open_page, story_db):
    page = open_page("app.py", story_db)
    assert not [b for b in page.main.button if b.label == "Back to live"]
    assert not [w for w in page.main.warning if w.value.startswith("Snapshot:")]


def test_a_snapshot_shows_the_day_of_the_last_response_not_how_long_ago(open_page, story_db):
    page = open_page("pages/1_Customer_journey.py", story_db, customer="1", as_of=DAY)
    assert metrics(page)["Last response"] == "20 Feb 2025"
    live = open_page("pages/1_Customer_journey.py", story_db, customer="1")
    assert metrics(live)["Last response"].endswith("days ago")


@pytest.mark.parametrize("page_file", ["pages/5_Log_response.py", "pages/6_Customers.py",
                                       "pages/9_Import_export.py", "pages/8_Service_and_promises.py",
                                       "pages/10_Outcomes.py"])
def test_a_snapshot_offers_no_entry_form_and_says_why(open_page, story_db, page_file):
    page = open_page(page_file, story_db, customer="1", as_of=DAY)
    assert not page.exception
    assert any("data is entered on the live view only" in i.value for i in page.info)
    assert [b.label for b in page.main.button] == ["Back to live"]


def test_a_snapshot_journey_has_no_undo_and_no_row_editing(open_page, story_db):
    page = open_page("pages/1_Customer_journey.py", story_db, customer="1", as_of=DAY)
    assert [b.label for b in page.main.button] == ["Back to live"]
    assert "Select a row to change or delete it." not in [c.value for c in page.caption]


def test_a_future_day_in_the_service_and_outcome_forms_is_refused_by_crm_core(story_db):
    """Their date boxes no longer cap the day at today (a typed future day was saved as
    today): the rule that refuses it is crm_core's, for every one of them."""
    future = dt.date.today() + dt.timedelta(days=3)
    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError):
            crm_core.open_case(db, 1, f"{future.isoformat()} 09:00", "Leak", "low")
        with pytest.raises(crm_core.ValidationError):
            crm_core.record_outcome(db, 1, "additional_sale", future.isoformat(), amount=1000)
        with pytest.raises(crm_core.ValidationError):
            crm_core.record_promise(db, 1, "pre_deal", future.isoformat(), "date", "Delivery by May")
