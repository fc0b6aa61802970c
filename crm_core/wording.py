"""The product's words and numbers in one language, for whatever shows them: the pages
(through ``pages.common``, in the session's language) and the meeting pack (in the
language it is asked for). Each function takes the language code (``en``, ``es``,
``fr``, ``id``) and returns text; none of them touches the database.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Callable

import pandas as pd

from . import i18n
from .catalogue import CHECKLIST_LABELS, MODE_LABELS, OPINION_BAND_LABELS, STAGE_LABELS
from .i18n import N_

# The at-risk reasons (``risk.REASONS``) in words; the pages put a sign before each.
REASON_LABELS: dict[str, str] = {
    "negative_opinion": N_("Negative opinion"), "falling_opinion": N_("Opinion falling"),
    "missing_responses": N_("Expected responses missing"), "silent": N_("No response for long"),
    "overrated": N_("We rate ourselves higher"), "service_breach": N_("Service case past its target"),
    "broken_promise": N_("Promise broken or overdue"), "overdue_follow_up": N_("Follow-up overdue")}


def translator(lang: str) -> Callable[..., str]:
    """``_`` of ``lang``: ``_("{n} days", n=3)`` is the message in that language, filled."""
    return functools.partial(i18n.gettext, lang)


def each(values: pd.Series, fmt: Callable) -> pd.Series:
    """``values`` mapped through ``fmt``, called once per distinct value: a long table
    repeats few values, and each call formats in a language (4,000 at-risk rows took
    400 ms one by one)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    formatted = [fmt(value) for value in distinct]
    return pd.Series([formatted[code] for code in codes], index=values.index, dtype=object)


def opinion(value, lang: str) -> str:
    """+1.5 / −1.5 / 0 / "not rated" (a real minus sign, for projectors)."""
    if value is None or pd.isna(value):
        return i18n.gettext(lang, "not rated")
    return i18n.format_number(float(value), lang, digits=1, sign=True)


def number(value, lang: str, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals; missing -> ``—``."""
    return "—" if value is None or pd.isna(value) else i18n.format_number(float(value), lang, digits)


def percent(value, lang: str) -> str:
    """A share as a percentage (``72 %`` in French); missing -> ``—``."""
    return "—" if value is None or pd.isna(value) else i18n.format_percent(float(value), lang)


def money(value, lang: str, currency: str, compact: bool = False) -> str:
    """An amount of ``currency`` (``i18n.format_money``); missing -> ``—``."""
    return "—" if value is None or pd.isna(value) else i18n.format_money(float(value), lang, currency, compact)


def date(value, lang: str) -> str:
    """A date for people (``23 Nov 2026``, ``23 nov. 2026``) from a date or ISO text; missing -> ``never``."""
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return i18n.gettext(lang, "never")
    return i18n.format_date(value if isinstance(value, dt.date) else str(value), lang)


def month(value, lang: str) -> str:
    """A month for people (``Nov 2026``) from a date, a timestamp or ``YYYY-MM`` text; missing -> ``—``."""
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return "—"
    day = pd.Timestamp(value[:7] + "-01" if isinstance(value, str) else value).date()
    return i18n.format_month(day, lang)


def stage_label(stage: str | None, lang: str) -> str:
    """A stage's name (``—`` for none)."""
    return i18n.gettext(lang, STAGE_LABELS[stage]) if stage in STAGE_LABELS else "—"


def mode_label(mode: str | None, lang: str) -> str:
    """A mode's name (``—`` for none)."""
    return i18n.gettext(lang, MODE_LABELS[mode]) if mode in MODE_LABELS else "—"


def band_label(band: str, lang: str) -> str:
    """A band of the final opinion (``scores.opinion_band``)."""
    return i18n.gettext(lang, OPINION_BAND_LABELS[band])


def item_label(key: str, lang: str, label: str | None = None, reworded: dict[str, str] | None = None) -> str:
    """A checklist item's wording: the admin's rewording in ``lang`` (``reworded``: key ->
    text, as ``checklist.wordings`` gives), else the catalogue's translation of ``label``
    (else of the 18 items' words; an added item keeps the words it was given)."""
    return (reworded or {}).get(key) or i18n.gettext(lang, label if label is not None
                                                     else CHECKLIST_LABELS.get(key, key))


def reason_label(code: str, lang: str) -> str:
    """An at-risk reason (``risk.REASONS``)."""
    return i18n.gettext(lang, REASON_LABELS[code])


def with_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with ``stage_label`` / ``mode_label`` columns for its ``stage`` / ``mode``."""
    frame = frame.copy()
    if "stage" in frame:
        frame["stage_label"] = each(frame["stage"], lambda stage: stage_label(stage, lang))
    if "mode" in frame:
        frame["mode_label"] = each(frame["mode"], lambda mode: mode_label(mode, lang))
    return frame
