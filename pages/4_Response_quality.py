"""Response quality by mode: are we as good on the phone as face to face?"""

import altair as alt
import streamlit as st

import crm_core
from pages.common import (_, download, empty_state, fmt_date, fmt_month, fmt_number, mode_colour, mode_label, n_, read,
                          setup, stage_label, with_labels)
from pages.common.charts import journey_link, link_column, month_axis, url_choice

RATING = alt.Scale(domain=[1, 5], scheme="redyellowgreen")
ctx = setup("Response quality by mode", "☎️")
STAGE_CHOICES = {"all": _("All stages"), **{stage: stage_label(stage) for stage in crm_core.STAGES}}
# Whole sentences per measure: a translated noun slotted into a sentence would not agree in every language.
MEASURES = {
    "mean_quality": {"name": _("Quality"), "mean": _("Mean quality"), "axis": _("Mean quality (1 … 5)"),
                     "matrix": _("Mean quality by stage and mode (responses)"),
                     "trend": _("Mean quality per month and mode")},
    "mean_completeness": {"name": _("Completeness"), "mean": _("Mean completeness"),
                          "axis": _("Mean completeness (1 … 5)"),
                          "matrix": _("Mean completeness by stage and mode (responses)"),
                          "trend": _("Mean completeness per month and mode")}}
st.caption(_("Are we as good on the phone as face to face? Quality and completeness of our responses "
             "(1 … 5) in each mode of communication."))
if read(ctx, "customer_names").empty:
    empty_state(_("There are no customers yet, so there is no response to judge."))
    st.stop()
left, right = st.columns([3, 1])
with left:
    choice = url_choice(_("Stage"), list(STAGE_CHOICES), "all", "stage", STAGE_CHOICES.get)
stage = None if choice == "all" else choice
since = right.date_input(_("Since"), value=None, key="since", bind="query-params", max_value=ctx.today,
                         format="YYYY-MM-DD", help=_("Whole months from this date. Empty = the last three months."))
since = since or crm_core.default_since(ctx.as_of)
st.caption(_("Responses from {month} up to {day}.", month=fmt_month(since), day=fmt_date(ctx.today)))

by_mode = with_labels(read(ctx, "quality_by_mode", ctx.as_of, since=since, stage=stage))
for column, row in zip(st.columns(len(by_mode)), by_mode.itertuples()):
    column.metric(row.mode_label, "—" if not row.responses else
                  f"{fmt_number(row.mean_quality)} · {fmt_number(row.mean_completeness)}",
                  help=_("Mean quality · mean completeness (1 … 5)"), border=True)
    column.caption(n_("{count} response", "{count} responses", row.responses, count=fmt_number(row.responses, 0)))

matrix = read(ctx, "quality_by_stage_mode", ctx.as_of, since=since)
matrix = with_labels(matrix[matrix["stage"] == stage] if stage else matrix)
if matrix.empty:
    st.info(_("No response was logged in this period. Pick an earlier *Since* date."))
else:
    stage_order = [stage_label(s) for s in crm_core.STAGES]
    mode_order = [mode_label(m) for m in crm_core.MODES]
    for column, (measure, texts) in zip(st.columns(2), MEASURES.items()):
        cells = matrix.assign(text=[f"{fmt_number(v)} ({fmt_number(n, 0)})"
                                    for v, n in zip(matrix[measure], matrix["responses"])],
                              mean_text=matrix[measure].map(fmt_number),
                              count_text=matrix["responses"].map(lambda n: fmt_number(n, 0)))
        base = alt.Chart(cells).encode(
            x=alt.X("mode_label:N", title=_("Mode"), sort=mode_order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("stage_label:N", title=_("Stage"), sort=stage_order))
        rect = base.mark_rect().encode(color=alt.Color(f"{measure}:Q", title=texts["name"], scale=RATING), tooltip=[
            alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("mode_label:N", title=_("Mode")),
            alt.Tooltip("mean_text:N", title=texts["mean"]),
            alt.Tooltip("count_text:N", title=_("Responses"))])
        column.altair_chart((rect + base.mark_text(fontSize=14).encode(text="text:N")).properties(
            title=texts["matrix"],
            height=90 + 50 * len(cells["stage"].unique())), width="stretch")

trend = with_labels(read(ctx, "quality_trend", ctx.as_of, stage=stage))
if not trend.empty:
    for column, (measure, texts) in zip(st.columns(2), MEASURES.items()):
        line = alt.Chart(trend.assign(month_text=trend["month"].map(fmt_month), mean_text=trend[measure].map(fmt_number),
                                      count_text=trend["responses"].map(lambda n: fmt_number(n, 0))),
                         title=texts["trend"]).mark_line(point=True).encode(
            x=month_axis(_("Month")), y=alt.Y(f"{measure}:Q", title=texts["axis"], scale=alt.Scale(domain=[1, 5])),
            color=mode_colour(), tooltip=[
                alt.Tooltip("month_text:N", title=_("Month")), alt.Tooltip("mode_label:N", title=_("Mode")),
                alt.Tooltip("mean_text:N", title=texts["mean"]),
                alt.Tooltip("count_text:N", title=_("Responses"))])
        column.altair_chart(line.properties(height=300), width="stretch")

st.subheader(_("Weakest responses in the period"))
weakest = read(ctx, "weakest_responses", ctx.as_of, since=since, stage=stage)
if weakest.empty:
    st.caption(_("No response in this period."))
else:
    view = with_labels(weakest).assign(day=weakest["responded_on"].map(fmt_date),
                                       journey=journey_link(weakest["customer_id"]))
    st.dataframe(view[["day", "name", "journey", "stage_label", "mode_label", "quality", "completeness",
                       "summary", "author"]], hide_index=True, width="stretch", column_config={
        "day": _("Date"), "name": _("Customer"), "journey": link_column(), "stage_label": _("Stage"),
        "mode_label": _("Mode"), "quality": _("Quality"), "completeness": _("Completeness"), "summary": _("Summary"),
        "author": _("By")})
    download(weakest, "weakest-responses")
    st.caption(_("Lowest quality + completeness first; the newest first among equals."))
