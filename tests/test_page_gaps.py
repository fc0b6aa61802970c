"""The checklist-gaps page: the URL picks stage, filters and snapshot; the bars, the
heatmap and the table show crm_core.checklist_gaps for that view."""

import crm_core
from pages.common import fmt_pct

PAGE = "pages/2_Checklist_gaps.py"


def metrics(page) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def test_bars_heatmap_and_table_equal_crm_core_on_the_demo(open_page, demo_db, chart_data):
    page = open_page(PAGE, demo_db)
    assert not page.exception and not page.error
    with crm_core.connect(demo_db) as db:
        gaps = crm_core.checklist_gaps(db, "operational", top=40)
    shown = metrics(page)
    assert shown["Customers at or past Operational"] == str(gaps.customers_total)
    assert shown["Customers with a gap"] == str(gaps.customers_with_gaps) != "0"
    assert shown["Most often missing"] == fmt_pct(gaps.items["missing_share"].iloc[0])
    bars, heatmap = (chart_data(chart) for chart in page.get("vega_lite_chart"))
    assert list(bars["item_key"]) == list(gaps.items["item_key"])     # most often missing first
    assert list(bars["missing"]) == list(gaps.items["missing"])
    assert set(heatmap["customer_id"]) == set(gaps.cells["customer_id"])
    assert (heatmap["status"] == "Missing").sum() == (~gaps.cells["done"]).sum()
    table = page.dataframe[0].value
    worst = gaps.customers[gaps.customers["missing"] > 0]
    assert list(table["name"]) == list(worst["name"].head(50))
    assert table["gaps"].iloc[0] == f"{worst['missing'].iloc[0]} of {worst['items_total'].iloc[0]}"
    assert table["journey"].iloc[0].startswith(f"/Customer_journey?lang=en&customer={worst['customer_id'].iloc[0]}")


def test_stage_and_hand_counted_gaps_on_the_story(open_page, story_db, chart_data):
    # Pre-deal was reached by all three; Acme gave pre.data and pre.technology, the others nothing.
    page = open_page(PAGE, story_db, stage="pre_deal")
    assert metrics(page) == {"Customers at or past Pre-deal": "3", "Customers with a gap": "3",
                             "Most often missing": "100%"}
    bars = chart_data(page.get("vega_lite_chart")[0]).set_index("item_key")["missing"]
    assert bars.to_dict() == {"pre.evaluations": 3, "pre.maintenance": 3, "pre.references": 3,
                              "pre.data": 2, "pre.technology": 2}
    assert list(page.dataframe[0].value["gaps"]) == ["5 of 5", "5 of 5", "3 of 5"]
    assert list(page.dataframe[0].value["name"]) == ["Borealis Rail", "Cobalt Mining", "Acme Turbines"]


def test_filters_in_the_url_select_the_customers_and_show_in_the_boxes(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        values = crm_core.filter_values(db)
        whole = crm_core.checklist_gaps(db, "pre_deal")
        sector = next(s for s in values["sector"]
                      if 0 < crm_core.checklist_gaps(db, "pre_deal", filters={"sector": [s]}).customers_total)
        region = crm_core.checklist_gaps(db, "pre_deal", filters={"sector": [sector]}).customers["region"].iloc[0]
        chosen = {"sector": [sector], "region": [region]}
        gaps = crm_core.checklist_gaps(db, "pre_deal", filters=chosen)
    page = open_page(PAGE, demo_db, stage="pre_deal", sector=sector, region=region)
    assert page.multiselect(key="sector").value == [sector]
    assert page.multiselect(key="region").value == [region]
    assert metrics(page)["Customers at or past Pre-deal"] == str(gaps.customers_total) != str(whole.customers_total)
    assert set(page.dataframe[0].value["region"]) == {region}
    assert set(page.dataframe[0].value["sector"]) == {sector}


def test_a_snapshot_day_shows_the_gaps_as_they_were(open_page, story_db):
    # On 2025-02-15 only Acme existed, with pre.data and pre.technology given.
    page = open_page(PAGE, story_db, stage="pre_deal", as_of="2025-02-15")
    assert metrics(page)["Customers at or past Pre-deal"] == "1"
    assert list(page.dataframe[0].value["gaps"]) == ["3 of 5"]
    # Before Acme's first response every item was missing.
    page = open_page(PAGE, story_db, stage="pre_deal", as_of="2025-01-31")
    assert list(page.dataframe[0].value["gaps"]) == ["5 of 5"]


def test_a_stage_nobody_reached_says_what_to_do(open_page, story_db):
    page = open_page(PAGE, story_db, stage="post_deal")
    assert not page.exception and not page.metric
    assert "had reached the Post-deal stage" in page.info[0].value


def test_an_empty_database_gives_a_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception
    assert "There are no customers yet" in page.info[0].value
