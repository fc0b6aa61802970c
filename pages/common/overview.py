"""Charts and the at-risk table of the overview page (``app.py``), through ``presented``:
each reads the overview itself, so it is built once per write, period, filters and language
(formatting 4,000 at-risk rows and checking a chart cost more than the cached read)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import crm_core

from . import (Context, _, fmt_days_ago, fmt_each, fmt_number, fmt_opinion, fmt_pct, lang, read, risk_reasons,
               with_labels)
from .charts import journey_link

# Rows an at-risk list shows, the most severe first: more than a person reads in a meeting;
# the CSV under them holds them all.
SHOWN = 100


def stages_chart(ctx: Context, period: int, filters: dict | None) -> alt.Chart:
    """``crm_core.charts.stages_chart`` of the overview (bars of customers per current stage)."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    return crm_core.charts.stages_chart(figures, lang())


def opinions_chart(ctx: Context, period: int, filters: dict | None) -> alt.Chart:
    """``crm_core.charts.opinions_chart`` of the overview (rated customers per final opinion)."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    return crm_core.charts.opinions_chart(figures, lang())


def at_risk_table(ctx: Context, period: int, filters: dict | None, act_now: bool, limit: int) -> pd.DataFrame:
    """The first ``limit`` customers to act on now (``act_now``) or to watch, as shown: ``name,
    severity, parts, why, stage_label, opinion, change_text, coverage_text, silence, gap_text,
    account_manager, journey`` (text, in the session's language; ``parts`` spells the
    severity's sum, ``journey`` is the link to the customer's journey), in the list's order."""
    _figures, risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    risky = risky[risky["act_now"] == act_now].head(limit)
    parts = [_("opinion {depth} + fall {fall} + signs {signals}", depth=depth, fall=fall, signals=signals)
             for depth, fall, signals in zip(risky["depth"], risky["fall"], risky["signals"])]
    table = with_labels(risky).assign(
        severity=risky["severity"].astype(int), parts=parts,
        why=fmt_each(risky["reasons"], risk_reasons),
        opinion=fmt_each(risky["final_opinion"], fmt_opinion),
        change_text=fmt_each(risky["opinion_change"], lambda v: "" if pd.isna(v) else fmt_opinion(v)),
        coverage_text=fmt_each(risky["coverage"], fmt_pct),
        silence=fmt_each(risky["days_since_response"], fmt_days_ago),
        gap_text=fmt_each(risky["gap"], lambda v: fmt_number(v, 1)),
        journey=journey_link(risky["customer_id"]))
    return table[["name", "severity", "parts", "why", "stage_label", "opinion", "change_text", "coverage_text",
                  "silence", "gap_text", "account_manager", "journey"]]


def more_than_shown(count: int) -> None:
    """Under a list of ``count`` customers capped at ``SHOWN``: how many it leaves out."""
    if count > SHOWN:
        st.caption(_("The {shown} most severe of {n}; the CSV below holds them all.", shown=SHOWN,
                     n=fmt_number(count, 0)))
