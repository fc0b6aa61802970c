"""Every write validates in crm_core and names the field that is wrong."""

import datetime as dt

import pytest
from fixtures import TODAY
from hypothesis import given
from hypothesis import strategies as st

import crm_core
from crm_core import validation
from crm_core.validation import ValidationError


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


# --- properties of every validator (hypothesis) -------------------------------------

def outcome(call, *args, **kwargs):
    """``("ok", result)`` or ``("refused", field)``: a validator never fails any other way."""
    try:
        return "ok", call(*args, **kwargs)
    except ValidationError as error:
        assert error.message
        return "refused", error.field


DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))
STAGE_ITEMS = {item.key: item.stage for item in crm_core.CHECKLIST}
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), DAYS,
                     st.lists(st.text(max_size=4), max_size=2))


@given(DAYS, st.one_of(st.none(), DAYS), DAYS)
def test_check_date_accepts_exactly_the_days_between_creation_and_today(day, not_before, today):
    result = outcome(validation.check_date, "responded_on", day.isoformat(), not_before=not_before, today=today)
    inside = day <= today and (not_before is None or day >= not_before)
    assert result == (("ok", day.isoformat()) if inside else ("refused", "responded_on"))


@given(ANYTHING)
def test_check_date_refuses_anything_that_is_not_a_day_by_its_field(value):
    kind, result = outcome(validation.check_date, "opinion_on", value, not_before=None, today=dt.date(2041, 1, 1))
    if kind == "ok":
        assert isinstance(value, (dt.date, str)) and dt.date.fromisoformat(result)
    else:
        assert result == "opinion_on"


@given(ANYTHING)
def test_check_choice_keeps_a_known_choice_and_names_the_field_otherwise(value):
    expected = ("ok", value) if isinstance(value, str) and value in crm_core.MODES else ("refused", "mode")
    assert outcome(validation.check_choice, "mode", value, crm_core.MODES) == expected


@given(st.one_of(st.none(), st.just(""), st.floats(), st.integers(-10**6, 10**6), st.text(max_size=8)))
def test_check_amount_gives_none_or_a_non_negative_number(value):
    kind, result = outcome(validation.check_amount, "acquisition_cost", value)
    if kind == "refused":
        assert result == "acquisition_cost"
    elif value is None or value == "":
        assert result is None
    else:
        assert result >= 0 and result == float(value)


@given(st.text(max_size=30))
def test_name_key_ignores_case_and_runs_of_blanks(name):
    key = validation.name_key(name)
    assert key == validation.name_key(f"  {name.upper()}  ") or name.upper().casefold() != name.casefold()
    assert key == validation.name_key(key) and "  " not in key and key == key.strip()


@given(st.sampled_from(crm_core.STAGES), st.one_of(st.none(), st.sampled_from(crm_core.STAGES)))
def test_a_stage_is_accepted_exactly_when_the_customer_had_reached_it(stage, current):
    reached = current is not None and crm_core.STAGES.index(stage) <= crm_core.STAGES.index(current)
    assert outcome(validation.check_stage_reached, "stage", stage, current) == (
        ("ok", stage) if reached else ("refused", "stage"))


@given(st.lists(st.sampled_from([*STAGE_ITEMS, "pre.unknown", ""]), max_size=6), st.sampled_from(crm_core.STAGES))
def test_items_are_kept_once_in_order_when_all_belong_to_the_stage(items, stage):
    kind, result = outcome(validation.check_items, "items", items, stage, STAGE_ITEMS)
    if all(STAGE_ITEMS.get(key) == stage for key in items):
        assert (kind, result) == ("ok", list(dict.fromkeys(items)))
    else:
        assert (kind, result) == ("refused", "items")


@given(st.sampled_from(crm_core.STAGES), st.one_of(st.none(), st.sampled_from(crm_core.STAGES)),
       st.sampled_from(["forward", "correction", "sideways"]), st.one_of(st.none(), st.text(max_size=6)), DAYS)
def test_a_stage_move_goes_one_stage_forward_or_is_a_correction_with_a_reason(stage, current, kind, reason, day):
    values = {"stage": stage, "entered_on": day.isoformat(), "kind": kind, "reason": reason}
    result, value = outcome(validation.check_stage_entry, values, current_stage=current, last_entered_on=None,
                            created_on=dt.date(1990, 1, 1), today=dt.date(2041, 1, 1))
    position = -1 if current is None else crm_core.STAGES.index(current)
    allowed = kind in ("forward", "correction") and stage != current and "\x00" not in (reason or "") and (
        crm_core.STAGES.index(stage) == position + 1 if kind == "forward" else bool((reason or "").strip()))
    assert result == ("ok" if allowed else "refused")
    if allowed:
        assert (value["stage"], value["kind"], value["entered_on"]) == (stage, kind, day.isoformat())


CUSTOMER_TEXT = st.one_of(st.none(), st.text(max_size=8), st.text(min_size=201, max_size=210))


@given(CUSTOMER_TEXT, CUSTOMER_TEXT, st.one_of(st.none(), st.integers(-5, 5)), st.one_of(st.none(), DAYS))
def test_a_customer_profile_is_cleaned_or_refused_by_the_field_at_fault(name, sector, cost, created):
    values = {"name": name, "sector": sector, "acquisition_cost": cost, "created_on": created}
    kind, result = outcome(validation.check_customer, values, today=dt.date(2030, 1, 1))
    if kind == "ok":
        assert result["name"] == name.strip() and result["name_key"] == validation.name_key(name.strip())
        assert result["created_on"] <= "2030-01-01" and result["acquisition_cost"] in (None, cost)
    else:
        assert result in ("name", "sector", "acquisition_cost", "created_on")


@given(st.lists(st.fixed_dictionaries({"name": st.one_of(st.none(), st.text(max_size=6)),
                                       "email": st.one_of(st.none(), st.just("ana@example.com"), st.text(max_size=6))}),
                max_size=3))
def test_contacts_need_a_name_and_an_email_with_an_at_sign_and_errors_name_the_contact(contacts):
    kind, result = outcome(validation.check_contacts, contacts)
    if kind == "ok":
        assert len(result) == len(contacts) and all(c["name"] for c in result)
        assert all(c["email"] is None or "@" in c["email"] for c in result)
    else:
        assert result.startswith("contacts[") and result.endswith(("].name", "].email"))


@given(st.fixed_dictionaries({"responded_on": st.one_of(DAYS.map(dt.date.isoformat), st.text(max_size=4)),
                              "stage": st.sampled_from([*crm_core.STAGES, "later"]),
                              "mode": st.sampled_from([*crm_core.MODES, "pigeon"]),
                              "quality": st.integers(0, 6), "completeness": st.integers(0, 6),
                              "summary": st.text(max_size=4)}))
def test_a_response_is_refused_by_one_named_field_or_stored_with_its_values(values):
    kind, result = outcome(validation.check_response, {**values, "items": []}, stage_on_date=lambda day: "post_deal",
                           created_on=dt.date(2000, 1, 1), today=dt.date(2030, 1, 1), stage_items=STAGE_ITEMS)
    if kind == "ok":
        assert {k: result[k] for k in ("stage", "mode", "quality", "completeness")} == {
            k: values[k] for k in ("stage", "mode", "quality", "completeness")}
    else:
        assert result in ("responded_on", "stage", "mode", "quality", "completeness", "summary")


@given(st.integers(-4, 4), st.one_of(st.none(), st.text(max_size=4)), DAYS)
def test_an_opinion_is_kept_on_the_minus_two_to_plus_two_scale(score, note, day):
    kind, result = outcome(validation.check_opinion, {"stage": "pre_deal", "opinion_on": day.isoformat(),
                                                      "score": score, "note": note},
                           stage_on_date=lambda day: "pre_deal", created_on=dt.date(1990, 1, 1),
                           today=dt.date(2041, 1, 1))
    assert (kind == "ok") == (-2 <= score <= 2 and "\x00" not in (note or ""))
    if kind == "ok":
        assert result["score"] == score
