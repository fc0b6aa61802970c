"""The journey page: the URL picks customer and snapshot; responses and opinions are
edited or deleted from it, and the last change is undone in one click."""


import crm_core
from pages.common import fmt_opinion

PAGE = "pages/1_Customer_journey.py"


def metrics(page) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def select(page, key: str, row: int):
    page.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return page.run()


def test_the_url_picks_the_customer_and_the_numbers_are_crm_cores(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        customer_id = int(crm_core.customer_names(db)["customer_id"].iloc[10])
        journey = crm_core.journey(db, customer_id)
    page = open_page(PAGE, demo_db, customer=str(customer_id))
    assert not page.exception and not page.error
    assert page.header[0].value == journey.customer["name"]
    assert metrics(page)["Final opinion"] == fmt_opinion(journey.final_opinion)
    assert metrics(page)["Current stage"] == crm_core.STAGE_LABELS[journey.current_stage]
    assert not page.dataframe              # only the open tab is built: the journey's charts, no table
    checklists = open_page(PAGE, demo_db, customer=str(customer_id), tab="Checklist")
    assert len(checklists.dataframe) == int(journey.stages["reached"].sum())    # one per reached stage
    records = open_page(PAGE, demo_db, customer=str(customer_id), tab="Responses and opinions")
    assert [len(table.value) for table in records.dataframe] == [len(journey.responses), len(journey.opinions)]


def test_a_snapshot_shows_the_journey_as_it_was(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1", as_of="2025-03-31")
    # on 2025-03-31 Acme was still pre-deal with +2; later operational -2 makes it 0
    assert metrics(page)["Current stage"] == "Pre-deal"
    assert metrics(page)["Final opinion"] == "+2"
    assert metrics(open_page(PAGE, story_db, customer="1"))["Final opinion"] == "0"


def test_a_customer_not_yet_created_or_unknown_gives_a_message(open_page, story_db):
    page = open_page(PAGE, story_db, customer="3", as_of="2025-01-15")
    assert "did not exist yet" in page.info[0].value
    page = open_page(PAGE, story_db, customer="999")
    assert not page.exception and "There is no customer '999'" in page.warning[0].value


def test_editing_a_response_keeps_input_on_error_then_saves(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1", tab="Responses and opinions")
    page.sidebar.text_input(key="author").input("Ana").run()
    page = select(page, "pick_response", 0)          # newest first: the 2025-02-20 response
    form = page.get("form")[0]
    assert form.text_input[0].value == "Late update"
    form.text_input[0].input("")                      # an empty summary is refused
    form.button[0].click().run()
    assert any("summary" in e.value or "empty" in e.value for e in page.error)
    form = page.get("form")[0]
    form.text_input[0].input("Late update, with the revised drawings")
    form.number_input[0].set_value(4)
    form.button[0].click().run()
    with crm_core.connect(story_db) as db:
        changed = crm_core.journey(db, 1).responses.set_index("id").loc[2]
    assert (changed["summary"], changed["quality"]) == ("Late update, with the revised drawings", 4)


def test_deleting_an_opinion_then_undo_restores_it(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1", tab="Responses and opinions")
    page.sidebar.text_input(key="author").input("Ana").run()
    page = select(page, "pick_opinion", 0)           # newest: operational -2 on 2025-05-10
    page.get("form")[0].button[1].click().run()
    with crm_core.connect(story_db) as db:
        assert crm_core.journey(db, 1).final_opinion == 2
    assert "Opinion deleted" in page.success[0].value
    page.query_params["tab"] = "History"                # the undo button is on the History tab
    undo = [b for b in page.run().button if "Undo my last change" in b.label][0]
    undo.click().run()
    with crm_core.connect(story_db) as db:
        assert crm_core.journey(db, 1).final_opinion == 0
        assert list(crm_core.change_log(db, 1)["action"][:2]) == ["undo", "delete"]
    assert metrics(page)["Final opinion"] == "0"
