"""A typed date is what is saved: a future day is refused by crm_core, with the message next
to the field, the typed day kept on screen and nothing saved (the entry forms no longer cap
the date box, which made the box show the typed day and save today's)."""

import datetime as dt

import pytest

import crm_core
from crm_core import i18n
from fixtures import TODAY, count

LOG_PAGE = "pages/5_Log_response.py"


def tomorrow() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)


def refusal(field: str, day: dt.date) -> str:
    """The message the page shows next to the date field ``field`` for the future ``day``."""
    return f"{field}: {i18n.format_date(day, 'en')} is in the future"


def rows(location, table: str) -> int:
    with crm_core.connect(location) as db:
        return count(db, table)


@pytest.mark.parametrize("write", ["response", "opinion", "stage", "customer"])
def test_crm_core_refuses_a_future_day_naming_the_field(story_db, write):
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    calls = {
        "response": lambda db: crm_core.log_response(db, 1, "operational", future, "phone", [], 3, 3, "Call",
                                                     "Ana", today=TODAY),
        "opinion": lambda db: crm_core.record_opinion(db, 1, "operational", future, 1, today=TODAY),
        "stage": lambda db: crm_core.move_stage(db, 1, "post_deal", future, today=TODAY),
        "customer": lambda db: crm_core.add_customer(db, {"name": "Delta Hydro", "created_on": future},
                                                     today=TODAY),
    }
    fields = {"response": "responded_on", "opinion": "opinion_on", "stage": "entered_on", "customer": "created_on"}
    with crm_core.connect(story_db) as db:
        before = crm_core.change_count(story_db)
        with pytest.raises(crm_core.ValidationError) as refused:
            calls[write](db)
    assert refused.value.field == fields[write]
    assert refused.value.message == f"{future} is in the future"
    assert crm_core.change_count(story_db) == before


def test_a_future_response_date_is_refused_next_to_the_field_and_nothing_is_saved(open_page, story_db):
    page = open_page(LOG_PAGE, story_db, customer="1")
    page.text_input(key="author").input("Ana").run()
    page.date_input(key="response_date").set_value(tomorrow())
    page.session_state["response_items"] = ["ops.delays"]
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 5
    page.text_input(key="response_summary").input("Recovery plan")
    page.button[0].click().run()
    assert [e.value for e in page.error] == [refusal("Date", tomorrow())]
    assert page.date_input(key="response_date").value == tomorrow()      # the screen keeps what was typed
    assert page.text_input(key="response_summary").value == "Recovery plan"
    assert not page.success
    assert rows(story_db, "responses") == 2


def test_a_future_opinion_or_stage_date_is_refused_on_the_page(open_page, story_db):
    page = open_page(LOG_PAGE, story_db, customer="2")
    page.session_state["opinion_score"] = 2
    page.date_input(key="opinion_date").set_value(tomorrow())
    page.button[1].click().run()
    assert [e.value for e in page.error] == [refusal("Date", tomorrow())]
    page.date_input(key="stage_date").set_value(tomorrow())
    page.button[2].click().run()
    assert refusal("Entered on", tomorrow()) in [e.value for e in page.error]
    with crm_core.connect(story_db) as db:
        borealis = crm_core.journey(db, 2)
    assert borealis.current_stage == "pre_deal" and list(borealis.opinions["score"]) == [-1]


def test_a_new_customer_since_a_future_day_is_refused_next_to_the_field(open_page, story_db):
    page = open_page("pages/6_Customers.py", story_db)
    page.text_input(key="customer:0:name").input("Delta Hydro")
    page.date_input(key="customer:0:created_on").set_value(tomorrow())
    page.button[0].click().run()
    assert [e.value for e in page.error] == [refusal("Customer since", tomorrow())]
    assert page.date_input(key="customer:0:created_on").value == tomorrow()
    assert rows(story_db, "customers") == 3
