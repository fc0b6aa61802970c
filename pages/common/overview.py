"""Charts and the at-risk table of the overview page (``app.py``), through ``presented``:
each reads the overview itself, so it is built once per write, period, filters and language
(formatting 4,000 at-risk rows and checking a chart cost more than the cached read)."""

from __future__ import annotations

import altair as alt
import pandas as pd

import crm_core

from . import (Context, _, band_label, fmt_days_ago, fmt_each, fmt_number, fmt_opinion, fmt_pct, read, risk_reasons,
               stage_colour, stage_label, with_labels)
from .charts import journey_link


def stages_chart(ctx: Context, period: int, filters: dict | None) -> alt.Chart:
    """Customers per current stage (bars)."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    frame = with_labels(pd.DataFrame({"stage": list(figures.per_stage), "customers": list(figures.per_stage.values())}))
    return alt.Chart(frame, title=_("Customers per stage")).mark_bar().encode(
        x=alt.X("customers:Q", title=_("Customers")),
        y=alt.Y("stage_label:N", title=None, sort=[stage_label(s) for s in crm_core.STAGES]),
        color=stage_colour().legend(None),
        tooltip=[alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("customers:Q", title=_("Customers"))])


def opinions_chart(ctx: Context, period: int, filters: dict | None) -> alt.Chart:
    """Rated customers per final opinion (−6 … +6), coloured by its band (``crm_core.scores.opinion_band``),
    in the words and colours of the outcomes page."""
    figures, _risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    bands = [band for band, _low, _high in crm_core.catalogue.OPINION_BANDS]
    opinions = figures.opinion_counts.assign(
        tone=crm_core.scores.opinion_band(figures.opinion_counts["final_opinion"]).map(band_label))
    return alt.Chart(opinions, title=_("Final opinion of rated customers")).mark_bar().encode(
        x=alt.X("final_opinion:O", title=_("Final opinion (−6 … +6)"), scale=alt.Scale(domain=list(range(-6, 7)))),
        y=alt.Y("customers:Q", title=_("Customers")),
        color=alt.Color("tone:N", title=None, scale=alt.Scale(
            domain=[band_label(band) for band in bands],
            range=[crm_core.catalogue.OPINION_BAND_COLOURS[band] for band in bands])),
        tooltip=[alt.Tooltip("final_opinion:O", title=_("Final opinion")),
                 alt.Tooltip("customers:Q", title=_("Customers"))])


def at_risk_table(ctx: Context, period: int, filters: dict | None, act_now: bool) -> pd.DataFrame:
    """The customers to act on now (``act_now``) or to watch, as shown: ``name, severity,
    parts, why, stage_label, opinion, change_text, coverage_text, silence, gap_text,
    account_manager, journey`` (text, in the session's language; ``parts`` spells the
    severity's sum, ``journey`` is the link to the customer's journey), in the list's order."""
    _figures, risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters)
    risky = risky[risky["act_now"] == act_now]
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
