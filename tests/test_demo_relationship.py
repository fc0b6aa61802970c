"""The demo's service cases, promises and outcomes tell a story and obey every write rule."""

import datetime as dt

from fixtures import ANCHOR, new_location

import crm_core
from crm_core import demo

CUTOFF = dt.datetime.combine(ANCHOR, dt.time())


def test_the_demo_relationship_rows_are_deterministic():
    first, again = demo.generate(anchor=ANCHOR), demo.generate(anchor=ANCHOR)
    kinds = ("cases", "promises", "outcomes")
    assert [first[k] for k in kinds] == [again[k] for k in kinds]


def test_the_demo_has_fast_slow_and_open_cases_and_happy_and_unhappy_outcomes(demo_db):
    with crm_core.connect(demo_db) as db:
        clocks = crm_core.case_clocks(db, now=CUTOFF)
        waiting = crm_core.open_cases(db, now=CUTOFF)
        record = crm_core.promise_record(db, today=ANCHOR).iloc[0]
        bands = crm_core.outcomes_by_opinion(db).set_index("band")
        figures = crm_core.service_portfolio(db, now=CUTOFF)
    assert len(clocks) >= 30 and clocks["breached"].any() and (~clocks["breached"]).any()
    assert waiting.iloc[0]["priority"] == "critical" and waiting.iloc[0]["hours_left"] < 0
    assert (waiting["hours_left"] > 0).any()
    assert 0 < figures.compliance["compliance"].min() < figures.compliance["compliance"].max() <= 1
    assert figures.price_ratio > 1 and figures.spares["ratio"].min() == 1.0
    assert record["kept"] > 0 and record["broken"] > 0 and record["overdue"] > 0
    assert bands.loc["positive", "referrals_given_per_customer"] > bands.loc["negative", "referrals_given_per_customer"]
    assert bands.loc["negative", "referrals_lost_per_customer"] > bands.loc["positive", "referrals_lost_per_customer"]
    assert bands.loc["positive", "revenue_per_customer"] > bands.loc["negative", "revenue_per_customer"]


def test_the_demo_relationship_rows_pass_every_validation_rule(tmp_path):
    """Replaying them through the write functions stores the same clocks, promises and outcomes."""
    rows = demo.generate(12, anchor=ANCHOR)
    bulk = new_location(tmp_path / "bulk.db")
    demo.load(bulk, {**rows, "cases": [], "promises": [], "outcomes": []})
    replay = new_location(tmp_path / "replay.db")
    demo.load(replay, rows)
    with crm_core.connect(bulk) as db:
        for case in rows["cases"]:
            case_id = crm_core.open_case(db, case["customer_id"], case["reported_at"], case["description"],
                                         case["priority"], now=CUTOFF)
            for event, column in (("first_reply", "first_reply_at"), ("attention", "attention_at"),
                                  ("repair", "repaired_at"), ("close", "closed_at")):
                if case.get(column):
                    crm_core.log_case_event(db, case_id, event, case[column], expert=case["expert"],
                                            spare_quoted_price=case.get("spare_quoted_price"),
                                            spare_reference_price=case.get("spare_reference_price"), now=CUTOFF)
        for promise in rows["promises"]:
            promise_id = crm_core.record_promise(
                db, promise["customer_id"], promise["stage"], promise["made_on"], promise["kind"], promise["what"],
                made_by=promise["made_by"], promised_value=promise["promised_value"], due_on=promise["due_on"],
                author=promise["author"], today=ANCHOR)
            if promise["status"] != "open":
                crm_core.resolve_promise(db, promise_id, promise["status"], promise["resolved_on"],
                                         actual_value=promise["actual_value"], author=promise["author"], today=ANCHOR)
        for outcome in rows["outcomes"]:
            crm_core.record_outcome(db, outcome["customer_id"], outcome["kind"], outcome["on_date"],
                                    amount=outcome.get("amount"), counterpart=outcome.get("counterpart"),
                                    note=outcome.get("note"), author=outcome["author"], today=ANCHOR)
    with crm_core.connect(bulk) as a, crm_core.connect(replay) as b:
        assert crm_core.case_clocks(a, now=CUTOFF).drop(columns="author").equals(
            crm_core.case_clocks(b, now=CUTOFF).drop(columns="author"))
        assert crm_core.promise_record(a, by="customer", today=ANCHOR).equals(
            crm_core.promise_record(b, by="customer", today=ANCHOR))
        assert crm_core.acquisition_returns(a).equals(crm_core.acquisition_returns(b))
