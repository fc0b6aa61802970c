"""Charts and the at-risk table of the overview page (``app.py``), through ``presented_of``:
each is made from the part of the overview it shows, once per content and language (formatting
the at-risk rows and building a chart cost more than the cached read, and most saves change
neither the counts per stage nor the most severe rows)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import crm_core

from . import _, fmt_days_ago, fmt_each, fmt_number, fmt_opinion, fmt_pct, lang, risk_reasons, with_labels
from .charts import journey_link
from .presented import presented_of

# Rows an at-risk list shows, the most severe first: more than a person reads in a meeting;
# the CSV under them holds them all.
SHOWN = 100


def stages_chart(per_stage: dict[str, int]) -> alt.Chart:
    """``crm_core.charts.stages_chart`` in the session's language (draw it with ``draw_of``)."""
    return crm_core.charts.stages_chart(per_stage, lang())


def opinions_chart(opinion_counts: pd.DataFrame) -> alt.Chart:
    """``crm_core.charts.opinions_chart`` in the session's language (draw it with ``draw_of``)."""
    return crm_core.charts.opinions_chart(opinion_counts, lang())


def at_risk_rows(risky: pd.DataFrame, act_now: bool) -> pd.DataFrame:
    """The first ``SHOWN`` customers of the at-risk list ``risky`` (``crm_core.overview``'s) to
    act on now (``act_now``) or to watch, as ``at_risk_table`` shows them, from the cache while
    they stay the same."""
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
