"""Hostile values on the pages: garbage in the URL gives a friendly view, never a
traceback; hostile customer data renders on every page as text."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import crm_core
from fixtures import TODAY
from test_hostile_input import HOSTILE

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[0-9]*.py"))
GARBAGE = [
    {"customer": "abc", "as_of": "tomorrow", "stage": "<script>alert(1)</script>"},
    {"customer": "-1", "as_of": "2026-02-31", "lang": "xx", "period": "0"},
    {"customer": "99999999999999999999999", "as_of": "2999-01-01", "sector": "'; DROP TABLE customers;--"},
    {"customer": "1", "region": "**x**", "account_manager": "\u202eevil", "stage": "", "mode": "fax"},
]


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def run(monkeypatch, path, page_file, **params):
    monkeypatch.setenv("CRM_DB", str(path))
    page = AppTest.from_file(f"../{page_file}", default_timeout=60)
    for key, value in params.items():
        page.query_params[key] = value
    return page.run()


@pytest.mark.parametrize("page_file", PAGES)
@pytest.mark.parametrize("params", GARBAGE, ids=["script", "impossible-date", "far-future", "markup"])
def test_garbage_in_the_url_is_never_a_traceback(monkeypatch, story_db, page_file, params):
    page = run(monkeypatch, story_db, page_file, **params)
    assert not page.exception, page.exception[0].value


@pytest.fixture
def hostile_db(story_db):
    with crm_core.connect(story_db) as db:
        for n, value in enumerate(HOSTILE[:9]):
            name = f"{value[:200]} #{n}"
            customer = crm_core.add_customer(db, {"name": name, "created_on": "2025-01-01", "sector": value[:200],
                                                  "region": value[:200], "account_manager": value[:200]},
                                             today=TODAY)
            crm_core.log_response(db, customer, "pre_deal", "2025-02-01", "phone", ["pre.data"], 2, 2,
                                  value, "Ana", today=TODAY)
            crm_core.record_opinion(db, customer, "pre_deal", "2025-02-02", -2, note=value, today=TODAY)
    return story_db


@pytest.mark.parametrize("page_file", PAGES)
def test_hostile_customer_data_renders_on_every_page(monkeypatch, hostile_db, page_file):
    page = run(monkeypatch, hostile_db, page_file, customer="4")
    assert not page.exception, page.exception[0].value
