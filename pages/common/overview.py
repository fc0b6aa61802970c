"""Charts and the at-risk table of the overview page (``app.py``), through ``presented`` (once per
write, period, filters and language, so a warm run hashes nothing) and inside it ``presented_of``
(once per content: most saves change neither the counts per stage nor the most severe rows, and
formatting the at-risk rows and building a chart cost more than the cached read)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import crm_core

from . import (Context, _, fmt_days_ago, fmt_each, fmt_number, fmt_opinion, fmt_pct, lang, read, risk_reasons,
               with_labels)
from .charts import journey_link
from .presented import presented_of

# Rows an at-risk list shows, the most severe first: more than a person reads in a meeting;
# the CSV under them holds them all.
SHOWN = 100


def stages_chart(ctx: Context, period: int, filters: dict | None) -> dict:
    """``crm_core.charts.stages_chart`` of the overview (bars of customers per current stage),
    as a Vega-Lite spec made once per content (``presented_of``); draw it with ``draw``."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    return presented_of(_stages_chart, figures.per_stage)


def _stages_chart(per_stage: dict[str, int]) -> alt.Chart:
    return crm_core.charts.stages_chart(per_stage, lang())


def opinions_chart(ctx: Context, period: int, filters: dict | None) -> dict:
    """``crm_core.charts.opinions_chart`` of the overview (rated customers per final opinion),
    as a Vega-Lite spec made once per content (``presented_of``); draw it with ``draw``."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    return presented_of(_opinions_chart, figures.opinion_counts)


def _opinions_chart(opinion_counts: pd.DataFrame) -> alt.Chart:
    return crm_core.charts.opinions_chart(opinion_counts, lang())


def at_risk_rows(ctx: Context, period: int, filters: dict | None, act_now: bool) -> pd.DataFrame:
    """The first ``SHOWN`` customers of the overview's at-risk list to act on now (``act_now``)
    or to watch, as ``at_risk_table`` shows them, made once per content (``presented_of``)."""
    _figures, risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    return presented_of(at_risk_table, risky[risky["act_now"] == act_now].head(SHOWN))


def at_risk_table(risky: pd.DataFrame) -> pd.DataFrame:
    """The at-risk rows ``risky`` as shown: ``name, severity, parts, why, stage_label, opinion,
    change_text, coverage_text, silence, gap_text, account_manager, journey`` (text, in the
    session's language; ``parts`` spells the severity's sum, ``journey`` is the link to the
    customer's journey), in their order."""
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
