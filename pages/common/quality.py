"""The charts of the response-quality page: the stage x mode matrix and the monthly
trend of one measure, drawn through ``presented.draw`` (cached until the next write)."""

from __future__ import annotations

import altair as alt
import pandas as pd

import crm_core

from . import Context, _, fmt_month, fmt_number, mode_colour, mode_label, read, stage_label, with_labels
from .charts import month_axis

RATING = alt.Scale(domain=[1, 5], scheme="redyellowgreen")


def measures() -> dict[str, dict[str, str]]:
    """Per measure column, its texts in the session's language. Whole sentences per
    measure: a translated noun slotted into a sentence would not agree in every language."""
    return {
        "mean_quality": {"name": _("Quality"), "mean": _("Mean quality"), "axis": _("Mean quality (1 … 5)"),
                         "matrix": _("Mean quality by stage and mode (responses)"),
                         "trend": _("Mean quality per month and mode")},
        "mean_completeness": {"name": _("Completeness"), "mean": _("Mean completeness"),
                              "axis": _("Mean completeness (1 … 5)"),
                              "matrix": _("Mean completeness by stage and mode (responses)"),
                              "trend": _("Mean completeness per month and mode")}}


def stage_mode_matrix(ctx: Context, since, stage: str | None) -> pd.DataFrame:
    """``crm_core.quality_by_stage_mode`` from ``since``, of one ``stage`` (None: all)."""
    matrix = read(ctx, crm_core.quality_by_stage_mode, ctx.as_of, since=since)
    return matrix[matrix["stage"] == stage] if stage else matrix


def matrix_chart(ctx: Context, since, stage: str | None, measure: str) -> alt.LayerChart:
    """Mean ``measure`` per stage and mode as coloured cells, labelled with the mean
    and the number of responses."""
    matrix = with_labels(stage_mode_matrix(ctx, since, stage))
    texts = measures()[measure]
    cells = matrix.assign(text=[f"{fmt_number(v)} ({fmt_number(n, 0)})"
                                for v, n in zip(matrix[measure], matrix["responses"])],
                          mean_text=matrix[measure].map(fmt_number),
                          count_text=matrix["responses"].map(lambda n: fmt_number(n, 0)))
    base = alt.Chart(cells).encode(
        x=alt.X("mode_label:N", title=_("Mode"), sort=[mode_label(m) for m in crm_core.MODES],
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("stage_label:N", title=_("Stage"), sort=[stage_label(s) for s in crm_core.STAGES]))
    rect = base.mark_rect().encode(color=alt.Color(f"{measure}:Q", title=texts["name"], scale=RATING), tooltip=[
        alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("mode_label:N", title=_("Mode")),
        alt.Tooltip("mean_text:N", title=texts["mean"]), alt.Tooltip("count_text:N", title=_("Responses"))])
    return (rect + base.mark_text(fontSize=14).encode(text=alt.Text("text:N"))).properties(
        title=texts["matrix"], height=90 + 50 * len(cells["stage"].unique()))


def trend_chart(ctx: Context, stage: str | None, measure: str) -> alt.Chart:
    """Mean ``measure`` per month, one line per mode (``crm_core.quality_trend``)."""
    trend = with_labels(read(ctx, crm_core.quality_trend, ctx.as_of, stage=stage))
    texts = measures()[measure]
    return alt.Chart(trend.assign(month_text=trend["month"].map(fmt_month), mean_text=trend[measure].map(fmt_number),
                                  count_text=trend["responses"].map(lambda n: fmt_number(n, 0))),
                     title=texts["trend"]).mark_line(point=True).encode(
        x=month_axis(_("Month")), y=alt.Y(f"{measure}:Q", title=texts["axis"], scale=alt.Scale(domain=[1, 5])),
        color=mode_colour(), tooltip=[
            alt.Tooltip("month_text:N", title=_("Month")), alt.Tooltip("mode_label:N", title=_("Mode")),
            alt.Tooltip("mean_text:N", title=texts["mean"]), alt.Tooltip("count_text:N", title=_("Responses"))]
    ).properties(height=300)
