"""Charts of the opinion trends page, through ``presented``: each reads what it draws
itself, so it is built once per write, choice and language instead of on every run."""

from __future__ import annotations

import altair as alt
import pandas as pd

import crm_core
import crm_core.charts

from . import Context, _, fmt_month, fmt_opinion, lang, n_, read, stage_colour, stage_label, with_labels
from .charts import journey_link, line_style, month_axis


def trend_chart(ctx: Context, by: str, split_label: str, filters: dict | None) -> alt.LayerChart | alt.FacetChart:
    """``crm_core.charts.opinion_trend_chart`` of the monthly opinion split ``by`` (``all``:
    the portfolio) of the customers ``filters`` keeps, in the session's language."""
    trend = read(ctx, crm_core.opinion_trend, ctx.as_of, by=None if by == "all" else by, filters=filters)
    return crm_core.charts.opinion_trend_chart(trend, by, split_label, lang())


def movers_view(ctx: Context, period: int, filters: dict | None, limit: int) -> pd.DataFrame:
    """``crm_core.biggest_movers`` over ``period`` days (the ``limit`` largest changes),
    with the texts the chart and the table show and a link to each journey."""
    movers = read(ctx, crm_core.biggest_movers, ctx.as_of, period_days=period, filters=filters, limit=limit)
    return movers.assign(direction=movers["change"].map(lambda c: _("Rose") if c > 0 else _("Fell")),
                         change_text=movers["change"].map(fmt_opinion),
                         start_text=movers["opinion_start"].map(fmt_opinion),
                         end_text=movers["opinion_end"].map(fmt_opinion),
                         stage_then=movers["stage_start"].map(stage_label),
                         stage_now=movers["stage"].map(stage_label),
                         journey=journey_link(movers["customer_id"]))


def movers_chart(ctx: Context, period: int, filters: dict | None, limit: int) -> alt.Chart:
    """The biggest movers (``movers_view``) as bars of their change, a rise in blue, a fall in
    the colour that means negative."""
    view = movers_view(ctx, period, filters, limit)
    change = alt.Scale(domain=[_("Fell"), _("Rose")], range=[crm_core.catalogue.NEGATIVE_COLOUR, "#2E86C1"])
    return alt.Chart(view, title=n_("Biggest movers in the last {n} day", "Biggest movers in the last {n} days",
                                    period)).mark_bar().encode(
        x=alt.X("change:Q", title=_("Change in final opinion")),
        y=alt.Y("name:N", title=None, sort=list(view["name"]), axis=alt.Axis(labelLimit=240)),
        color=alt.Color("direction:N", title=_("Opinion"), scale=change),
        tooltip=[alt.Tooltip("name:N", title=_("Customer")), alt.Tooltip("change_text:N", title=_("Change")),
                 alt.Tooltip("start_text:N", title=_("Then")), alt.Tooltip("end_text:N", title=_("Now")),
                 alt.Tooltip("stage_then:N", title=_("Stage then")),
                 alt.Tooltip("stage_now:N", title=_("Stage now"))]).properties(height=alt.Step(22))


def self_assessment_lines(ctx: Context) -> alt.Chart:
    """Our response score against the customers' opinion per stage and month
    (``crm_core.self_assessment_trend``)."""
    data = with_labels(read(ctx, crm_core.self_assessment_trend, ctx.as_of))
    long = data.melt(id_vars=["month", "stage", "stage_label", "gap"],
                     value_vars=["response_score", "opinion"], var_name="series", value_name="value")
    long["series"] = long["series"].map({"response_score": _("Our response score"), "opinion": _("Opinion")})
    long["value_text"] = long["value"].map(fmt_opinion)
    long["month_text"] = long["month"].map(fmt_month)
    return alt.Chart(long.dropna(subset=["value"]),
                     title=_("Our response score (dashed) against the customers' opinion, per stage")
                     ).mark_line().encode(
        x=month_axis(), y=alt.Y("value:Q", title=_("Score (−2 … +2)"), scale=alt.Scale(domain=[-2, 2])),
        color=stage_colour(), strokeDash=line_style("series", _("Line"), _("Opinion"), _("Our response score")),
        tooltip=[alt.Tooltip("month_text:N", title=_("Month")),
                 alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("series:N", title=_("Line")),
                 alt.Tooltip("value_text:N", title=_("Value"))]).properties(height=340)


def self_assessment_gap(ctx: Context) -> alt.LayerChart:
    """The gap between our response score and the customers' opinion per stage and month."""
    data = with_labels(read(ctx, crm_core.self_assessment_trend, ctx.as_of))
    gaps = data.dropna(subset=["gap"]).assign(gap_text=lambda f: f["gap"].map(fmt_opinion),
                                              month_text=lambda f: f["month"].map(fmt_month))
    gap = alt.Chart(gaps).mark_line(point=True).encode(
        x=month_axis(), y=alt.Y("gap:Q", title=_("Response score − opinion")), color=stage_colour(),
        tooltip=[alt.Tooltip("month_text:N", title=_("Month")),
                 alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("gap_text:N", title=_("Gap"))])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="grey", strokeDash=[2, 2]).encode(y=alt.Y("y:Q"))
    return (gap + zero).properties(
        title=_("Self-assessment gap per stage (above 0: we rate ourselves higher than our customers do)"),
        height=280)
