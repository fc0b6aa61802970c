"""One date format per language: every date a page shows is written by ``fmt_date``
(Babel's medium date of the language), every moment by ``fmt_datetime``, and the date
boxes take the language's order of digits."""

import datetime as dt
import re

import pytest

from crm_core import i18n
from pages.common import fmt_datetime

GAPS = "pages/2_Checklist_gaps.py"
# Anything written like a date, in any of the formats the pages used to mix.
DATE_LIKE = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"
                       r"|\b\d{1,2} [^\W\d]+\.? \d{4}\b")


def language_pattern(lang: str) -> re.Pattern:
    """A date as ``fmt_date`` writes it in ``lang``: day, abbreviated month, year."""
    months = "|".join(re.escape(name) for name in i18n.month_abbreviations(lang))
    return re.compile(rf"\d{{1,2}} ({months}) \d{{4}}")


def shown_texts(page) -> list[str]:
    """Every text of the page and its sidebar, table cells included."""
    texts = [element.value for kind in ("markdown", "caption", "info", "warning", "success", "header", "subheader")
             for element in getattr(page, kind)]
    texts += [element.value for kind in ("caption", "markdown") for element in getattr(page.sidebar, kind)]
    for table in page.dataframe:
        texts += [str(cell) for column in table.value.columns for cell in table.value[column]]
    # a link carries the snapshot day as the URL writes it (as_of=2026-09-30), not as a person reads it
    return [text for text in texts if not text.startswith("/")]


@pytest.mark.parametrize("lang", ["en", "fr", "es", "id"])
def test_every_date_the_gaps_page_shows_has_the_language_format(open_page, demo_db, lang):
    page = open_page(GAPS, demo_db, stage="operational", as_of="2026-09-30", lang=lang)
    assert not page.exception
    dates = [found for text in shown_texts(page) for found in DATE_LIKE.findall(text)]
    assert len(dates) > 5                   # the snapshot caption and the table's last dates
    pattern = language_pattern(lang)
    assert [day for day in dates if not pattern.fullmatch(day)] == []
    assert any(i18n.format_date(dt.date(2026, 9, 30), lang) in text for text in shown_texts(page))


@pytest.mark.parametrize("lang, day, moment, box", [
    ("en", "30 Sept 2026", "30 Sept 2026, 15:15", "DD/MM/YYYY"),
    ("fr", "30 sept. 2026", "30 sept. 2026, 15:15", "DD/MM/YYYY"),
    ("es", "30 sept 2026", "30 sept 2026, 15:15", "DD/MM/YYYY"),
    ("id", "30 Sep 2026", "30 Sep 2026 15.15", "DD/MM/YYYY")])
def test_one_date_and_one_date_time_formatter_per_language(lang, day, moment, box):
    assert i18n.format_date("2026-09-30", lang) == day
    assert i18n.format_datetime("2026-09-30T15:15", lang) == moment
    assert i18n.format_datetime(dt.datetime(2026, 9, 30, 15, 15), lang) == moment
    assert i18n.date_input_format(lang) == box


def test_a_missing_moment_is_a_dash():
    assert fmt_datetime(None) == "—"
