"""The login gate: once an account exists, every page (opened directly, as a shared
link would) shows only the sign-in form; signing in shows the view the URL names;
a viewer reads but cannot write."""

import pytest

import crm_core
from fixtures import PAGES

PASSWORD = "correct horse battery"


@pytest.fixture
def locked_db(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "admin", PASSWORD, "admin")
        crm_core.add_user(db, "vera", PASSWORD, "viewer", acting="admin")
    return story_db


def sign_in(page, name, password):
    page.text_input(key="sign_in_name").input(name)
    page.text_input(key="sign_in_password").input(password)
    page.button[0].click()
    return page.run()


def shown_text(page) -> str:
    parts = [e.value for kind in ("title", "header", "markdown", "caption", "info", "success", "warning")
             for e in getattr(page, kind)]
    parts += [str(m.value) for m in page.metric] + [d.value.to_string() for d in page.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_shows_only_the_sign_in_form(open_page, locked_db, page_file):
    page = open_page(page_file, locked_db, customer="1")
    assert not page.exception
    assert page.title[0].value == "🔒 Sign in"
    assert not page.metric and not page.dataframe
    assert "Acme Turbines" not in shown_text(page)


def test_signing_in_shows_the_view_the_link_names(open_page, locked_db):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1", as_of="2025-03-31")
    page = sign_in(page, "admin", PASSWORD)
    assert not page.exception
    assert page.header[0].value == "Acme Turbines"
    assert page.query_params["customer"] == "1" and page.query_params["as_of"] == "2025-03-31"
    assert {m.label: m.value for m in page.metric}["Final opinion"] == "+2"


def test_a_wrong_password_shows_an_error_and_no_data(open_page, locked_db):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1")
    page = sign_in(page, "admin", "not the password")
    assert page.error[0].value.startswith("Wrong name or password")
    assert "Acme Turbines" not in shown_text(page)
    assert PASSWORD not in str(dict(page.query_params))


def test_a_viewer_reads_but_a_save_is_refused(open_page, locked_db):
    page = open_page("pages/5_Log_response.py", locked_db, customer="1")
    page = sign_in(page, "vera", PASSWORD)
    assert any("can read but not change" in i.value for i in page.info)
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 4
    page.text_input(key="response_summary").input("Viewer tries to write")
    [b for b in page.button if b.label == "Save response"][0].click().run()
    assert any("viewer" in e.value for e in page.error)
    with crm_core.connect(locked_db) as db:
        assert "Viewer tries to write" not in set(crm_core.journey(db, 1).responses["summary"])
