"""Whatever a link holds, a page answers in words: arbitrary text in every query parameter
of every page raises nothing and changes nothing in the database. The families an outside
test found (digits int() refuses, numbers too long to convert, days far in the past) are
tried on every parameter at once, then hypothesis throws text of its own."""

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as strategies

from fixtures import ON_POSTGRESQL, PAGES, dump

import crm_core

# Every parameter a page reads from its URL (pages/common, the pages' url_choice and
# the widgets bound to the URL).
PARAMETERS = ("as_of", "lang", "customer", "stage", "by", "period", "tab", "view", "since", "sector", "region",
              "account_manager", "q", "at_risk", "sort")
FAMILIES = ["²", "١٢", "9" * 5000, "0001-01-01", "0001-01-01T00:00", "9999-12-31", "-1", "0" * 30 + "1",
            "2026-02-30", " ", "1e9"]


def digest(path) -> str:
    """The bytes of the database file and its write-ahead log (on PostgreSQL: every row)."""
    if ON_POSTGRESQL:
        with crm_core.connect(path) as db:
            return hashlib.sha256(dump(db).encode()).hexdigest()
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files if f.exists())).hexdigest()


def every_parameter(text: str) -> dict[str, str]:
    return dict.fromkeys(PARAMETERS, text)


def with_families(test):
    for text in FAMILIES:
        test = example(values=every_parameter(text))(test)
    return test


@pytest.mark.parametrize("page_file", PAGES)
@settings(max_examples=4, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=strategies.fixed_dictionaries({name: strategies.text(max_size=30) for name in PARAMETERS}))
@with_families
def test_any_text_in_any_parameter_raises_nothing_and_changes_nothing(open_page, story_db, page_file, values):
    before = digest(story_db)
    page = open_page(page_file, story_db, **values)
    assert not page.exception, (values, page.exception)
    assert digest(story_db) == before
