"""The overview page: KPIs and the at-risk list equal crm_core's figures for the URL's view."""


import re

from fixtures import metrics

import crm_core
from pages.common import fmt_opinion

PAGE = "app.py"


def test_kpis_equal_crm_core_on_the_demo(open_page, demo_db):
    page = open_page(PAGE, demo_db)
    assert not page.exception and not page.error
    with crm_core.connect(demo_db) as db:
        figures, risky = crm_core.overview(db, None, 90)
    shown = metrics(page)
    assert shown["Customers"] == str(figures.customers)
    assert shown["Average final opinion"] == fmt_opinion(figures.mean_final_opinion)
    acting = risky[risky["act_now"]]
    assert shown["Act now"] == str(figures.at_risk) == str(len(acting)) and len(acting) > 0
    assert len(page.dataframe) == 1          # the watch list is built only once opened
    page.session_state["watch_list:open"] = True
    page.run()
    table, watched = page.dataframe[0].value, page.dataframe[1].value
    assert list(table["name"]) == list(acting["name"])
    assert list(watched["name"]) == list(risky.loc[~risky["act_now"], "name"])
    assert list(table["severity"]) == list(acting["severity"])
    first = acting.iloc[0]
    assert table["parts"].iloc[0] == f"opinion {first['depth']} + fall {first['fall']} + signs {first['signals']}"
    assert table["journey"].iloc[0] == f"/Customer_journey?lang=en&customer={risky['customer_id'].iloc[0]}"


def test_the_url_sets_period_filters_and_snapshot(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        region = crm_core.filter_values(db)["region"][0]
        figures, risky = crm_core.overview(db, "2026-03-31", 180, filters={"region": [region]})
        now, _ = crm_core.overview(db, None, 90)
    page = open_page(PAGE, demo_db, period="180", region=region, as_of="2026-03-31")
    shown = metrics(page)
    assert shown["Customers"] == str(figures.customers) != str(now.customers)
    assert shown["Act now"] == str(figures.at_risk)
    # the journey links keep the snapshot day
    links = page.dataframe[0].value["journey"]
    assert all("as_of=2026-03-31" in link for link in links)


def test_selecting_an_at_risk_row_opens_that_journey(open_page, demo_db):
    page = open_page(PAGE, demo_db, as_of="2026-09-30")
    with crm_core.connect(demo_db) as db:
        _, risky = crm_core.overview(db, "2026-09-30", 90)
    assert risky["act_now"].iloc[1]       # the second row of the first table, "Act now"
    page.session_state["at_risk"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    page.run()
    assert page.query_params["customer"] == str(risky["customer_id"].iloc[1])
    assert page.query_params["as_of"] == "2026-09-30"


def test_selecting_a_row_to_watch_opens_that_journey(open_page, demo_db):
    page = open_page(PAGE, demo_db, as_of="2026-09-30")
    with crm_core.connect(demo_db) as db:
        _, risky = crm_core.overview(db, "2026-09-30", 90)
    acting = int(risky["act_now"].sum())
    page.session_state["watch_list:open"] = True
    page.session_state["watch"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    page.run()
    assert page.query_params["customer"] == str(risky["customer_id"].iloc[acting + 2])


def test_a_long_list_shows_its_most_severe_rows_and_says_how_many_it_leaves_out(open_page, demo_db, monkeypatch):
    import pages.common.overview
    monkeypatch.setattr(pages.common.overview, "SHOWN", 3)
    page = open_page(PAGE, demo_db)
    page.session_state["watch_list:open"] = True
    page.run()
    with crm_core.connect(demo_db) as db:
        _, risky = crm_core.overview(db, None, 90)
    acting = risky[risky["act_now"]]
    table, watched = page.dataframe[0].value, page.dataframe[1].value
    assert list(table["name"]) == list(acting["name"].head(3))
    assert list(watched["name"]) == list(risky.loc[~risky["act_now"], "name"].head(3))
    assert {c.value for c in page.caption} >= {
        f"The 3 most severe of {len(acting)}; the CSV below holds them all.",
        f"The 3 most severe of {len(risky) - len(acting)}; the CSV below holds them all."}


def test_an_empty_database_gives_a_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception
    assert "There are no customers yet." in page.info[0].value


def test_garbage_in_the_url_is_not_a_traceback(open_page, demo_db):
    page = open_page(PAGE, demo_db, period="<script>", region="Atlantis", as_of="2099-01-01")
    assert not page.exception
    with crm_core.connect(demo_db) as db:
        figures, _ = crm_core.overview(db, None, 90)
    assert page.metric[0].value == str(figures.customers)   # unknown values fall back to the default view
    assert any("not a past date" in warning.value for warning in page.warning)


def test_no_minus_zero_on_the_overview_and_outcomes(open_page, demo_db, chart_data):
    from crm_core import i18n

    assert (i18n.format_number(-0.05, "en", 1, sign=True), i18n.format_money(-0.4, "fr", "EUR", compact=True)) == \
        ("0", "0\xa0€")
    minus_zero = re.compile(r"−0(?![\d.,])")
    for page_file in (PAGE, "pages/10_Outcomes.py"):
        page = open_page(page_file, demo_db)
        shown = [m.value for m in page.metric] + [c.value for c in page.caption] + [m.value for m in page.markdown]
        shown += [str(cell) for table in page.dataframe for cell in table.value.to_numpy().ravel()]
        shown += [str(cell) for chart in page.get("vega_lite_chart") for cell in chart_data(chart).to_numpy().ravel()]
        assert not [text for text in shown if minus_zero.search(text)], page_file
