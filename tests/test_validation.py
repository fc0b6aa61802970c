"""Every write validates in crm_core and names the field that is wrong."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crm_core
from crm_core import validation
from crm_core.validation import ValidationError
from fixtures import TODAY


def refused(field, call, *args, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert error.value.field == field, error.value
    return error.value.message


def log(db, **changes):
    values = dict(customer_id=1, stage="pre_deal", responded_on="2025-03-01", mode="phone",
                  items=["pre.data"], quality=3, completeness=3, summary="Call")
    values.update(changes)
    return crm_core.log_response(db, **values, today=TODAY)


def test_unknown_customer_is_refused(story_db):
    with crm_core.connect(story_db) as db:
        assert "unknown customer" in refused("customer_id", log, db, customer_id=42)


def test_item_of_another_stage_is_refused(story_db):
    with crm_core.connect(story_db) as db:
        assert "belongs to operational" in refused("items", log, db, items=["ops.delays"])
        assert "unknown checklist item" in refused("items", log, db, items=["pre.nonsense"])


@pytest.mark.parametrize("field, value", [("quality", 0), ("quality", 6), ("completeness", 0),
                                          ("completeness", 2.5), ("quality", "five")])
def test_ratings_outside_one_to_five_are_refused(story_db, field, value):
    with crm_core.connect(story_db) as db:
        refused(field, log, db, **{field: value})


def test_dates_before_the_customer_existed_or_in_the_future_are_refused(story_db):
    with crm_core.connect(story_db) as db:
        assert "before the customer existed" in refused("responded_on", log, db, responded_on="2024-12-31")
        assert "future" in refused("responded_on", log, db, responded_on="2026-11-25")
        assert "not a valid date" in refused("responded_on", log, db, responded_on="2025-02-31")


def test_a_stage_not_yet_reached_on_that_date_is_refused(story_db):
    with crm_core.connect(story_db) as db:
        refused("stage", log, db, stage="operational", items=["ops.delays"], responded_on="2025-03-01")
        assert log(db, stage="operational", items=["ops.delays"], responded_on="2025-04-02") > 0


def test_empty_summary_and_unknown_mode_are_refused(story_db):
    with crm_core.connect(story_db) as db:
        refused("summary", log, db, summary="   ")
        refused("mode", log, db, mode="carrier_pigeon")


def test_customer_names_are_required_and_unique_case_insensitively(story_db):
    with crm_core.connect(story_db) as db:
        refused("name", crm_core.add_customer, db, {"name": ""}, today=TODAY)
        assert "already" in refused("name", crm_core.add_customer, db, {"name": "ACME  turbines"},
                                    today=TODAY)
        refused("name", crm_core.update_customer, db, 2, {"name": "acme turbines"}, today=TODAY)
        crm_core.update_customer(db, 1, {"name": "Acme Turbines S.A."}, today=TODAY)


def test_contacts_need_a_name_and_a_real_email(empty_db):
    with crm_core.connect(empty_db) as db:
        refused("contacts[0].name", crm_core.add_customer, db, {"name": "X"}, [{"email": "a@b.c"}],
                today=TODAY)
        refused("contacts[0].email", crm_core.add_customer, db, {"name": "X"},
                [{"name": "Ann", "email": "nope"}], today=TODAY)


def test_stage_moves_go_forward_one_stage_or_are_corrections_with_a_reason(story_db):
    with crm_core.connect(story_db) as db:
        refused("stage", crm_core.move_stage, db, 2, "post_deal", "2025-04-01", today=TODAY)
        refused("stage", crm_core.move_stage, db, 1, "operational", "2025-06-01", today=TODAY)
        refused("reason", crm_core.move_stage, db, 1, "pre_deal", "2025-06-01", kind="correction",
                today=TODAY)
        refused("entered_on", crm_core.move_stage, db, 1, "post_deal", "2025-03-01", today=TODAY)
        crm_core.move_stage(db, 1, "pre_deal", "2025-06-01", kind="correction",
                            reason="Contract put on hold", today=TODAY)
        assert crm_core.journey(db, 1).current_stage == "pre_deal"


def test_opinions_stay_on_the_minus_two_to_plus_two_scale(story_db):
    with crm_core.connect(story_db) as db:
        refused("score", crm_core.record_opinion, db, 1, "pre_deal", "2025-06-01", 3, today=TODAY)
        refused("stage", crm_core.record_opinion, db, 2, "post_deal", "2025-06-01", 1, today=TODAY)


def test_a_refused_write_leaves_nothing_behind(story_db):
    with crm_core.connect(story_db) as db:
        before = crm_core.change_count(story_db), len(crm_core.journey(db, 1).responses)
        refused("quality", log, db, quality=9)
        assert (crm_core.change_count(story_db), len(crm_core.journey(db, 1).responses)) == before


@given(st.one_of(st.integers(-100, 100), st.floats(allow_nan=True), st.text(max_size=5)))
def test_check_rating_accepts_exactly_the_whole_numbers_one_to_five(value):
    try:
        accepted = validation.check_rating("quality", value, (1, 5))
    except ValidationError:
        accepted = None
    expected = None
    try:
        number = float(value)
        if number == number and number == int(number) and 1 <= number <= 5:
            expected = int(number)
    except (ValueError, OverflowError):
        pass
    assert accepted == expected


@given(st.dates())
def test_parse_date_round_trips_every_iso_date(day):
    assert validation.parse_date("d", day.isoformat()) == day


@given(st.text(max_size=40))
def test_check_text_never_keeps_nul_or_outer_blanks(text):
    try:
        cleaned = validation.check_text("summary", text)
    except ValidationError as error:
        assert "\x00" in text and error.field == "summary"
        return
    assert cleaned is None or (cleaned == cleaned.strip() and cleaned)


def test_text_with_markup_and_quotes_is_stored_exactly(empty_db):
    name = "O'Brien \"Ltd\"; DROP TABLE customers; -- <b>**bold**</b>"
    with crm_core.connect(empty_db) as db:
        customer_id = crm_core.add_customer(db, {"name": name, "created_on": dt.date(2026, 1, 1)},
                                            today=TODAY)
        assert crm_core.journey(db, customer_id).customer["name"] == name
