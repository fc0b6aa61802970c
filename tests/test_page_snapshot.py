"""A past snapshot looks like one: every page says so in its main area with a one-click
way back to live, shows days as dates, and offers no data entry."""

import pytest

from fixtures import PAGES, metrics

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
                                       "pages/9_Import_export.py"])
def test_a_snapshot_offers_no_entry_form_and_says_why(open_page, story_db, page_file):
    page = open_page(page_file, story_db, customer="1", as_of=DAY)
    assert not page.exception
    assert any("data is entered on the live view only" in i.value for i in page.info)
    assert [b.label for b in page.button] == ["Back to live"]


def test_a_snapshot_journey_has_no_undo_and_no_row_editing(open_page, story_db):
    page = open_page("pages/1_Customer_journey.py", story_db, customer="1", as_of=DAY)
    assert [b.label for b in page.button] == ["Back to live"]
    assert "Select a row to change or delete it." not in [c.value for c in page.caption]
