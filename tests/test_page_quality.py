"""The response-quality page: the URL picks stage, period start and snapshot; the mode
figures, the stage x mode matrix, the trend and the weakest responses are crm_core's."""

import crm_core
from pages.common import fmt_number

PAGE = "pages/4_Response_quality.py"


def metrics(page) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def expected_metrics(by_mode) -> dict[str, str]:
    return {f"{crm_core.MODE_LABELS[row.mode]}: quality · completeness": "—" if not row.responses else
            f"{fmt_number(row.mean_quality)} · {fmt_number(row.mean_completeness)}" for row in by_mode.itertuples()}


def test_modes_matrix_trend_and_weakest_equal_crm_core_on_the_demo(open_page, demo_db, chart_data):
    page = open_page(PAGE, demo_db)
    assert not page.exception and not page.error
    with crm_core.connect(demo_db) as db:
        since = crm_core.default_since(None)
        by_mode = crm_core.quality_by_mode(db, since=since)
        matrix = crm_core.quality_by_stage_mode(db, since=since)
        trend = crm_core.quality_trend(db)
        weakest = crm_core.weakest_responses(db, since=since)
    assert metrics(page) == expected_metrics(by_mode)
    assert [c.value for c in page.caption if c.value.endswith("responses")] == [
        f"{n:,} responses" for n in by_mode["responses"]]
    quality, completeness, quality_trend, _ = (chart_data(c) for c in page.get("vega_lite_chart"))
    key = ["stage", "mode"]
    for shown, measure in ((quality, "mean_quality"), (completeness, "mean_completeness")):
        merged = matrix.merge(shown, on=key, suffixes=("", "_shown"))
        assert len(merged) == len(matrix) > 0
        assert (merged[measure] == merged[f"{measure}_shown"]).all()
        assert (merged["responses"] == merged["responses_shown"]).all()
    assert len(quality_trend) == len(trend) and quality_trend["responses"].sum() == trend["responses"].sum()
    table = page.dataframe[0].value
    assert list(table["summary"]) == list(weakest["summary"])
    assert list(table["quality"]) == list(weakest["quality"])


def test_stage_and_since_in_the_url_narrow_every_figure(open_page, demo_db, chart_data):
    with crm_core.connect(demo_db) as db:
        by_mode = crm_core.quality_by_mode(db, since="2026-01-01", stage="post_deal")
        everything = crm_core.quality_by_mode(db, since="2026-01-01")
        weakest = crm_core.weakest_responses(db, since="2026-01-01", stage="post_deal")
    page = open_page(PAGE, demo_db, stage="post_deal", since="2026-01-01")
    assert page.date_input(key="since").value.isoformat() == "2026-01-01"
    assert metrics(page) == expected_metrics(by_mode) != expected_metrics(everything)
    assert set(chart_data(page.get("vega_lite_chart")[0])["stage"]) == {"post_deal"}
    assert set(page.dataframe[0].value["stage_label"]) == {"Post-deal"}
    assert list(page.dataframe[0].value["summary"]) == list(weakest["summary"])


def test_a_snapshot_day_counts_only_the_responses_made_by_then(open_page, story_db):
    # Acme: a phone response (q4 c3) on 2025-02-01, an email one (q2 c1) on 2025-02-20.
    page = open_page(PAGE, story_db, since="2025-01-01", as_of="2025-02-10")
    phone, email = f"{fmt_number(4)} · {fmt_number(3)}", f"{fmt_number(2)} · {fmt_number(1)}"
    cards = [f"{mode}: quality · completeness" for mode in ("Face to face", "Phone", "Email / fax")]
    assert metrics(page) == dict(zip(cards, ["—", phone, "—"]))
    assert list(page.dataframe[0].value["summary"]) == ["Data pack"]
    page = open_page(PAGE, story_db, since="2025-01-01", as_of="2025-02-28")
    assert metrics(page) == dict(zip(cards, ["—", phone, email]))
    assert list(page.dataframe[0].value["summary"]) == ["Late update", "Data pack"]   # weakest first


def test_an_empty_database_or_period_says_what_to_do(open_page, empty_db, story_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception and "There are no customers yet" in page.info[0].value
    page = open_page(PAGE, story_db)    # the story's responses are older than three months
    assert not page.exception and not page.dataframe
    assert "No response was logged in this period" in page.info[0].value
