"""At-risk rules and the overview's key figures, on the hand-made story (tests/fixtures.py)."""

import datetime as dt

import pytest
from fixtures import TODAY

import crm_core
from crm_core import risk

AS_OF = dt.date(2025, 6, 30)   # period of 90 days starts 2025-04-01


def test_at_risk_names_every_reason_and_orders_by_score(story_db):
    with crm_core.connect(story_db) as db:
        found = crm_core.at_risk(db, AS_OF, 90, today=TODAY)
    assert list(found["name"]) == ["Acme Turbines", "Borealis Rail"]
    acme, borealis = found.iloc[0], found.iloc[1]
    # Acme: final +2 on 2025-04-01 (pre +2, operational not rated) -> 0 now; no operational
    # response after 90 days in the stage; last response 2025-02-20 (130 days).
    assert acme["reasons"] == ("falling_opinion", "missing_responses", "silent")
    assert acme["opinion_change"] == -2 and acme["score"] == 4
    assert acme["days_in_stage"] == 90 and acme["days_since_response"] == 130
    # Borealis: -1 then and now (no fall), never answered in 121 days.
    assert borealis["reasons"] == ("missing_responses", "silent")
    assert borealis["score"] == 2


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
    assert figures.at_risk == len(risky) == 2
    assert figures.opinion_counts.to_dict("list") == {"final_opinion": [-1, 0], "customers": [1, 1]}
    assert figures.period_start == dt.date(2025, 4, 1)


def test_overview_filters_and_an_empty_portfolio(story_db, empty_db):
    with crm_core.connect(story_db) as db:
        figures, risky = crm_core.overview(db, AS_OF, 90, filters={"region": ["Northern Europe"]}, today=TODAY)
    assert figures.customers == 1 and list(risky["name"]) == ["Borealis Rail"]
    with crm_core.connect(empty_db) as db:
        figures, risky = crm_core.overview(db, None, risk.DEFAULT_PERIOD, today=TODAY)
    assert figures.customers == 0 and figures.mean_final_opinion is None and risky.empty
