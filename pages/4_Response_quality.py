"""Response quality by mode: are we as good on the phone as face to face?"""

import altair as alt
import streamlit as st

import crm_core
from pages.common import empty_state, mode_colour, read, setup, with_labels
from pages.common.charts import day_text, journey_link, link_column, month_axis, url_choice

STAGE_CHOICES = {"all": "All stages", **crm_core.STAGE_LABELS}
RATING = alt.Scale(domain=[1, 5], scheme="redyellowgreen")
MEASURES = {"mean_quality": "Quality", "mean_completeness": "Completeness"}

ctx = setup("Response quality by mode", "☎️")
st.caption("Are we as good on the phone as face to face? Quality and completeness of our responses "
           "(1 … 5) in each mode of communication.")
if read(ctx, "customer_names").empty:
    empty_state("There are no customers yet, so there is no response to judge.")
    st.stop()
left, right = st.columns([3, 1])
with left:
    choice = url_choice("Stage", list(STAGE_CHOICES), "all", "stage", STAGE_CHOICES.get)
stage = None if choice == "all" else choice
since = right.date_input("Since", value=None, key="since", bind="query-params", max_value=ctx.today,
                         format="YYYY-MM-DD", help="Whole months from this date. Empty = the last three months.")
since = since or crm_core.default_since(ctx.as_of)
st.caption(f"Responses from {since:%B %Y} up to {day_text(ctx.today)}.")

by_mode = with_labels(read(ctx, "quality_by_mode", ctx.as_of, since=since, stage=stage))
for column, row in zip(st.columns(len(by_mode)), by_mode.itertuples()):
    column.metric(row.mode_label, "—" if not row.responses else
                  f"{row.mean_quality:.1f} · {row.mean_completeness:.1f}",
                  help="Mean quality · mean completeness (1 … 5)", border=True)
    column.caption(f"{row.responses:,} responses")

matrix = read(ctx, "quality_by_stage_mode", ctx.as_of, since=since)
matrix = with_labels(matrix[matrix["stage"] == stage] if stage else matrix)
if matrix.empty:
    st.info("No response was logged in this period. Pick an earlier *Since* date.")
else:
    stage_order = [crm_core.STAGE_LABELS[s] for s in crm_core.STAGES]
    mode_order = [crm_core.MODE_LABELS[m] for m in crm_core.MODES]
    for column, (measure, name) in zip(st.columns(2), MEASURES.items()):
        cells = matrix.assign(text=[f"{v:.1f} ({n:,})" for v, n in zip(matrix[measure], matrix["responses"])])
        base = alt.Chart(cells).encode(
            x=alt.X("mode_label:N", title="Mode", sort=mode_order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("stage_label:N", title="Stage", sort=stage_order))
        rect = base.mark_rect().encode(color=alt.Color(f"{measure}:Q", title=name, scale=RATING), tooltip=[
            alt.Tooltip("stage_label:N", title="Stage"), alt.Tooltip("mode_label:N", title="Mode"),
            alt.Tooltip(f"{measure}:Q", title=f"Mean {name.lower()}", format=".1f"),
            alt.Tooltip("responses:Q", title="Responses", format=",")])
        column.altair_chart((rect + base.mark_text(fontSize=14).encode(text="text:N")).properties(
            title=f"Mean {name.lower()} by stage and mode (responses)",
            height=90 + 50 * len(cells["stage"].unique())), width="stretch")

trend = with_labels(read(ctx, "quality_trend", ctx.as_of, stage=stage))
if not trend.empty:
    for column, (measure, name) in zip(st.columns(2), MEASURES.items()):
        line = alt.Chart(trend, title=f"Mean {name.lower()} per month and mode").mark_line(point=True).encode(
            x=month_axis(), y=alt.Y(f"{measure}:Q", title=f"Mean {name.lower()} (1 … 5)",
                                    scale=alt.Scale(domain=[1, 5])),
            color=mode_colour(), tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"), alt.Tooltip("mode_label:N", title="Mode"),
                alt.Tooltip(f"{measure}:Q", title=f"Mean {name.lower()}", format=".1f"),
                alt.Tooltip("responses:Q", title="Responses", format=",")])
        column.altair_chart(line.properties(height=300), width="stretch")

st.subheader("Weakest responses in the period")
weakest = read(ctx, "weakest_responses", ctx.as_of, since=since, stage=stage)
if weakest.empty:
    st.caption("No response in this period.")
else:
    view = with_labels(weakest).assign(day=weakest["responded_on"].map(day_text),
                                       journey=journey_link(weakest["customer_id"]))
    st.dataframe(view[["day", "name", "journey", "stage_label", "mode_label", "quality", "completeness",
                       "summary", "author"]], hide_index=True, width="stretch", column_config={
        "day": "Date", "name": "Customer", "journey": link_column(), "stage_label": "Stage",
        "mode_label": "Mode", "quality": "Quality", "completeness": "Completeness", "summary": "Summary",
        "author": "By"})
    st.caption("Lowest quality + completeness first; the newest first among equals.")
