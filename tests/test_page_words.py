"""Words a person would use: refusals name their field and show labels, dates and a real
minus instead of keys; the stage form offers only the moves it can make; an empty history
says so instead of Streamlit's bare "empty"."""

import pytest

import crm_core
from fixtures import TODAY

LOG_PAGE = "pages/5_Log_response.py"


def test_an_opinion_without_a_score_names_the_field_and_its_range_with_a_real_minus(open_page, story_db):
    page = open_page(LOG_PAGE, story_db, customer="2")
    page.button[1].click().run()
    assert [e.value for e in page.error] == ["Opinion: pick a value from −2 to 2"]


def test_the_stage_form_moves_forward_to_the_next_stage_by_default(open_page, story_db):
    page = open_page(LOG_PAGE, story_db, customer="1")        # in operational
    assert page.radio(key="stage_kind").options == ["Move to the next stage", "Correct the stage"]
    assert "From **Operational** to **Post-deal**." in [m.value for m in page.markdown]
    page.button[2].click().run()
    assert [s.value for s in page.success] == ["Stage change saved."]
    with crm_core.connect(story_db) as db:
        assert crm_core.journey(db, 1).current_stage == "post_deal"
    # In the last stage there is no move forward: only a correction, to another stage.
    page.run()
    assert page.radio(key="stage_kind").options == ["Correct the stage"]
    assert page.selectbox(key="stage_to").options == ["Pre-deal", "Operational"]
    page.button[2].click().run()
    assert "Reason: a correction needs a reason" in [e.value for e in page.error]


def test_crm_core_says_which_stage_comes_next_and_the_page_shows_its_label(story_db):
    from pages.common.forms import error_text

    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError) as refused:
            crm_core.move_stage(db, 2, "post_deal", "2025-06-01", today=TODAY)
    assert (refused.value.template, refused.value.values) == ("the next stage is {next}", {"next": "operational"})
    assert error_text(refused.value) == "the next stage is Operational"


def test_an_empty_history_says_so(open_page, demo_db):
    page = open_page("pages/1_Customer_journey.py", demo_db, customer="1", tab="History")
    assert "No change recorded for this customer yet." in [i.value for i in page.info]


def test_opinion_sources_and_roles_are_written_as_words(story_db):
    from pages.common import source_label

    assert [source_label(s) for s in crm_core.OPINION_SOURCES] == ["Meeting", "Survey", "Call", "Email", "Other"]
