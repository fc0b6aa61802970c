"""The login gate: once an account exists, every page (opened directly, as a shared
link would) shows only the sign-in form; signing in shows the view the URL names;
a viewer reads but cannot write."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import crm_core

PAGES = ["../app.py", "../pages/1_Customer_journey.py", "../pages/2_Checklist_gaps.py",
         "../pages/3_Opinion_trends.py", "../pages/4_Response_quality.py", "../pages/5_Log_response.py",
         "../pages/6_Customers.py", "../pages/7_Admin.py"]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def locked_db(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "admin", PASSWORD, "admin")
        crm_core.add_user(db, "vera", PASSWORD, "viewer", acting="admin")
    return story_db


def open_page(monkeypatch, path, page_file, **params):
    monkeypatch.setenv("CRM_DB", str(path))
    page = AppTest.from_file(page_file, default_timeout=30)
    for key, value in params.items():
        page.query_params[key] = value
    return page.run()


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
def test_every_page_shows_only_the_sign_in_form(monkeypatch, locked_db, page_file):
    page = open_page(monkeypatch, locked_db, page_file, customer="1")
    assert not page.exception
    assert page.title[0].value == "🔒 Sign in"
    assert not page.metric and not page.dataframe
    assert "Acme Turbines" not in shown_text(page)


def test_signing_in_shows_the_view_the_link_names(monkeypatch, locked_db):
    page = open_page(monkeypatch, locked_db, "../pages/1_Customer_journey.py", customer="1", as_of="2025-03-31")
    page = sign_in(page, "admin", PASSWORD)
    assert not page.exception
    assert page.header[0].value == "Acme Turbines"
    assert page.query_params["customer"] == "1" and page.query_params["as_of"] == "2025-03-31"
    assert {m.label: m.value for m in page.metric}["Final opinion"] == "+2"


def test_a_wrong_password_shows_an_error_and_no_data(monkeypatch, locked_db):
    page = open_page(monkeypatch, locked_db, "../pages/1_Customer_journey.py", customer="1")
    page = sign_in(page, "admin", "not the password")
    assert page.error[0].value.startswith("Wrong name or password")
    assert "Acme Turbines" not in shown_text(page)
    assert PASSWORD not in str(dict(page.query_params))


def test_a_viewer_reads_but_a_save_is_refused(monkeypatch, locked_db):
    page = open_page(monkeypatch, locked_db, "../pages/5_Log_response.py", customer="1")
    page = sign_in(page, "vera", PASSWORD)
    assert any("can read but not change" in i.value for i in page.info)
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 4
    page.text_input(key="response_summary").input("Viewer tries to write")
    [b for b in page.button if b.label == "Save response"][0].click().run()
    assert any("viewer" in e.value for e in page.error)
    with crm_core.connect(locked_db) as db:
        assert "Viewer tries to write" not in set(crm_core.journey(db, 1).responses["summary"])
