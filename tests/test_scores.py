"""The formulas of crm_core.scores, on hand-computed cases, and the reads that use them."""

import math

import numpy as np
import pandas as pd
import pytest

import crm_core
from crm_core import scores


def test_coverage_is_items_addressed_over_items_of_the_stage():
    assert scores.coverage(2, 5) == 0.4
    assert scores.coverage(0, 8) == 0
    assert scores.coverage(3, 0) is None


def test_response_score_maps_delivery_onto_the_opinion_scale():
    assert scores.response_score(1.0, 5, 5) == 2.0
    assert scores.response_score(0.0, 1, 1) == -2.0
    # 4 * (0.5*0.4 + 0.25*(3-1)/4 + 0.25*(2-1)/4) - 2 = -0.45
    assert scores.response_score(0.4, 3, 2) == -0.45
    assert scores.response_score(0.4, None, None) is None


def test_response_score_on_series_matches_the_scalar_formula():
    cov = pd.Series([0.4, 1.0, math.nan])
    quality = pd.Series([3.0, 5.0, math.nan])
    completeness = pd.Series([2.0, 5.0, math.nan])
    result = scores.response_score(cov, quality, completeness)
    assert result.iloc[0] == -0.45 and result.iloc[1] == 2.0 and math.isnan(result.iloc[2])


def test_coverage_and_response_score_on_arrays_match_the_series_formula():
    covered = scores.coverage(np.array([2.0, 5.0, 1.0]), np.array([5.0, 5.0, 0.0]))
    assert covered[0] == 0.4 and covered[1] == 1.0 and math.isnan(covered[2])
    result = scores.response_score(np.array([0.4, 1.0, math.nan]), np.array([3.0, 5.0, 4.0]),
                                   np.array([2.0, 5.0, math.nan]))
    assert result[0] == -0.45 and result[1] == 2.0 and math.isnan(result[2])


def test_final_opinion_sums_the_latest_opinion_of_each_reached_stage():
    opinions = {"pre_deal": 2, "operational": -2, "post_deal": 1}
    assert scores.final_opinion(opinions, "operational") == 0      # post_deal not reached
    assert scores.final_opinion(opinions, "post_deal") == 1
    assert scores.final_opinion({"pre_deal": 2}, "operational") == 2  # unrated stage adds nothing


def test_final_opinion_without_any_rated_stage_is_not_rated_rather_than_zero():
    assert scores.final_opinion({}, "post_deal") is None
    assert scores.final_opinion({"post_deal": 2}, "pre_deal") is None
    assert scores.final_opinion({"pre_deal": 0}, "pre_deal") == 0


def test_self_assessment_gap_is_response_score_minus_opinion():
    assert scores.self_assessment_gap(1.5, -1) == 2.5
    assert scores.self_assessment_gap(None, 1) is None


def test_the_gap_and_the_mean_rating_on_columns_match_the_scalar_formula():
    score, opinion = pd.Series([1.5, np.nan, 0.333]), pd.Series([-1.0, 1.0, 0.0])
    assert scores.self_assessment_gap(score, opinion).tolist()[::2] == [2.5, 0.33]
    assert math.isnan(scores.self_assessment_gap(score, opinion)[1])
    assert scores.mean_rating(7, 2) == 3.5 and scores.mean_rating(0, 0) is None
    means = scores.mean_rating(pd.Series([7, 0]), pd.Series([2, 0]))
    assert means[0] == 3.5 and math.isnan(means[1])
    assert scores.mean_rating(np.array([7.0]), np.array([2.0])).tolist() == [3.5]


def test_the_final_opinion_band_is_its_sign_as_on_the_stage_scale():
    bands = scores.opinion_band(pd.Series([-6, -2, -1, 0, 1, 2, 6, None], dtype="Int64"))
    assert bands.tolist() == ["negative"] * 3 + ["neutral"] + ["positive"] * 3 + ["not_rated"]


def by_name(frame, name):
    return frame.set_index("name").loc[name]


def test_portfolio_now_on_the_story(story_db):
    with crm_core.connect(story_db) as db:
        table = crm_core.portfolio(db)
    acme = by_name(table, "Acme Turbines")
    assert acme["stage"] == "operational"
    assert acme["final_opinion"] == 0 and acme["rated_stages"] == 2   # +2 pre, -2 operational
    assert acme["responses"] == 2 and acme["last_response_on"] == "2025-02-20"
    assert acme["items_total"] == 5 and acme["coverage"] == 0         # nothing operational given
    assert by_name(table, "Borealis Rail")["final_opinion"] == -1
    cobalt = by_name(table, "Cobalt Mining")
    assert pd.isna(cobalt["final_opinion"]) and cobalt["responses"] == 0


@pytest.mark.parametrize("as_of, stage, final, responses, covered", [
    ("2025-02-15", "pre_deal", 1, 1, 2),
    ("2025-03-31", "pre_deal", 2, 2, 2),
    ("2025-04-30", "operational", 2, 2, 0),
    ("2025-05-10", "operational", 0, 2, 0),
])
def test_portfolio_as_of_shows_the_state_at_the_end_of_that_day(story_db, as_of, stage, final,
                                                                   responses, covered):
    with crm_core.connect(story_db) as db:
        acme = by_name(crm_core.portfolio(db, as_of=as_of), "Acme Turbines")
    assert (acme["stage"], acme["final_opinion"], acme["responses"], acme["items_covered"]) == (
        stage, final, responses, covered)


def test_portfolio_as_of_leaves_out_customers_not_yet_created(story_db):
    with crm_core.connect(story_db) as db:
        assert list(crm_core.portfolio(db, as_of="2025-02-01")["name"]) == ["Acme Turbines"]


def test_journey_shows_each_stage_contribution_and_gap(story_db):
    with crm_core.connect(story_db) as db:
        journey = crm_core.journey(db, 1)
    stages = journey.stages.set_index("stage")
    assert journey.current_stage == "operational" and journey.final_opinion == 0
    assert stages.loc["pre_deal", "coverage"] == 0.4
    assert stages.loc["pre_deal", "mean_quality"] == 3 and stages.loc["pre_deal", "mean_completeness"] == 2
    assert stages.loc["pre_deal", "response_score"] == -0.45
    assert stages.loc["pre_deal", "opinion"] == 2 and stages.loc["pre_deal", "gap"] == -2.45
    assert stages.loc["operational", "opinion"] == -2 and stages.loc["operational", "responses"] == 0
    assert not stages.loc["post_deal", "reached"]
    done = journey.checklist.set_index("item_key")
    assert done.loc["pre.data", "times"] == 2 and done.loc["pre.data", "last_on"] == "2025-02-20"
    assert not done.loc["pre.evaluations", "done"]
    assert list(journey.responses["items"].iloc[0]) == ["pre.data", "pre.technology"]


def test_score_history_gives_the_response_score_after_each_response_and_every_opinion(story_db):
    with crm_core.connect(story_db) as db:
        history = crm_core.score_history(crm_core.journey(db, 1))
    # 2025-02-01: 2 of 5 pre-deal items, quality 4, completeness 3:
    # 4 * (0.5*0.4 + 0.25*3/4 + 0.25*2/4) - 2 = 0.05; 2025-02-20 adds no item, means 3 and 2: -0.45
    assert list(history.itertuples(index=False, name=None)) == [
        ("operational", "2025-05-10", "opinion", -2.0),
        ("pre_deal", "2025-02-01", "response_score", 0.05),
        ("pre_deal", "2025-02-10", "opinion", 1.0),
        ("pre_deal", "2025-02-20", "response_score", -0.45),
        ("pre_deal", "2025-03-15", "opinion", 2.0),
    ]


def test_journey_as_of_hides_what_came_later(story_db):
    with crm_core.connect(story_db) as db:
        journey = crm_core.journey(db, 1, as_of="2025-02-15")
    assert journey.final_opinion == 1 and len(journey.responses) == 1 and len(journey.opinions) == 1
    assert journey.checklist.set_index("item_key").loc["pre.data", "last_on"] == "2025-02-01"


def test_journey_of_an_unknown_customer_is_none(story_db):
    with crm_core.connect(story_db) as db:
        assert crm_core.journey(db, 999) is None


def test_monthly_opinion_trend_gives_mean_and_spread_at_each_month_end(story_db):
    with crm_core.connect(story_db) as db:
        trend = crm_core.opinion_trend(db, as_of="2025-06-30").set_index("month")
    assert trend.loc["2025-02", "mean"] == 1 and trend.loc["2025-02", "rated"] == 1
    assert trend.loc["2025-03", "mean"] == 0.5 and trend.loc["2025-03", "std"] == 1.5   # +2 and -1
    assert trend.loc["2025-04", "mean"] == 0.5                                           # carried forward
    assert trend.loc["2025-05", "mean"] == -0.5 and trend.loc["2025-05", "std"] == 0.5  # 0 and -1
    assert trend.index[-1] == "2025-06"


def test_opinion_trend_by_stage_and_for_one_customer(story_db):
    with crm_core.connect(story_db) as db:
        by_stage = crm_core.opinion_trend(db, as_of="2025-05-31", by="stage")
        one = crm_core.opinion_trend(db, as_of="2025-05-31", customer_id=1).set_index("month")
        by_sector = crm_core.opinion_trend(db, as_of="2025-05-31", by="sector")
    pre = by_stage[by_stage["group"] == "pre_deal"].set_index("month")
    assert pre.loc["2025-05", "mean"] == 0.5 and pre.loc["2025-05", "rated"] == 2
    assert list(one["mean"]) == [1, 2, 2, 0]
    assert set(by_sector["group"]) == {"Energy", "Rail & transport"}


def test_quality_by_stage_and_mode(story_db):
    with crm_core.connect(story_db) as db:
        matrix = crm_core.quality_by_stage_mode(db).set_index(["stage", "mode"])
        before = crm_core.quality_by_stage_mode(db, as_of="2025-02-10")
    assert matrix.loc[("pre_deal", "phone"), "mean_quality"] == 4
    assert matrix.loc[("pre_deal", "email_fax"), "mean_completeness"] == 1
    assert list(before["mode"]) == ["phone"]


def test_checklist_coverage_grid_lists_every_item_for_customers_who_reached_the_stage(story_db):
    with crm_core.connect(story_db) as db:
        grid = crm_core.checklist_coverage(db, "pre_deal")
        operational = crm_core.checklist_coverage(db, "operational")
        energy = crm_core.checklist_coverage(db, "pre_deal", filters={"sector": "Energy"})
    assert len(grid) == 3 * 5
    assert grid["done"].sum() == 2
    assert set(operational["name"]) == {"Acme Turbines"}
    assert set(energy["name"]) == {"Acme Turbines"}
