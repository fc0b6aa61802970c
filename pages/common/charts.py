"""Shared pieces of the analysis pages: choices kept in the URL, portfolio filters,
links to a customer's journey and the chart conventions (titles, scales, tooltips).

Everything a page shows is determined by its URL: ``url_choice`` reads a query
parameter, falls back to the default (saying so) when the value is unknown,
and writes the choice back; the filters are multiselects bound to the URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

import altair as alt
import pandas as pd
import streamlit as st

import crm_core
from pages.common import Context, page_url, read

FILTERS = {"sector": "Sector", "region": "Region", "account_manager": "Account manager"}


def url_choice(label: str, options: Sequence[str], default: str, key: str,
               format_func: Callable[[str], str] = str, help: str | None = None) -> str:
    """One of ``options`` chosen with a segmented control and kept in the URL as
    ``?<key>=<option>`` (absent for the default). An unknown value in the URL
    falls back to the default with a short note."""
    wanted = st.query_params.get(key, default)
    chosen = wanted if wanted in options else default
    if wanted != chosen:
        st.caption(f"⚠️ Unknown {label.lower()} in the link; showing {format_func(default)}.")
    # The key carries the URL value, so opening another link re-seeds the control.
    value = st.segmented_control(label, list(options), default=chosen, required=True,
                                 format_func=format_func, key=f"{key}:{chosen}", help=help)
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value


def portfolio_filters(ctx: Context) -> dict[str, list[str]]:
    """Sector, region and account-manager multiselects bound to the URL
    (``?sector=Energy&sector=Mining``). Returns only the non-empty ones."""
    values = read(ctx, "filter_values")
    chosen = {}
    for column, (field, label) in zip(st.columns(len(FILTERS)), FILTERS.items()):
        picked = column.multiselect(label, values.get(field, []), key=field, bind="query-params",
                                    placeholder="All")
        if picked:
            chosen[field] = picked
    return chosen


def journey_link(customer_ids: pd.Series) -> pd.Series:
    """The URL of each customer's journey page, keeping the snapshot day and language."""
    return customer_ids.astype(int).map(lambda customer: page_url("journey", customer=customer))


def link_column(label: str = "Journey") -> st.column_config.LinkColumn:
    return st.column_config.LinkColumn(label, display_text="Open journey ↗",
                                       help="Opens the customer's journey")


def day_text(value) -> str:
    """``2026-08-03`` -> ``3 Aug 2026``; missing -> ``never``."""
    if value is None or pd.isna(value):
        return "never"
    day = dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%b %Y}"


def month_axis(title: str = "Month") -> alt.X:
    return alt.X("month:T", title=title, axis=alt.Axis(format="%b %Y"))


def stage_label(stage: str | None) -> str:
    return crm_core.STAGE_LABELS.get(stage, "—") if stage else "—"
