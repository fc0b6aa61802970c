"""The post-deal fault clock: elapsed hours, breaches, time left, medians and
compliance computed by hand on three cases of Acme Turbines (story database,
moved to post-deal on 2025-06-01). Default targets (hours, first reply /
attention / repair): critical 1/4/24, high 4/8/48, normal 8/24/120."""

import datetime as dt
import json

import pandas as pd
import pytest
from fixtures import TODAY, database_before, old_customer

import crm_core
from crm_core import risk, service, storage
from crm_core.storage import schema

NOW = dt.datetime(2025, 8, 11, 13, 0)
PHONE = {"mode": "phone", "quality": 4, "completeness": 5}


def log(db, case, event, at, **kwargs):
    return crm_core.log_case_event(db, case, event, at, author="ana", now=NOW, **kwargs)


@pytest.fixture
def cases_db(story_db):
    """A: high, reported 1 Jul 08:00, replied 10:30 (2.5 h), attention 18:00 (10 h: breach),
    repaired 3 Jul 08:00 (48 h: on target), spares 1,100 vs 1,000, closed 3 Jul 09:00.
    B: critical, reported 10 Aug 09:00, replied 09:30 (0.5 h), attention 12:00 (3 h), open.
    C: normal, reported 11 Aug 07:00, nothing yet. Now: 11 Aug 13:00."""
    with crm_core.connect(story_db) as db:
        crm_core.move_stage(db, 1, "post_deal", "2025-06-01", today=TODAY)
        a = crm_core.open_case(db, 1, "2025-07-01 08:00", "Pump vibrates", "high", author="ana", now=NOW)
        log(db, a, "first_reply", "2025-07-01 10:30")
        log(db, a, "attention", "2025-07-01 18:00", expert="Team Atlas")
        log(db, a, "repair", "2025-07-03 08:00", spare_quoted_price=1100, spare_reference_price=1000)
        log(db, a, "close", "2025-07-03 09:00")
        b = crm_core.open_case(db, 1, "2025-08-10 09:00", "Turbine trips", "critical", author="ana", now=NOW)
        log(db, b, "first_reply", "2025-08-10 09:30")
        log(db, b, "attention", "2025-08-10 12:00", expert="Team Atlas")
        crm_core.open_case(db, 1, "2025-08-11 07:00", "Display flickers", "normal", author="ana", now=NOW)
    return story_db


def test_each_clock_shows_elapsed_hours_breach_and_time_left(cases_db):
    with crm_core.connect(cases_db) as db:
        clocks = crm_core.case_clocks(db, now=NOW).set_index("description")
    a, b, c = clocks.loc["Pump vibrates"], clocks.loc["Turbine trips"], clocks.loc["Display flickers"]
    assert (a["first_reply_hours"], a["attention_hours"], a["repair_hours"]) == (2.5, 10.0, 48.0)
    assert (a["first_reply_breached"], a["attention_breached"], a["repair_breached"]) == (False, True, False)
    assert a["status"] == "closed" and pd.isna(a["hours_left"]) and a["price_ratio"] == 1.1
    # B's repair clock has run 28 h against 24: breached, 4 h overdue.
    assert (b["repair_hours"], b["repair_breached"], b["repair_left"]) == (28.0, True, -4.0)
    assert pd.isna(b["first_reply_left"]) and b["expert"] == "Team Atlas"
    # C: 6 h since the report; 2 h left to reply, 18 h for attention, 114 h for the repair.
    assert (c["first_reply_left"], c["attention_left"], c["repair_left"], c["hours_left"]) == (2.0, 18.0, 114.0, 2.0)
    assert not c["breached"]


def test_open_cases_come_most_urgent_first(cases_db):
    with crm_core.connect(cases_db) as db:
        found = crm_core.open_cases(db, now=NOW)
    assert list(found["description"]) == ["Turbine trips", "Display flickers"]
    assert list(found["hours_left"]) == [-4.0, 2.0]


def test_portfolio_medians_compliance_trend_and_spare_prices(cases_db):
    with crm_core.connect(cases_db) as db:
        figures = crm_core.service_portfolio(db, now=NOW)
    assert (figures.cases, figures.open_cases, figures.open_breached) == (3, 2, 1)
    # stopped clocks only: replies 2.5 and 0.5 h, attention 10 and 3 h, one repair of 48 h
    assert figures.medians == {"first_reply": 1.5, "attention": 6.5, "repair": 48.0}
    cells = figures.compliance.set_index(["priority", "clock"])
    assert cells.loc[("high", "attention"), ["met", "decided"]].tolist() == [0, 1]
    assert cells.loc[("high", "repair"), "compliance"] == 1.0
    assert cells.loc[("critical", "repair"), ["met", "decided"]].tolist() == [0, 1]   # running, already late
    assert pd.isna(cells.loc[("normal", "first_reply"), "compliance"])                # running, not yet due
    trend = figures.trend[figures.trend["clock"] == "first_reply"].set_index("month")
    assert trend.loc["2025-07", "median_hours"] == 2.5 and trend.loc["2025-08", "median_hours"] == 0.5
    assert trend.loc["2025-08", "cases"] == 2 and trend.loc["2025-08", "compliance"] == 1.0
    assert figures.price_ratio == 1.1 and figures.spares.iloc[0]["ratio"] == 1.1


def test_a_snapshot_measures_open_clocks_to_the_end_of_its_day(cases_db):
    with crm_core.connect(cases_db) as db:
        clocks = crm_core.case_clocks(db, "2025-08-10", now=NOW)
        assert service.customers_in_breach(db, "2025-08-10", now=NOW) == set()
        assert service.customers_in_breach(db, now=NOW) == {1}
    assert list(clocks["description"]) == ["Turbine trips", "Pump vibrates"]   # C not reported yet
    b = clocks.iloc[0]
    assert (b["repair_hours"], b["repair_left"], b["breached"]) == (15.0, 9.0, False)


def test_logging_a_clock_event_can_log_the_matching_checklist_response(cases_db):
    with crm_core.connect(cases_db) as db:
        case = crm_core.open_case(db, 1, "2025-08-11 08:00", "Valve leaks", "high", author="ana", now=NOW)
        log(db, case, "first_reply", "2025-08-11 08:20", response=PHONE)
        log(db, case, "attention", "2025-08-11 10:00", expert="Siti's field team", response=PHONE)
        log(db, case, "repair", "2025-08-11 12:00", spare_quoted_price=500, spare_reference_price=500,
            response={**PHONE, "summary": "Valve replaced"})
        given = crm_core.journey(db, 1).responses
    given = given[given["responded_on"] == "2025-08-11"]
    assert list(given["items"]) == [["post.immediate_reply"], ["post.expert_team", "post.quick_attention"],
                                    ["post.repair_priority", "post.spares"]]
    assert list(given["summary"]) == ["Valve leaks", "Valve leaks", "Valve replaced"]
    assert set(given["stage"]) == {"post_deal"} and set(given["author"]) == {"ana"}


def test_an_overpriced_spare_part_is_not_counted_as_spares_at_actual_price(cases_db):
    with crm_core.connect(cases_db) as db:
        case = crm_core.open_case(db, 1, "2025-08-11 08:00", "Valve leaks", "high", author="ana", now=NOW)
        response_id = log(db, case, "repair", "2025-08-11 12:00", spare_quoted_price=560,
                          spare_reference_price=500, response=PHONE)
        given = crm_core.journey(db, 1).responses.set_index("id")
    assert given.loc[response_id, "items"] == ["post.repair_priority"]   # 560 / 500 = 1.12 > 1.05


def test_one_undo_takes_back_the_clock_event_and_its_checklist_response(cases_db):
    with crm_core.connect(cases_db) as db:
        case = crm_core.open_case(db, 1, "2025-08-11 08:00", "Valve leaks", "high", author="ana", now=NOW)
        responses = len(crm_core.journey(db, 1).responses)
        log(db, case, "first_reply", "2025-08-11 08:20", response=PHONE)
        trail = crm_core.history(db, 1).tail(2)
        assert list(trail["entity"]) == ["service_case", "response"] and trail["change_id"].nunique() == 1
        assert json.loads(trail.iloc[0]["after"])["first_reply_at"] == "2025-08-11T08:20"
        crm_core.undo(db, "ana")
        clocks = crm_core.case_clocks(db, now=NOW).set_index("case_id")
        assert pd.isna(clocks.loc[case, "first_reply_at"])
        assert len(crm_core.journey(db, 1).responses) == responses


@pytest.mark.parametrize("event, at, extra, field", [
    ("first_reply", "2025-08-11 06:00", {}, "at"),                       # before the report
    ("first_reply", "2025-08-12 09:00", {}, "at"),                       # after now
    ("attention", "2025-08-11 09:00", {}, "expert"),                     # nobody assigned
    ("repair", "2025-08-11 09:00", {"spare_quoted_price": 10}, "spare_reference_price"),
    ("repair", "2025-08-11 09:00", {"spare_quoted_price": -1, "spare_reference_price": 1}, "spare_quoted_price"),
    ("reopen", "2025-08-11 09:00", {}, "event"),
    ("first_reply", "yesterday", {}, "at"),
])
def test_clock_events_are_validated_by_field(cases_db, event, at, extra, field):
    with crm_core.connect(cases_db) as db:
        case = crm_core.open_case(db, 1, "2025-08-11 08:00", "Valve leaks", "high", author="ana", now=NOW)
        with pytest.raises(crm_core.ValidationError) as refused:
            log(db, case, event, at, **extra)
    assert refused.value.field == field


def test_cases_refuse_unknown_priorities_future_reports_repeated_and_late_events(cases_db):
    with crm_core.connect(cases_db) as db:
        for kwargs, field in (({"priority": "urgent"}, "priority"),
                              ({"reported_at": "2025-08-12 08:00"}, "reported_at"),
                              ({"description": " "}, "description"),
                              ({"reported_at": "2024-12-31 08:00"}, "reported_at")):
            values = {"reported_at": "2025-08-11 08:00", "description": "Leak", "priority": "high", **kwargs}
            with pytest.raises(crm_core.ValidationError) as refused:
                crm_core.open_case(db, 1, values["reported_at"], values["description"], values["priority"], now=NOW)
            assert refused.value.field == field
        a = int(crm_core.case_clocks(db, now=NOW).set_index("description").loc["Pump vibrates", "case_id"])
        b = int(crm_core.case_clocks(db, now=NOW).set_index("description").loc["Turbine trips", "case_id"])
        with pytest.raises(crm_core.ValidationError, match="closed"):
            log(db, a, "repair", "2025-08-01 08:00")
        with pytest.raises(crm_core.ValidationError, match="already logged"):
            log(db, b, "first_reply", "2025-08-10 10:00")
        with pytest.raises(crm_core.ValidationError) as early_close:
            log(db, b, "close", "2025-08-10 11:00")      # before the attention at 12:00
    assert early_close.value.field == "at"


def test_the_checklist_response_needs_a_customer_in_post_deal(cases_db):
    with crm_core.connect(cases_db) as db:
        case = crm_core.open_case(db, 2, "2025-08-11 08:00", "Signal fault", "high", author="ana", now=NOW)
        with pytest.raises(crm_core.ValidationError) as refused:
            log(db, case, "first_reply", "2025-08-11 09:00", response=PHONE)
        assert pd.isna(crm_core.case_clocks(db, customer_id=2, now=NOW).iloc[0]["first_reply_at"])
    assert refused.value.field == "response"


def test_targets_can_be_changed_by_an_admin_only_and_undone(cases_db):
    with crm_core.connect(cases_db) as db:
        crm_core.add_user(db, "admin", "correct horse battery", "admin")
        crm_core.add_user(db, "eddie", "correct horse battery", "editor", author="admin")
        with pytest.raises(crm_core.AccessDenied):
            crm_core.set_service_target(db, "critical", 2, 4, 24, author="eddie")
        with pytest.raises(crm_core.ValidationError) as refused:
            crm_core.set_service_target(db, "critical", 0, 4, 24, author="admin")
        assert refused.value.field == "first_reply_hours"
        crm_core.set_service_target(db, "critical", 2, 6, 30, author="admin")
        b = crm_core.case_clocks(db, now=NOW).iloc[0]
        assert (b["repair_target"], b["repair_left"], b["breached"]) == (30.0, 2.0, False)
        crm_core.undo(db, "admin")
        assert crm_core.service_targets(db).set_index("priority").loc["critical"].tolist() == [1.0, 4.0, 24.0]


def test_a_viewer_cannot_open_a_case(cases_db):
    with crm_core.connect(cases_db) as db:
        crm_core.add_user(db, "admin", "correct horse battery", "admin")
        crm_core.add_user(db, "vera", "correct horse battery", "viewer", author="admin")
        with pytest.raises(crm_core.AccessDenied):
            crm_core.open_case(db, 1, "2025-08-11 08:00", "Leak", "high", author="vera", now=NOW)
        assert len(crm_core.case_clocks(db, now=NOW)) == 3


def test_an_open_case_past_its_target_puts_the_customer_at_risk(cases_db):
    with crm_core.connect(cases_db) as db:
        late = crm_core.at_risk(db, None, 90, today=TODAY).set_index("name")
        on_time = crm_core.at_risk(db, "2025-08-10", 90, today=TODAY).set_index("name")
    assert "service_breach" in late.loc["Acme Turbines", "reasons"]
    assert "service_breach" not in on_time.loc["Acme Turbines", "reasons"]
    assert "service_breach" in risk.SIGNALS   # one point of the severity


def test_a_database_from_before_the_relationship_tables_keeps_its_rows(tmp_path):
    with database_before(tmp_path / "old.db", "m005_relationship") as (path, old):
        old_customer(old, 1, "Old Co", "post_deal", acquisition_cost=5000)
        assert "service_cases" not in storage.table_names(old)
    with crm_core.connect(path) as db:
        assert "m005_relationship" not in schema.pending(db)
        crm_core.open_case(db, 1, "2025-02-01 08:00", "Leak", "low", now=NOW)
        assert crm_core.portfolio(db).iloc[0]["name"] == "Old Co"
        assert crm_core.acquisition_returns(db).iloc[0]["acquisition_cost"] == 5000
        assert len(crm_core.open_cases(db, now=NOW)) == 1
