"""Promises vs delivery on the story database, figures computed by hand.

Acme Turbines (manager Ana): a date promise made 2025-02-01 due 2025-06-01,
kept 2025-06-05 (4 days late); a price promise made 2025-04-10 due 2025-05-01,
broken 2025-04-25 (6 days early); a performance promise made 2025-04-15 due
2025-09-01, open. Borealis Rail (Jonas): training promised 2025-03-10 for
2025-04-01, open."""

import pandas as pd
import pytest
from fixtures import TODAY

import crm_core


@pytest.fixture
def promises_db(story_db):
    with crm_core.connect(story_db) as db:
        kept = crm_core.record_promise(db, 1, "pre_deal", "2025-02-01", "date", "Delivery by June",
                                       made_by="Ana", due_on="2025-06-01", author="ana", today=TODAY)
        crm_core.resolve_promise(db, kept, "kept", "2025-06-05", actual_value="5 June", author="ana", today=TODAY)
        broken = crm_core.record_promise(db, 1, "operational", "2025-04-10", "price", "Spares at list price",
                                         promised_value="-10 %", due_on="2025-05-01", author="ana", today=TODAY)
        crm_core.resolve_promise(db, broken, "broken", "2025-04-25", actual_value="+5 %", author="ana", today=TODAY)
        crm_core.record_promise(db, 1, "operational", "2025-04-15", "performance", "98 % availability",
                                due_on="2025-09-01", author="ana", today=TODAY)
        crm_core.record_promise(db, 2, "pre_deal", "2025-03-10", "training", "Operator course",
                                due_on="2025-04-01", author="ana", today=TODAY)
    return story_db


def test_kept_rate_and_average_slip_of_the_portfolio(promises_db):
    with crm_core.connect(promises_db) as db:
        record = crm_core.promise_record(db, today=TODAY).iloc[0]
    assert (record["promises"], record["kept"], record["broken"], record["open"]) == (4, 1, 1, 2)
    assert record["kept_rate"] == 0.5 and record["average_slip"] == -1.0   # (4 + -6) / 2
    assert record["overdue"] == 2


def test_kept_rate_per_account_manager_and_per_customer(promises_db):
    with crm_core.connect(promises_db) as db:
        managers = crm_core.promise_record(db, by="account_manager", today=TODAY).set_index("group")
        customers = crm_core.promise_record(db, by="customer", today=TODAY).set_index("group")
    assert managers.loc["Ana", "kept_rate"] == 0.5 and pd.isna(managers.loc["Jonas", "kept_rate"])
    assert managers.loc["Jonas", "overdue"] == 1
    assert customers.loc["Acme Turbines", "customer_id"] == 1 and customers.loc["Borealis Rail", "promises"] == 1


def test_a_snapshot_sees_later_resolutions_as_open_and_counts_overdue_days(promises_db):
    with crm_core.connect(promises_db) as db:
        found = crm_core.promise_list(db, "2025-04-30").set_index("what")
        record = crm_core.promise_record(db, "2025-04-30").iloc[0]
    assert found.loc["Delivery by June", "status"] == "open" and found.loc["Spares at list price", "slip_days"] == -6
    assert found.loc["Operator course", "days_overdue"] == 29
    assert (record["kept_rate"], record["average_slip"], record["promises"]) == (0.0, -6.0, 4)


def test_promises_are_listed_newest_first_and_a_limit_fetches_only_the_first(promises_db):
    with crm_core.connect(promises_db) as db:
        found = crm_core.promise_list(db, today=TODAY)
        first = crm_core.promise_list(db, today=TODAY, limit=2)
        total = crm_core.promise_count(db, today=TODAY)
    assert list(found["what"]) == ["98 % availability", "Spares at list price", "Operator course", "Delivery by June"]
    assert list(first["what"]) == list(found["what"][:2]) and total == 4


def test_overdue_promises_come_most_overdue_first_and_their_count_equals_the_record(promises_db):
    with crm_core.connect(promises_db) as db:
        overdue = crm_core.promise_list(db, today=TODAY, only="overdue")
        count = crm_core.promise_count(db, today=TODAY, only="overdue")
        record = crm_core.promise_record(db, today=TODAY).iloc[0]
        on_customer = crm_core.promise_count(db, customer_id=1, today=TODAY, only="overdue")
    assert list(overdue["what"]) == ["Operator course", "98 % availability"]
    assert overdue["days_overdue"].is_monotonic_decreasing and overdue["overdue"].all()
    assert count == record["overdue"] == 2 and on_customer == 1


def test_open_promises_at_a_snapshot_include_those_resolved_later(promises_db):
    with crm_core.connect(promises_db) as db:
        still_open = crm_core.promise_list(db, "2025-04-30", only="open")
        count = crm_core.promise_count(db, "2025-04-30", only="open")
    assert list(still_open["what"]) == ["98 % availability", "Operator course", "Delivery by June"]
    assert (still_open["status"] == "open").all() and count == 3


def test_an_unknown_selection_of_promises_is_refused(promises_db):
    with crm_core.connect(promises_db) as db, pytest.raises(crm_core.ValidationError) as refused:
        crm_core.promise_list(db, only="late")
    assert refused.value.field == "only"


@pytest.mark.parametrize("change, field", [
    ({"stage": "operational", "made_on": "2025-02-01"}, "stage"),   # Acme was still in pre-deal
    ({"due_on": "2025-01-15"}, "due_on"),
    ({"kind": "date", "due_on": None}, "due_on"),
    ({"kind": "bribe"}, "kind"),
    ({"what": ""}, "what"),
    ({"made_on": "2024-12-31"}, "made_on"),
])
def test_a_promise_is_validated_by_field(story_db, change, field):
    values = {"stage": "pre_deal", "made_on": "2025-02-01", "kind": "quality", "what": "Zero defects",
              "due_on": "2025-03-01", **change}
    with crm_core.connect(story_db) as db, pytest.raises(crm_core.ValidationError) as refused:
        crm_core.record_promise(db, 1, values["stage"], values["made_on"], values["kind"], values["what"],
                                due_on=values["due_on"], today=TODAY)
    assert refused.value.field == field


def test_a_promise_is_resolved_once_and_not_before_it_was_made(promises_db):
    with crm_core.connect(promises_db) as db:
        with pytest.raises(crm_core.ValidationError) as twice:
            crm_core.resolve_promise(db, 1, "broken", "2025-06-10", today=TODAY)
        with pytest.raises(crm_core.ValidationError) as early:
            crm_core.resolve_promise(db, 4, "kept", "2025-03-01", today=TODAY)
        with pytest.raises(crm_core.ValidationError) as unknown:
            crm_core.resolve_promise(db, 4, "forgotten", "2025-05-01", today=TODAY)
    assert (twice.value.field, early.value.field, unknown.value.field) == ("status", "resolved_on", "status")


def test_resolving_is_audited_and_undone(promises_db):
    with crm_core.connect(promises_db) as db:
        crm_core.resolve_promise(db, 4, "renegotiated", "2025-05-02", actual_value="June", author="marc", today=TODAY)
        assert crm_core.history(db, 2).iloc[-1][["action", "entity", "author"]].tolist() == \
            ["update", "promise", "marc"]
        crm_core.undo(db, "marc")
        assert crm_core.promise_list(db, customer_id=2).iloc[0]["status"] == "open"


def test_a_viewer_cannot_record_a_promise(promises_db):
    with crm_core.connect(promises_db) as db:
        crm_core.add_user(db, "admin", "correct horse battery", "admin")
        crm_core.add_user(db, "vera", "correct horse battery", "viewer", author="admin")
        with pytest.raises(crm_core.AccessDenied):
            crm_core.record_promise(db, 1, "pre_deal", "2025-02-01", "other", "x", author="vera", today=TODAY)


def test_broken_and_overdue_promises_put_customers_at_risk(promises_db):
    with crm_core.connect(promises_db) as db:
        found = crm_core.at_risk(db, "2025-06-30", 90, today=TODAY).set_index("name")
        before = crm_core.at_risk(db, "2025-03-31", 90, today=TODAY).set_index("name")
    # Acme: price promise broken 2025-04-25, inside the period from 2025-04-01.
    assert "broken_promise" in found.loc["Acme Turbines", "reasons"]
    # Borealis: training due 2025-04-01 still open.
    assert "broken_promise" in found.loc["Borealis Rail", "reasons"]
    assert "broken_promise" not in before.loc["Borealis Rail", "reasons"]   # not due yet on 2025-03-31
