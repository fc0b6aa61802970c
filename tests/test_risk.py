"""At-risk rules and the overview's key figures, on the hand-made story (tests/fixtures.py)."""

import datetime as dt

import pandas as pd
import pytest
from fixtures import TODAY, random_relationship_writes, random_writes

import crm_core
from crm_core import risk

AS_OF = dt.date(2025, 6, 30)   # period of 90 days starts 2025-04-01


def test_at_risk_names_every_reason_and_orders_by_severity(story_db):
    with crm_core.connect(story_db) as db:
        found = crm_core.at_risk(db, AS_OF, 90, today=TODAY)
    assert list(found["name"]) == ["Acme Turbines", "Borealis Rail"]
    acme, borealis = found.iloc[0], found.iloc[1]
    # Acme: final +2 on 2025-04-01 (pre +2, operational not rated) -> 0 now; no operational
    # response after 90 days in the stage; last response 2025-02-20 (130 days).
    assert acme["reasons"] == ("falling_opinion", "missing_responses", "silent")
    assert acme["opinion_change"] == -2
    assert (acme["depth"], acme["fall"], acme["signals"], acme["severity"]) == (0, 2, 2, 4)
    assert acme["days_in_stage"] == 90 and acme["days_since_response"] == 130
    # Borealis: -1 then and now (no fall), never answered in 121 days.
    assert borealis["reasons"] == ("negative_opinion", "missing_responses", "silent")
    assert (borealis["depth"], borealis["fall"], borealis["signals"], borealis["severity"]) == (1, 0, 2, 3)
    assert not found["act_now"].any()     # both below risk.ACT_NOW: to watch


def test_severity_ranks_the_worst_opinion_above_a_mild_one_with_more_signs():
    # A customer at -6 that gave no other sign, beside one at -1 that fell a point and shows three signs.
    parts = risk.severity(pd.Series([-6, -1]), pd.Series([pd.NA, -1], dtype="Int64"),
                          pd.DataFrame({"missing_responses": [False, True], "silent": [False, True],
                                        "overrated": [False, True]}))
    assert {name: list(values) for name, values in parts.items()} == {
        "depth": [6, 1], "fall": [0, 1], "signals": [0, 3], "severity": [6, 5]}
    unrated = risk.severity(pd.Series([None, 2], dtype=object), pd.Series([pd.NA, 1], dtype="Int64"),
                            pd.DataFrame({"silent": [True, False]}))
    assert list(unrated["severity"]) == [1, 0]


def test_act_now_is_a_short_list_ahead_of_the_customers_to_watch(demo_db):
    with crm_core.connect(demo_db) as db:
        figures, risky = crm_core.overview(db, None, 90)
    assert list(risky["severity"]) == sorted(risky["severity"], reverse=True)
    assert list(risky["act_now"]) == sorted(risky["act_now"], reverse=True)     # act now first, then watch
    assert (risky["act_now"] == (risky["severity"] >= risk.ACT_NOW)).all()
    assert figures.at_risk == risky["act_now"].sum() and figures.to_watch == len(risky) - figures.at_risk
    # The demo's neglected accounts end far below zero (a quarter of it is neglected): a
    # quarter of the portfolio at most to act on, well short of everyone at risk.
    assert 0 < figures.at_risk <= figures.customers // 4 < figures.at_risk + figures.to_watch
    worst, mildest = risky[risky["final_opinion"] == -6], risky[risky["final_opinion"] == -1]
    assert len(worst) and len(mildest) and worst.index.max() < mildest.index.min()
    assert worst["act_now"].all()


def test_a_customer_younger_than_the_grace_period_is_not_at_risk(story_db):
    with crm_core.connect(story_db) as db:
        found = crm_core.at_risk(db, AS_OF, 90, today=TODAY)
    assert "Cobalt Mining" not in set(found["name"])   # created 2025-06-01: 29 days old


def test_overrated_when_our_score_beats_the_customers_opinion(story_db):
    with crm_core.connect(story_db) as db:
        # Two perfect operational responses giving every item: response score +2 vs opinion -2.
        items = [key for key, stage in ((i.key, i.stage) for i in crm_core.CHECKLIST) if stage == "operational"]
        crm_core.log_response(db, 1, "operational", "2025-06-20", "face_to_face", items, 5, 5, "All of it",
                              "Ana", today=TODAY)
        found = crm_core.at_risk(db, AS_OF, 90, today=TODAY).set_index("name")
    assert found.loc["Acme Turbines", "gap"] == pytest.approx(4.0)
    assert found.loc["Acme Turbines", "reasons"] == ("falling_opinion", "overrated")


def test_overview_figures_at_a_snapshot(story_db):
    with crm_core.connect(story_db) as db:
        figures, risky = crm_core.overview(db, AS_OF, 90, today=TODAY)
    assert figures.customers == 3
    assert figures.per_stage == {"pre_deal": 2, "operational": 1, "post_deal": 0}
    assert figures.mean_final_opinion == pytest.approx(-0.5)        # Acme 0, Borealis -1
    assert figures.mean_final_opinion_start == pytest.approx(0.5)   # Acme +2, Borealis -1
    assert figures.opinion_change == pytest.approx(-1.0)
    assert figures.rated == 2 and figures.mean_coverage == 0
    assert len(risky) == 2 and figures.at_risk == 0 and figures.to_watch == 2
    assert figures.opinion_counts.to_dict("list") == {"final_opinion": [-1, 0], "customers": [1, 1]}
    assert figures.period_start == dt.date(2025, 4, 1)


def test_overview_filters_and_an_empty_portfolio(story_db, empty_db):
    with crm_core.connect(story_db) as db:
        figures, risky = crm_core.overview(db, AS_OF, 90, filters={"region": ["Northern Europe"]}, today=TODAY)
    assert figures.customers == 1 and list(risky["name"]) == ["Borealis Rail"]
    with crm_core.connect(empty_db) as db:
        figures, risky = crm_core.overview(db, None, risk.DEFAULT_PERIOD, today=TODAY)
    assert figures.customers == 0 and figures.mean_final_opinion is None and risky.empty


def test_live_signs_kept_by_writes_equal_the_signs_recomputed_from_the_base_rows(demo_db, monkeypatch):
    """What writes keep in ``risk_summary`` and compare with the moment gives the same
    signs, at-risk list and figures as re-clocking every case and reading every promise
    and follow-up, after random writes of responses, stages, cases, promises, follow-ups,
    targets and undos."""
    random_writes(demo_db, seed=7, count=40)
    with crm_core.connect(demo_db) as db:
        random_relationship_writes(db, seed=7, count=200)
        since = crm_core.period_start(None, 90, TODAY)
        kept = risk._signs(db, None, 90, TODAY).sort_values("customer_id").reset_index(drop=True)
        recomputed = risk._recomputed_signs(db, None, since, TODAY).sort_values("customer_id").reset_index(
            drop=True)
        for sign in ("service_breach", "broken_promise", "overdue_follow_up"):
            kept[sign] = kept[sign].astype(bool)
            assert 0 < recomputed[sign].sum() < len(recomputed), sign     # the test sees both ways
        pd.testing.assert_frame_equal(kept, recomputed[kept.columns], check_dtype=False)
        figures, risky = crm_core.overview(db, None, 90, today=TODAY)
        monkeypatch.setattr(risk, "_signs", lambda db, as_of, period_days, today: risk._recomputed_signs(
            db, as_of, crm_core.period_start(as_of, period_days, today), today))
        figures_then, risky_then = crm_core.overview(db, None, 90, today=TODAY)
    pd.testing.assert_frame_equal(risky, risky_then)
    assert figures.__dict__.keys() == figures_then.__dict__.keys()
    for name, value in figures.__dict__.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, figures_then.__dict__[name])
        else:
            assert value == figures_then.__dict__[name], name
