"""Every query parameter a page reads, parsed here and nowhere else.

A link is typed, pasted and edited by people: any text can arrive in any parameter. Each
function returns what the page can use (or ``None``) together with the raw text, so the
page can say in words that the link's value was not understood; none of them raises. The
rules (what an id or a snapshot day may be) are ``crm_core``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import streamlit as st

from crm_core import snapshot, validation


def raw(name: str) -> str | None:
    """The text of ``?<name>=`` (the last value when the link repeats it), or None."""
    return st.query_params.get(name)


def record_id(name: str) -> tuple[int | None, str | None]:
    """``(id, text)`` of a record id such as ``?customer=12``: the id when the text is one
    (``validation.parse_id``), else None."""
    text = raw(name)
    return validation.parse_id(text), text


def snapshot_day(today: dt.date) -> tuple[dt.date | None, str | None]:
    """``(day, text)`` of ``?as_of=YYYY-MM-DD``: the day when it is a snapshot day
    (``snapshot.SnapshotDay.of``) not after ``today``, else None (live)."""
    text = raw("as_of")
    if not text:
        return None, text
    try:
        day = snapshot.SnapshotDay.of(text).day
    except validation.ValidationError:
        return None, text
    return (day if day <= today else None), text


def choice(name: str, options: Sequence[str], default: str) -> tuple[str, str]:
    """``(chosen, text)`` of ``?<name>=``: the text when it is one of ``options``, else ``default``."""
    text = raw(name) or default
    return (text if text in options else default), text


def choices(name: str, options: Sequence[str]) -> list[str]:
    """The values of ``?<name>=a&<name>=b`` that are ``options`` (in the link's order, each
    once); unknown ones are dropped."""
    return list(dict.fromkeys(text for text in st.query_params.get_all(name) if text in options))
