"""The outcomes page: figures, the opinion-band breakdown and the cost-beside-revenue
table equal crm_core's; the entry form records an outcome or names the field.
The outcomes are those of tests/test_outcomes.py."""

import datetime as dt

import pytest

from fixtures import metrics, open_boxes

import crm_core
from crm_core import i18n
from pages.common import fmt_money, fmt_number

PAGE = "pages/10_Outcomes.py"


def test_the_figures_equal_crm_core(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db)
    assert not page.exception and not page.error
    shown = metrics(page)
    assert (shown["Additional sales"], shown["Acquisition cost"], shown["Sales ÷ cost"]) == \
        ("€80K", "€30K", "2.7×")
    assert {"€80,000", "€30,000"} <= {c.value for c in page.caption}     # the exact amounts under the cards
    assert (shown["Referrals given"], shown["Referrals lost"]) == ("2", "1")
    table = page.dataframe[0].value
    assert list(table["Customer or sector"]) == ["Acme Turbines", "Cobalt Mining", "Borealis Rail"]
    assert list(table["Sales ÷ cost"]) == ["2.5×", "3×", "—"]


def test_the_opinion_bands_are_spelled_out_for_a_manager(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db)
    with crm_core.connect(outcomes_db) as db:
        bands = crm_core.outcomes_by_opinion(db).set_index("band")
    captions = [c.value for c in page.caption]
    positive = fmt_money(bands.loc["positive", "revenue_per_customer"])
    assert f"{positive} of additional sales per customer (1 sales) · 1 referrals given · 0 lost" in captions
    assert any(m.value.startswith("**Negative (−6 … −1)** · 1 customer") for m in page.markdown)


def test_per_sector_and_snapshot_come_from_the_url(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db, by="sector", as_of="2025-08-15")
    table = page.dataframe[0].value.set_index("Customer or sector")
    assert table.loc["Energy", "Sales amount"] == "€50,000" and table.loc["Mining", "Sales amount"] == "€0"
    assert metrics(page)["Additional sales"] == "€50K"


def test_recording_an_outcome_and_a_missing_amount(open_page, outcomes_db):
    page = open_boxes(open_page(PAGE, outcomes_db, customer="2"), "outcome_box")
    [b for b in page.button if b.label == "Record the outcome"][0].click().run()
    assert [e.value for e in page.error] == ["Amount: an additional sale needs its amount"]
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


def test_the_charts_plot_crm_core_figures(open_page, outcomes_db, chart_data):
    page = open_page(PAGE, outcomes_db)
    with crm_core.connect(outcomes_db) as db:
        bands = crm_core.outcomes_by_opinion(db).set_index("band")
    per_band, returns = (chart_data(chart) for chart in page.get("vega_lite_chart"))
    sales = per_band[per_band["measure"] == "additional_sales_per_customer"].set_index("band")
    assert sales["value"].to_dict() == bands["additional_sales_per_customer"].dropna().to_dict()
    assert sales.loc["positive", "value_text"] == fmt_number(bands.loc["positive", "additional_sales_per_customer"], 2)
    plotted = returns.pivot(index="group", columns="measure", values="value")
    assert plotted["revenue"].to_dict() == {"Acme Turbines": 50000, "Cobalt Mining": 30000, "Borealis Rail": 0}
    assert plotted["acquisition_cost"].to_dict() == {"Acme Turbines": 20000, "Cobalt Mining": 10000,
                                                     "Borealis Rail": 0}


def test_the_latest_outcomes_are_spelled_out_newest_first(open_page, outcomes_db):
    table = open_page(PAGE, outcomes_db).dataframe[1].value
    assert table.iloc[0].tolist() == ["5 Oct 2025", "Cobalt Mining", "Referral given", "—", "Fjord Metro", ""]
    assert table.iloc[1][["Outcome", "Amount"]].tolist() == ["Additional sale", "€30,000"]


def test_tables_and_charts_are_built_once_until_an_outcome_is_recorded(open_page, outcomes_db, monkeypatch):
    import functools

    import pages.common.outcomes
    built = []

    def counted(name):
        original = getattr(pages.common.outcomes, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            built.append(name)
            return original(*args, **kwargs)
        monkeypatch.setattr(pages.common.outcomes, name, wrapper)

    shown = ["bands_chart", "outcomes_table", "returns_chart", "returns_table"]
    for name in shown:
        counted(name)
    page = open_page(PAGE, outcomes_db)
    assert sorted(built) == shown
    page.run()
    assert sorted(built) == shown                      # warm: tables and specs from the cache
    with crm_core.connect(outcomes_db) as db:
        crm_core.record_outcome(db, 2, "additional_sale", "2025-11-01", amount=12000)
    page.run()
    assert sorted(built) == sorted(shown * 2)          # the write changed the counter in the key
    table = page.dataframe[0].value.set_index("Customer or sector")
    assert table.loc["Borealis Rail", "Sales amount"] == "€12,000"
    assert page.dataframe[1].value.iloc[0][["Customer", "Amount"]].tolist() == ["Borealis Rail", "€12,000"]


def test_the_tables_follow_the_language(open_page, outcomes_db):
    page = open_page(PAGE, outcomes_db, lang="fr")
    table = page.dataframe[0].value.set_index("Client ou secteur")
    assert table.loc["Acme Turbines", "Montant des ventes"] == i18n.format_money(50000, "fr", "EUR")
    assert i18n.format_money(50000, "fr", "EUR") == "50\u202f000\xa0€"


@pytest.mark.parametrize("set_by", ["server", "admin"])
def test_the_currency_is_shown_on_every_amount(open_page, outcomes_db, chart_data, monkeypatch, set_by):
    """The server's ``CRM_CURRENCY``, or the admin's choice for the team, which wins over it."""
    monkeypatch.setenv("CRM_CURRENCY", "usd" if set_by == "server" else "gbp")
    if set_by == "admin":
        with crm_core.connect(outcomes_db) as db:
            crm_core.outcomes.set_currency(db, "USD")
    page = open_boxes(open_page(PAGE, outcomes_db, customer="1"), "outcome_box")
    shown = metrics(page)
    assert (shown["Additional sales"], shown["Acquisition cost"]) == ("US$80K", "US$30K")
    assert {"US$80,000", "US$30,000"} <= {c.value for c in page.caption}
    assert any(c.value.startswith("US$") and "of additional sales per customer" in c.value for c in page.caption)
    returns, latest = page.dataframe[0].value, page.dataframe[1].value
    for amounts in (returns["Acquisition cost"], returns["Sales amount"], latest["Amount"]):
        assert all(text.startswith("US$") for text in amounts if text != "—") and (amounts != "—").any()
    _per_band, plotted = (chart_data(chart) for chart in page.get("vega_lite_chart"))
    assert plotted["value_text"].str.startswith("US$").all()
    spec = page.get("vega_lite_chart")[1].proto.spec
    assert '"Amount (USD)"' in spec
    assert page.number_input(key="outcome_amount").label == "Amount of the additional sale (USD)"
