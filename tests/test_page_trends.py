"""The opinion-trends page: the URL picks the tab, the split, the filters, the period and
the snapshot; the monthly trend, the movers and the self-assessment gap are crm_core's."""

import pandas as pd

import crm_core
from pages.common import fmt_opinion

PAGE = "pages/3_Opinion_trends.py"


def plotted(page, chart_data, index: int = 0) -> pd.DataFrame:
    return chart_data(page.get("vega_lite_chart")[index])


def test_the_monthly_trend_equals_crm_core_on_the_demo(open_page, demo_db, chart_data):
    page = open_page(PAGE, demo_db)
    assert not page.exception and not page.error
    with crm_core.connect(demo_db) as db:
        trend = crm_core.opinion_trend(db)
    shown = plotted(page, chart_data)
    assert list(shown["month"]) == list(trend["month"])
    assert list(shown["mean"]) == list(trend["mean"]) and list(shown["std"]) == list(trend["std"])


def test_the_split_in_the_url_draws_one_series_per_group(open_page, demo_db, chart_data):
    with crm_core.connect(demo_db) as db:
        trend = crm_core.opinion_trend(db, by="account_manager")
    page = open_page(PAGE, demo_db, by="account_manager")
    shown = plotted(page, chart_data)
    assert sorted(shown["group"].unique()) == sorted(trend["group"].unique())
    assert shown.groupby("group")["mean"].last().to_dict() == trend.groupby("group")["mean"].last().to_dict()


def test_hand_computed_trend_with_a_snapshot_and_a_filter(open_page, story_db, chart_data):
    # Feb: Acme +1. Mar-Apr: Acme +2, Borealis -1. May: Acme's operational -2 makes it 0.
    page = open_page(PAGE, story_db, as_of="2025-06-30")
    assert list(plotted(page, chart_data)["mean"]) == [1.0, 0.5, 0.5, -0.5, -0.5]
    assert list(plotted(page, chart_data)["std"]) == [0.0, 1.5, 1.5, 0.5, 0.5]
    page = open_page(PAGE, story_db, as_of="2025-04-30")
    assert list(plotted(page, chart_data)["month"]) == ["2025-02", "2025-03", "2025-04"]
    page = open_page(PAGE, story_db, as_of="2025-06-30", sector="Energy")   # Acme alone
    assert page.multiselect(key="sector").value == ["Energy"]
    assert list(plotted(page, chart_data)["mean"]) == [1.0, 2.0, 2.0, 0.0, 0.0]


def test_the_movers_tab_lists_who_moved_in_the_period(open_page, story_db):
    # Between 2025-05-01 and 2025-05-31 Acme fell from +2 to 0; Borealis stayed at -1.
    page = open_page(PAGE, story_db, view="Movers", period="30", as_of="2025-05-31")
    assert page.number_input(key="period").value == 30
    movers = page.dataframe[0].value
    assert list(movers["name"]) == ["Acme Turbines"]
    assert (movers["change_text"].iloc[0], movers["start_text"].iloc[0], movers["end_text"].iloc[0]) == (
        fmt_opinion(-2), fmt_opinion(2), fmt_opinion(0))
    page = open_page(PAGE, story_db, view="Movers", period="30", as_of="2025-04-30")
    assert not page.dataframe and "No customer's final opinion changed" in page.info[0].value


def test_the_movers_equal_crm_core_with_filters_on_the_demo(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        region = crm_core.filter_values(db)["region"][0]
        movers = crm_core.biggest_movers(db, "2026-09-30", period_days=365, filters={"region": [region]},
                                         limit=20)
    assert len(movers) > 0
    page = open_page(PAGE, demo_db, view="Movers", period="365", as_of="2026-09-30", region=region)
    shown = page.dataframe[0].value
    assert list(shown["name"]) == list(movers["name"])
    assert list(shown["change_text"]) == [fmt_opinion(c) for c in movers["change"]]


def test_the_self_assessment_tab_shows_crm_cores_gap(open_page, story_db, chart_data):
    # Acme's pre-deal delivery scores -0.45 against opinions of +1 (Feb) and a mean of +0.5 (Mar).
    page = open_page(PAGE, story_db, view="Self-assessment", as_of="2025-03-31")
    with crm_core.connect(story_db) as db:
        expected = crm_core.self_assessment_trend(db, "2025-03-31").dropna(subset=["gap"])
    gap = plotted(page, chart_data, 1)
    assert list(gap["gap"]) == list(expected["gap"]) == [-1.45, -0.95]
    assert not page.caption or all("filters apply" not in c.value for c in page.caption)
    page = open_page(PAGE, story_db, view="Self-assessment", as_of="2025-03-31", sector="Energy")
    assert any("filters apply to the Trend and Movers" in c.value for c in page.caption)


def test_an_empty_database_gives_a_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception
    assert "There are no customers yet" in page.info[0].value
