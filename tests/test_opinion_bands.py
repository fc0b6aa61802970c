"""One band rule (crm_core.scores.opinion_band), in the same words, on the overview and on Outcomes."""

import re

import pandas as pd

import crm_core
from crm_core.catalogue import OPINION_BAND_LABELS

OVERVIEW, OUTCOMES = "app.py", "pages/10_Outcomes.py"


def test_a_minus_one_is_negative_everywhere():
    bands = crm_core.scores.opinion_band(pd.Series([-6, -1, 0, 1, 6, None], dtype=object))
    assert list(bands) == ["negative", "negative", "neutral", "positive", "positive", "not_rated"]


def test_the_overview_and_outcomes_put_every_customer_in_the_same_band(open_page, demo_db, chart_data):
    overview = open_page(OVERVIEW, demo_db)
    per_opinion = chart_data(overview.get("vega_lite_chart")[1])
    assert set(per_opinion.loc[per_opinion["final_opinion"] == -1, "tone"]) == {OPINION_BAND_LABELS["negative"]}
    assert set(per_opinion.loc[per_opinion["final_opinion"] == 0, "tone"]) == {OPINION_BAND_LABELS["neutral"]}
    on_overview = per_opinion.groupby("tone")["customers"].sum().to_dict()

    outcomes = open_page(OUTCOMES, demo_db)
    heads = [re.fullmatch(r"\*\*(.+)\*\* · (\d+) customers?", m.value) for m in outcomes.markdown]
    on_outcomes = {head[1]: int(head[2]) for head in heads if head}
    assert set(on_outcomes) == set(OPINION_BAND_LABELS.values())      # every band, ranges in its words
    rated = {label: count for label, count in on_outcomes.items() if label != OPINION_BAND_LABELS["not_rated"]}
    assert rated == {label: count for label, count in on_overview.items() if count}
