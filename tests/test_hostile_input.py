"""Hostile values through every write: each is stored exactly or refused with a
message naming the field; nothing breaks and nothing is half-written."""

import datetime as dt

import pandas as pd
import pytest
from fixtures import HOSTILE, TODAY, integrity

import crm_core


def stored_or_refused(call, read_back, value):
    try:
        call(value)
    except crm_core.ValidationError as error:
        assert error.field and error.message
        return "refused"
    assert read_back() == value.strip()
    return "stored"


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_customer_names(empty_db, value):
    with crm_core.connect(empty_db) as db:
        outcome = stored_or_refused(
            lambda v: crm_core.add_customer(db, {"name": v, "created_on": "2026-01-01"}, today=TODAY),
            lambda: crm_core.portfolio(db)["name"].iloc[0], value)
        assert (outcome == "refused") == (len(value.strip()) > 200 or "\x00" in value or not value.strip())
        assert len(crm_core.portfolio(db)) == (1 if outcome == "stored" else 0)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_response_summaries_and_opinion_notes(story_db, value):
    with crm_core.connect(story_db) as db:
        stored_or_refused(
            lambda v: crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.status"], 3, 3,
                                            v, "Ana", today=TODAY),
            lambda: crm_core.journey(db, 1).responses["summary"].iloc[-1], value)
        if value.strip():
            stored_or_refused(
                lambda v: crm_core.record_opinion(db, 2, "pre_deal", "2025-06-01", 0, note=v, today=TODAY),
                lambda: crm_core.journey(db, 2).opinions["note"].iloc[-1], value)
        assert integrity(db) == "ok"


@pytest.mark.parametrize("value", ["<script>", "pre_deal'; --", "", None, "POST_DEAL", 3])
def test_hostile_stages_modes_and_items_are_refused(story_db, value):
    with crm_core.connect(story_db) as db:
        for call in (
            lambda: crm_core.log_response(db, 1, value, "2025-06-01", "phone", [], 3, 3, "x", today=TODAY),
            lambda: crm_core.log_response(db, 1, "operational", "2025-06-01", value, [], 3, 3, "x", today=TODAY),
            lambda: crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", [value], 3, 3, "x",
                                          today=TODAY),
        ):
            with pytest.raises(crm_core.ValidationError):
                call()
        assert crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"] == 2


@pytest.mark.parametrize("value", ["2025-02-31", "31/02/2025", "tomorrow", "", "2025-13-01", "9999-99-99"])
def test_hostile_dates_are_refused(story_db, value):
    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError) as error:
            crm_core.record_opinion(db, 2, "pre_deal", value, 1, today=TODAY)
        assert error.value.field == "opinion_on"


NOW = dt.datetime(2026, 11, 24, 12)


def _case(db, **fields) -> int:
    return crm_core.open_case(db, 1, "2025-06-02T09:00", fields.get("description", "Pump trips"), "high", now=NOW)


def _promise(db, **fields) -> int:
    values = {"what": "Train the crew", **fields}
    return crm_core.record_promise(db, 1, "operational", "2025-06-01", "training", values.pop("what"),
                                   **{k: v for k, v in values.items() if k != "actual_value"}, today=TODAY)


def _expert(db, value) -> int:
    case_id = _case(db)
    crm_core.log_case_event(db, case_id, "attention", "2025-06-02T10:00", expert=value, now=NOW)
    return case_id


def _actual_value(db, value) -> int:
    promise_id = _promise(db)
    crm_core.resolve_promise(db, promise_id, "broken", "2025-07-01", actual_value=value, today=TODAY)
    return promise_id


# field: (write it with a value -> the row id, the list to read it back from, that list's id column)
RELATIONSHIP_FIELDS = {
    "description": (lambda db, v: _case(db, description=v), crm_core.case_clocks, "case_id"),
    "expert": (_expert, crm_core.case_clocks, "case_id"),
    "what": (lambda db, v: _promise(db, what=v), crm_core.promise_list, "promise_id"),
    "made_by": (lambda db, v: _promise(db, made_by=v), crm_core.promise_list, "promise_id"),
    "promised_value": (lambda db, v: _promise(db, promised_value=v), crm_core.promise_list, "promise_id"),
    "actual_value": (_actual_value, crm_core.promise_list, "promise_id"),
    "counterpart": (lambda db, v: crm_core.record_outcome(db, 1, "referral_given", "2025-08-01", counterpart=v,
                                                          today=TODAY), crm_core.outcome_list, "outcome_id"),
    "note": (lambda db, v: crm_core.record_outcome(db, 1, "referral_lost", "2025-08-01", counterpart="Delta",
                                                   note=v, today=TODAY), crm_core.outcome_list, "outcome_id"),
}


@pytest.mark.parametrize("field", RELATIONSHIP_FIELDS)
def test_hostile_text_in_service_cases_promises_and_outcomes(story_db, field):
    write, listing, id_column = RELATIONSHIP_FIELDS[field]
    with crm_core.connect(story_db) as db:
        for value in HOSTILE:
            try:
                row_id = write(db, value)
            except crm_core.ValidationError as error:
                assert error.field == field and error.message
                continue
            stored = listing(db).set_index(id_column).loc[row_id, field]
            assert (None if pd.isna(stored) else stored) == (value.strip() or None)   # blank optional: empty
        assert integrity(db) == "ok"
