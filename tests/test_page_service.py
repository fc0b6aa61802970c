"""The service-and-promises page: the open cases, clock figures and promise
record drawn equal crm_core's; its forms open a case, stop a clock with the
matching checklist response and record promises, errors next to the field."""

import datetime as dt

import pandas as pd
import pytest
from fixtures import PASSWORD, TODAY, metrics, open_boxes, sign_in

import crm_core
from pages.common import fmt_pct

PAGE = "pages/8_Service_and_promises.py"
NOW = dt.datetime(2025, 8, 11, 13, 0)


@pytest.fixture
def service_db(story_db):
    """Acme in post-deal: one high case closed (reply 2.5 h, attention 10 h, repair 48 h),
    one critical case still open; one kept and one broken promise; Borealis' promise overdue."""
    with crm_core.connect(story_db) as db:
        crm_core.move_stage(db, 1, "post_deal", "2025-06-01", today=TODAY)
        a = crm_core.open_case(db, 1, "2025-07-01 08:00", "Pump vibrates", "high", now=NOW)
        for event, at in (("first_reply", "2025-07-01 10:30"), ("attention", "2025-07-01 18:00"),
                          ("repair", "2025-07-03 08:00"), ("close", "2025-07-03 09:00")):
            crm_core.log_case_event(db, a, event, at, expert="Team Atlas", now=NOW)
        crm_core.open_case(db, 1, "2025-08-10 09:00", "Turbine trips", "critical", now=NOW)
        kept = crm_core.record_promise(db, 1, "pre_deal", "2025-02-01", "date", "Delivery by June",
                                       due_on="2025-06-01", today=TODAY)
        crm_core.resolve_promise(db, kept, "kept", "2025-06-05", today=TODAY)
        broken = crm_core.record_promise(db, 1, "operational", "2025-04-10", "price", "Spares at list price",
                                         due_on="2025-05-01", today=TODAY)
        crm_core.resolve_promise(db, broken, "broken", "2025-04-25", today=TODAY)
        crm_core.record_promise(db, 2, "pre_deal", "2025-03-10", "training", "Operator course",
                                due_on="2025-04-01", today=TODAY)
    return story_db


def test_the_clock_figures_and_open_cases_equal_crm_core(open_page, service_db):
    page = open_page(PAGE, service_db)
    assert not page.exception and not page.error
    shown = metrics(page)
    assert shown["Open cases"] == "1" and shown["Open past target"] == "1"
    medians = (shown["Median first reply"], shown["Median attention"], shown["Median repair"])
    assert medians == ("2.5 h", "10 h", "2 days")     # from two days on a duration reads in days
    waiting = page.dataframe[0].value
    assert list(waiting["Fault"]) == ["Turbine trips"] and waiting["First reply"].iloc[0].startswith("🔴")
    compliance = page.dataframe[1].value.set_index("Priority")
    assert compliance.loc["High", "Attention"] == "0% (0/1)" and compliance.loc["High", "Repair"] == "100% (1/1)"


def test_the_promise_record_equals_crm_core(open_page, service_db):
    page = open_page(PAGE, service_db, tab="Promises")
    with crm_core.connect(service_db) as db:
        record = crm_core.promise_record(db).iloc[0]
    shown = metrics(page)
    assert shown["Kept"] == fmt_pct(record["kept_rate"]) == "50%"
    assert shown["Average slip"] == "−1 days" and shown["Overdue"] == "1"
    overdue = [d.value for d in page.dataframe if "Promise" in d.value.columns][0]
    assert list(overdue["Promise"]) == ["Operator course"]


def test_a_snapshot_shows_the_state_of_that_day(open_page, service_db):
    page = open_page(PAGE, service_db, as_of="2025-07-02")
    shown = metrics(page)
    assert shown["Open cases"] == "1" and shown["Median repair"] == "—"     # repaired on 3 July
    assert list(page.dataframe[0].value["Fault"]) == ["Pump vibrates"]


def test_logging_a_first_reply_also_logs_the_checklist_response(open_page, service_db):
    page = open_boxes(open_page(PAGE, service_db, customer="1"), "event_box")
    page.session_state["event_day"] = dt.date(2025, 8, 10)
    page.session_state["event_time"] = dt.time(9, 45)
    [b for b in page.button if b.label == "Save"][0].click().run()
    assert not page.exception and any("clock and the checklist agree" in s.value for s in page.success)
    with crm_core.connect(service_db) as db:
        case = crm_core.open_cases(db).iloc[0]
        given = crm_core.journey(db, 1).responses.iloc[-1]
    assert case["first_reply_at"] == "2025-08-10T09:45" and case["first_reply_hours"] == 0.75
    assert given["items"] == ["post.immediate_reply"] and given["responded_on"] == "2025-08-10"


def test_a_case_without_a_description_shows_the_error_next_to_it_and_keeps_the_input(open_page, service_db):
    page = open_boxes(open_page(PAGE, service_db, customer="2"), "case_box")
    page.session_state["case_priority"] = "high"
    [b for b in page.button if b.label == "Open the case"][0].click().run()
    assert [e.value for e in page.error] == ["Fault: must not be empty"]
    assert page.session_state["case_priority"] == "high"


def test_recording_a_promise_from_the_page(open_page, service_db):
    page = open_boxes(open_page(PAGE, service_db, customer="3", tab="Promises"), "promise_box")
    page.text_input(key="promise_what").input("Commissioning in March")
    page.session_state["promise_made"] = dt.date(2025, 7, 1)
    [b for b in page.button if b.label == "Record the promise"][0].click().run()
    assert not page.exception and not page.error
    with crm_core.connect(service_db) as db:
        found = crm_core.promise_list(db, customer_id=3)
    assert list(found["what"]) == ["Commissioning in March"] and found.iloc[0]["made_on"] == "2025-07-01"


def test_marking_a_promise_kept_offers_the_chosen_customers_open_promises_only(open_page, service_db):
    page = open_page(PAGE, service_db, tab="Promises")
    assert "resolve_promise" not in page.session_state                  # no customer: no form
    page = open_boxes(open_page(PAGE, service_db, customer="2", tab="Promises"), "resolve_box")
    assert page.selectbox(key="resolve_promise").options == ["Borealis Rail · Operator course"]
    page.session_state["resolve_day"] = dt.date(2025, 8, 1)
    [b for b in page.button if b.proto.form_id == "resolve"][0].click().run()
    assert not page.exception and not page.error
    with crm_core.connect(service_db) as db:
        record = crm_core.promise_record(db, by="customer").set_index("group")
    assert record.loc["Borealis Rail", "kept"] == 1 and record.loc["Borealis Rail", "overdue"] == 0


def test_a_table_cut_to_its_first_rows_says_how_many_there_are(open_page, service_db):
    with crm_core.connect(service_db) as db:
        for n in range(98):
            crm_core.record_promise(db, 2, "pre_deal", "2025-03-11", "other", f"Call back #{n}", today=TODAY)
    captions = [c.value for c in open_page(PAGE, service_db, tab="Promises").caption]
    # all promises (3 + 98) are cut; the one overdue promise and the one open case are shown whole
    assert [c for c in captions if c.startswith("Showing the first")] == ["Showing the first 100 of 101."]


def test_an_empty_database_gives_a_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception and "There are no customers yet." in page.info[0].value


def test_only_the_open_tab_is_built(open_page, service_db):
    clocks, promises = open_page(PAGE, service_db), open_page(PAGE, service_db, tab="Promises")
    assert "Open cases" in metrics(clocks) and "Kept" not in metrics(clocks)
    assert "Kept" in metrics(promises) and "Open cases" not in metrics(promises)


def test_a_closed_form_box_builds_none_of_its_widgets_and_one_click_builds_them(open_page, service_db):
    page = open_page(PAGE, service_db, customer="1")
    assert [box.label for box in page.main.expander] == [
        "Open a case", "Log a first reply, an expert assigned, a repair or the closing"]
    assert not page.main.button and not page.main.text_input
    page = open_boxes(page, "case_box")
    assert [b.label for b in page.main.button] == ["Open the case"] and page.text_input(key="case_description")


def test_no_case_yet_says_how_to_start(open_page, story_db):
    page = open_page(PAGE, story_db)
    assert any("No service case yet" in i.value for i in page.info)


def test_the_journey_shows_the_customers_cases_and_broken_promises(open_page, service_db):
    page = open_page("pages/1_Customer_journey.py", service_db, customer="1")
    assert not page.exception
    cases, found = page.table[0].value, page.table[1].value
    assert list(cases["Fault"]) == ["Turbine trips", "Pump vibrates"]       # the open one first
    assert cases["Attention"].iloc[1] == "🔴 10 h"
    assert list(found["Status"]) == ["Broken", "Kept"]                      # the newest first
    assert [w.value for w in page.warning] == [
        "Broken promise: Spares at list price (due 1 May 2025, broken 25 Apr 2025)"]


def test_a_viewer_sees_the_clocks_but_cannot_open_a_case(open_page, service_db):
    with crm_core.connect(service_db) as db:
        crm_core.add_user(db, "admin", PASSWORD, "admin")
        crm_core.add_user(db, "vera", PASSWORD, "viewer", author="admin")
    page = open_boxes(sign_in(open_page(PAGE, service_db, customer="1"), "vera", PASSWORD), "case_box")
    assert metrics(page)["Open cases"] == "1"
    page.text_input(key="case_description").input("Viewer tries to write")
    [b for b in page.button if b.label == "Open the case"][0].click().run()
    assert any("viewer" in e.value for e in page.error)
    with crm_core.connect(service_db) as db:
        assert len(crm_core.case_clocks(db)) == 2


def test_spare_prices_read_against_the_reference_and_the_running_month_is_left_out(open_page, service_db,
                                                                                   chart_data):
    with crm_core.connect(service_db) as db:
        case = int(crm_core.open_cases(db, now=NOW)["case_id"].iloc[0])
        crm_core.log_case_event(db, case, "repair", "2025-08-10 12:00", spare_quoted_price=113,
                                spare_reference_price=100, now=NOW)
        figures = crm_core.service_portfolio(db, "2025-08-20")
    page = open_page(PAGE, service_db, as_of="2025-08-20")
    assert metrics(page)["Quoted price, all spare parts"] == "+13% above reference"
    assert page.dataframe[2].value["Against the reference"].tolist() == ["+13% above reference"]
    # August 2025 is still running on the snapshot day: out of the trend, and said so.
    assert set(figures.trend.loc[figures.trend["partial"], "month"]) == {"2025-08"}
    plotted = chart_data(page.get("vega_lite_chart")[0])
    assert set(pd.to_datetime(plotted["month"]).dt.strftime("%Y-%m")) == {"2025-07"}
    assert any(c.value.startswith("Aug 2025 is left out until it ends") for c in page.caption)
