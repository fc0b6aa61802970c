"""Shared pieces of the analysis pages: choices kept in the URL, portfolio filters,
links to a customer's journey and the chart conventions (titles, scales, tooltips).

Everything a page shows is determined by its URL: ``url_choice`` reads a query
parameter, falls back to the default (saying so) when the value is unknown,
and writes the choice back; the filters are multiselects bound to the URL.
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from crm_core import i18n
from crm_core.i18n import N_
import crm_core
import crm_core.charts
from pages.common import params
from pages.common import (Context, _, lang, page_url, read)

FILTERS = {"sector": N_("Sector"), "region": N_("Region"), "account_manager": N_("Account manager")}


def url_choice(label: str, options: Sequence[str], default: str, key: str,
               format_func: Callable[[str], str] = str, help: str | None = None) -> str:
    """One of ``options`` chosen with a segmented control and kept in the URL as
    ``?<key>=<option>`` (absent for the default). An unknown value in the URL
    falls back to the default with a short note."""
    chosen, wanted = params.choice(key, options, default)
    if wanted != chosen:
        st.caption("⚠️ " + _("The link's “{label}” is unknown; showing {default}.", label=label,
                               default=format_func(default)))
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
    values = read(ctx.scoped(crm_core.CUSTOMERS), crm_core.filter_values)
    chosen = {}
    for column, (field, label) in zip(st.columns(len(FILTERS)), FILTERS.items()):
        picked = column.multiselect(_(label), values.get(field, []), key=field, bind="query-params",
                                    placeholder=_("All"))
        if picked:
            chosen[field] = picked
    return chosen


def journey_link(customer_ids: pd.Series) -> pd.Series:
    """The URL of each customer's journey page, keeping the snapshot day and language:
    ``page_url("journey", customer=...)`` built once and completed per row (the
    carried parameters come first, so the customer goes last)."""
    base = page_url("journey")
    return (base + ("" if base.endswith("?") else "&") + "customer=") + customer_ids.astype(int).astype(str)


def link_column(label: str | None = None) -> st.column_config.LinkColumn:
    return st.column_config.LinkColumn(label or _("Journey"), display_text=_("Open journey ↗"),
                                       help=_("Opens the customer's journey"))


def share_axis(**options) -> alt.Axis:
    """An axis of shares (0 … 1) labelled as percentages the session's way
    (``50 %`` in French, ``50%`` in English)."""
    before, after = i18n.format_percent(0.5, lang()).split("50")
    return alt.Axis(labelExpr=f"{json.dumps(before)} + format(datum.value * 100, 'd') + {json.dumps(after)}",
                    **options)


def time_axis(field: str, title: str) -> alt.X:
    """``crm_core.charts.time_axis`` in the session's language."""
    return crm_core.charts.time_axis(field, title, lang())


def month_axis(title: str | None = None) -> alt.X:
    """``time_axis`` of the ``month`` column (``nov. 2026``)."""
    return time_axis("month", title or _("Month"))


def line_style(field: str, title: str, solid: str, dashed: str) -> alt.StrokeDash:
    """The line style of the series in ``field``: the value ``solid`` drawn solid, ``dashed``
    dashed, whatever the language's alphabetical order. The legend draws the two line
    styles: lines with points would otherwise show two identical dots."""
    return alt.StrokeDash(f"{field}:N", title=title,
                          scale=alt.Scale(domain=[solid, dashed], range=[[1, 0], [6, 4]]),
                          legend=alt.Legend(symbolType="stroke", symbolSize=900, symbolStrokeWidth=2,
                                            symbolStrokeColor="#333"))
