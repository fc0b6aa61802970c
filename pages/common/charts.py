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
from pages.common import Context, fmt_opinion, page_url, read, stage_colour

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


def self_assessment_charts(data: pd.DataFrame) -> tuple[alt.Chart, alt.LayerChart]:
    """From ``crm_core.self_assessment_trend`` (with ``stage_label``): our response
    score against the customers' opinion per stage and month, and their gap."""
    long = data.melt(id_vars=["month", "stage", "stage_label", "gap"],
                     value_vars=["response_score", "opinion"], var_name="series", value_name="value")
    long["series"] = long["series"].map({"response_score": "Our response score", "opinion": "Opinion"})
    long["value_text"] = long["value"].map(fmt_opinion)
    lines = alt.Chart(long.dropna(subset=["value"]),
                      title="Our response score (dashed) against the customers' opinion, per stage"
                      ).mark_line().encode(
        x=month_axis(), y=alt.Y("value:Q", title="Score (−2 … +2)", scale=alt.Scale(domain=[-2, 2])),
        color=stage_colour(), strokeDash=alt.StrokeDash("series:N", title="Line"),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%b %Y"),
                 alt.Tooltip("stage_label:N", title="Stage"), alt.Tooltip("series:N", title="Line"),
                 alt.Tooltip("value_text:N", title="Value")])
    gaps = data.dropna(subset=["gap"]).assign(gap_text=lambda f: f["gap"].map(fmt_opinion))
    gap = alt.Chart(gaps).mark_line(point=True).encode(
        x=month_axis(), y=alt.Y("gap:Q", title="Response score − opinion"), color=stage_colour(),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%b %Y"),
                 alt.Tooltip("stage_label:N", title="Stage"), alt.Tooltip("gap_text:N", title="Gap")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="grey", strokeDash=[2, 2]).encode(y="y:Q")
    return lines.properties(height=340), (gap + zero).properties(
        title="Self-assessment gap per stage (above 0: we rate ourselves higher than our customers do)",
        height=280)
