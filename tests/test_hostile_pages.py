"""Hostile values on the pages: garbage in the URL gives a friendly view, never a
traceback; hostile customer data renders on every page as text."""

import pytest
from fixtures import HOSTILE, PAGES, TODAY

import crm_core

GARBAGE = [
    {"customer": "abc", "as_of": "tomorrow", "stage": "<script>alert(1)</script>"},
    {"customer": "-1", "as_of": "2026-02-31", "lang": "xx", "period": "0"},
    {"customer": "99999999999999999999999", "as_of": "2999-01-01", "sector": "'; DROP TABLE customers;--"},
    {"customer": "1", "region": "**x**", "account_manager": "\u202eevil", "stage": "", "mode": "fax"},
]


@pytest.mark.parametrize("page_file", PAGES)
@pytest.mark.parametrize("params", GARBAGE, ids=["script", "impossible-date", "far-future", "markup"])
def test_garbage_in_the_url_is_never_a_traceback(open_page, story_db, page_file, params):
    page = open_page(page_file, story_db, **params)
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
def test_hostile_customer_data_renders_on_every_page(open_page, hostile_db, page_file):
    page = open_page(page_file, hostile_db, customer="4")
    assert not page.exception, page.exception[0].value
