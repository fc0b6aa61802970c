"""Finding a customer: the list on the Customers page (filters and sort in the URL, search
by name, each row opens the journey, CSV of the rows shown), the search box in every page's
sidebar, and the journey opened without a customer offering recent and at-risk customers."""

import csv
import io

import crm_core
from crm_core import risk

PAGE = "pages/6_Customers.py"


def listed(page) -> list[str]:
    """The customer names of the list, in its order."""
    table = next(d for d in page.dataframe if "Customer" in d.value.columns)
    return table.value["Customer"].tolist()


def test_the_list_shows_every_customer_by_name_with_a_link_to_each_journey(open_page, story_db):
    page = open_page(PAGE, story_db)
    assert not page.exception
    assert listed(page) == ["Acme Turbines", "Borealis Rail", "Cobalt Mining"]
    table = page.dataframe[0].value
    assert table.loc[table["Customer"] == "Borealis Rail", "journey"].iloc[0].endswith("customer=2")
    assert table.loc[table["Customer"] == "Acme Turbines", "Stage"].iloc[0] == "Operational"


def test_filters_and_search_narrow_the_list_and_stay_in_the_link(open_page, story_db):
    page = open_page(PAGE, story_db)
    page.multiselect(key="region").select("Iberia").run()
    assert listed(page) == ["Acme Turbines", "Cobalt Mining"]
    page.multiselect(key="stage:").select("pre_deal").run()
    assert listed(page) == ["Cobalt Mining"]
    page = open_page(PAGE, story_db, region="Iberia", stage="pre_deal")    # the same view from its link
    assert listed(page) == ["Cobalt Mining"]
    page = open_page(PAGE, story_db, q="BOREAL")
    assert listed(page) == ["Borealis Rail"]
    page = open_page(PAGE, story_db, account_manager="Ana", sector="Mining")
    assert listed(page) == ["Cobalt Mining"]
    page = open_page(PAGE, story_db, q="no such name")
    assert "No customer matches these filters." in [i.value for i in page.info]


def test_the_list_sorts_by_final_opinion_and_keeps_the_at_risk_ones(open_page, story_db):
    page = open_page(PAGE, story_db, sort="final_opinion")
    assert listed(page) == ["Borealis Rail", "Acme Turbines", "Cobalt Mining"]   # -1, 0, not rated
    with crm_core.connect(story_db) as db:
        risky = set(crm_core.at_risk(db, "2025-06-30", risk.DEFAULT_PERIOD)["name"])
    page = open_page(PAGE, story_db, at_risk="true", as_of="2025-06-30")
    assert not page.exception and set(listed(page)) == risky


def test_the_customer_list_read_filters_searches_and_sorts(story_db):
    with crm_core.connect(story_db) as db:
        everyone = crm_core.customer_list(db, sort="last_response")
        pre_deal = crm_core.customer_list(db, stages=["pre_deal"], search="  cobalt ")
        found, total = crm_core.find_customers(db, "r")
        none, nobody = crm_core.find_customers(db, "   ")
    assert everyone["name"].tolist() == ["Acme Turbines", "Borealis Rail", "Cobalt Mining"]
    assert pre_deal["name"].tolist() == ["Cobalt Mining"]
    assert (found["name"].tolist(), total) == (["Acme Turbines", "Borealis Rail"], 2)
    assert (none.empty, nobody) == (True, 0)


def test_the_sidebar_search_links_each_match_to_its_journey(open_page, story_db):
    page = open_page("app.py", story_db, as_of="2025-06-30")
    page.sidebar.text_input(key="find_customer").input("rail").run()
    links = [(link.proto.label, link.proto.query_string) for link in page.sidebar.page_link
             if link.proto.page == "Customer_journey" and "customer=" in link.proto.query_string]
    assert [label for label, _query in links] == ["Borealis Rail"]
    assert "customer=2" in links[0][1] and "as_of=2025-06-30" in links[0][1]
    page.sidebar.text_input(key="find_customer").input("zzz").run()
    assert "No customer name contains “zzz”." in [c.value for c in page.sidebar.caption]


def test_the_journey_without_a_customer_offers_recent_and_at_risk_ones(open_page, story_db):
    page = open_page("pages/1_Customer_journey.py", story_db)
    assert not page.exception
    recent = page.dataframe[0].value
    assert recent["Customer"].iloc[0] == "Acme Turbines"      # the only one with a response
    assert recent["journey"].iloc[0].endswith("customer=1")
    assert {"Recently in touch", "At risk"} <= {h.value for h in page.subheader}


def test_the_suggested_customers_are_the_list_sorted_by_last_response_and_by_risk(demo_db):
    with crm_core.connect(demo_db) as db:
        recent, risky = crm_core.suggested_customers(db, limit=5)
        by_response = crm_core.customer_list(db, sort="last_response").head(5)
        by_risk = crm_core.customer_list(db, at_risk_only=True, sort="risk").head(5)
        listed_risk = risk.at_risk(db)
    assert recent["customer_id"].tolist() == by_response["customer_id"].tolist()
    assert risky["customer_id"].tolist() == by_risk["customer_id"].tolist()
    assert len(risky) == 5 and risky["at_risk"].all()
    # The severities the list carries are the at-risk list's own.
    severity = listed_risk.set_index("customer_id")["severity"]
    assert risky["severity"].tolist() == [int(severity[c]) for c in risky["customer_id"]]


def test_the_customers_csv_holds_every_listed_customer_with_its_at_risk_reasons(open_page, story_db,
                                                                                 deferred_downloads):
    page = open_page(PAGE, story_db, as_of="2025-06-30")
    assert not page.exception
    rows = list(csv.DictReader(io.StringIO(deferred_downloads["customers.csv"]().decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == listed(page)
    reasons = {row["name"]: row["at_risk_reasons"] for row in rows}
    assert reasons["Acme Turbines"] == "falling_opinion missing_responses silent"
    assert reasons["Cobalt Mining"] == "" and "reasons" not in rows[0]
