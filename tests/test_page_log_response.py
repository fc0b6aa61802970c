"""The entry page: a response logged in a few interactions shows on the dashboard at once,
and a refused entry keeps what was typed with the message next to the field."""


import crm_core

PAGE = "pages/5_Log_response.py"


def test_a_response_is_logged_with_defaults_and_counts_at_once(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1")
    assert not page.exception
    page.text_input(key="author").input("Ana").run()
    assert page.session_state["response_stage"] == "operational"   # the current stage
    page.session_state["response_items"] = ["ops.delays"]
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 5
    page.text_input(key="response_summary").input("Recovery plan for the late gearboxes")
    page.button[0].click().run()
    assert [s.value for s in page.success] == ["Response saved for Acme Turbines."]
    assert page.text_input(key="response_summary").value == ""          # ready for the next one
    with crm_core.connect(story_db) as db:
        acme = crm_core.portfolio(db).set_index("name").loc["Acme Turbines"]
        last = crm_core.journey(db, 1).responses.iloc[-1]
    assert acme["responses"] == 3 and acme["items_covered"] == 1
    assert (last["summary"], last["author"], last["quality"], list(last["items"])) == (
        "Recovery plan for the late gearboxes", "Ana", 4, ["ops.delays"])


def test_missing_items_are_marked_in_the_checklist_choice(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1")
    page.session_state["response_stage"] = "pre_deal"
    page.run()
    options = [o.content for o in page.get("pills")[0].proto.options]
    assert options[0] == "✓ Detailed, complete data" and options[1] == "○ Evaluation of the options"


def test_a_refused_response_keeps_the_typed_text_and_names_the_field(open_page, story_db):
    page = open_page(PAGE, story_db, customer="1")
    page.text_input(key="response_summary").input("Called about the <b>delay</b> 'plan'")
    page.session_state["response_completeness"] = 3
    page.button[0].click().run()
    assert [e.value for e in page.error] == ["Quality: pick a value from 1 to 5"]
    assert page.text_input(key="response_summary").value == "Called about the <b>delay</b> 'plan'"
    with crm_core.connect(story_db) as db:
        assert crm_core.portfolio(db).set_index("name").loc["Acme Turbines", "responses"] == 2


def test_an_opinion_and_a_stage_move_from_the_same_page(open_page, story_db):
    page = open_page(PAGE, story_db, customer="2")
    page.session_state["opinion_score"] = 2
    page.button[1].click().run()
    assert [s.value for s in page.success] == ["Opinion saved."]
    page.session_state["stage_to"] = "operational"
    page.button[2].click().run()
    assert [s.value for s in page.success] == ["Stage change saved."]
    with crm_core.connect(story_db) as db:
        borealis = crm_core.journey(db, 2)
    assert borealis.current_stage == "operational" and list(borealis.opinions["score"]) == [-1, 2]


def test_an_unknown_customer_in_the_url_gets_a_friendly_note(open_page, story_db):
    page = open_page(PAGE, story_db, customer="9999")
    assert not page.exception
    assert "There is no customer '9999'" in page.warning[0].value


def test_an_empty_database_shows_the_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception and "no customer" in page.info[0].value
