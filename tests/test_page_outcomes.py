"""The outcomes page: figures, the opinion-band breakdown and the cost-beside-revenue
table equal crm_core's; the entry form records an outcome or names the field.
The outcomes are those of tests/test_outcomes.py."""

import datetime as dt

import crm_core
from pages.common import fmt_number
from test_outcomes import outcomes_db  # noqa: F401  (the same hand-made outcomes)
from test_page_overview import metrics

PAGE = "pages/10_Outcomes.py"


def test_the_figures_equal_crm_core(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db)
    assert not page.exception and not page.error
    shown = metrics(page)
    assert (shown["Additional sales"], shown["Acquisition cost"], shown["Sales ÷ acquisition cost"]) == \
        ("80,000", "30,000", "2.67")
    assert (shown["Referrals given"], shown["Referrals lost"]) == ("2", "1")
    table = page.dataframe[0].value
    assert list(table["Customer or sector"]) == ["Acme Turbines", "Cobalt Mining", "Borealis Rail"]
    assert list(table["Sales ÷ cost"]) == ["2.5", "3", "—"]


def test_the_opinion_bands_are_spelled_out_for_a_manager(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db)
    with crm_core.connect(outcomes_db) as db:
        bands = crm_core.outcomes_by_opinion(db).set_index("band")
    captions = [c.value for c in page.caption]
    positive = fmt_number(bands.loc["positive", "revenue_per_customer"], 0)
    assert f"{positive} in additional sales per customer · 1 referrals given · 0 lost" in captions
    assert any(m.value.startswith("**Negative (−6 … −2)** · 1 customer") for m in page.markdown)


def test_per_sector_and_snapshot_come_from_the_url(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db, by="sector", as_of="2025-08-15")
    table = page.dataframe[0].value.set_index("Customer or sector")
    assert table.loc["Energy", "Sales amount"] == "50,000" and table.loc["Mining", "Sales amount"] == "0"
    assert metrics(page)["Additional sales"] == "50,000"


def test_recording_an_outcome_and_a_missing_amount(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db, customer="2")
    [b for b in page.button if b.label == "Record the outcome"][0].click().run()
    assert [e.value for e in page.error] == ["an additional sale needs its amount"]
    page.session_state["outcome_amount"] = 12000.0
    page.session_state["outcome_day"] = dt.date(2025, 9, 1)
    [b for b in page.button if b.label == "Record the outcome"][0].click().run()
    assert not page.error
    with crm_core.connect(outcomes_db) as db:
        found = crm_core.outcome_list(db, customer_id=2)
    assert found.iloc[0][["kind", "on_date", "amount"]].tolist() == ["additional_sale", "2025-09-01", 12000.0]


def test_an_empty_database_and_no_outcome_give_a_next_step(open_page, empty_db, story_db):
    assert "There are no customers yet." in open_page(PAGE, empty_db).info[0].value
    assert any("No outcome recorded yet" in i.value for i in open_page(PAGE, story_db).info)
