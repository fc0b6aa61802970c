"""Response quality by mode: are we as good on the phone as face to face?"""

import streamlit as st

import crm_core
from pages.common import (_, download, fmt_date, fmt_month, fmt_number, n_, portfolio_or_stop, read, setup, stage_label,
                          with_labels)
from pages.common.charts import journey_link, link_column, url_choice
from pages.common.presented import draw
from pages.common.quality import matrix_chart, measures, stage_mode_matrix, trend_chart

# Responses (and the customers' names) only: a case, a promise, a follow-up or an outcome leaves it warm.
ctx = setup("Response quality by mode", "☎️").scoped(*map(crm_core.stage_scope, crm_core.STAGES),
                                                     crm_core.CUSTOMERS)
STAGE_CHOICES = {"all": _("All stages"), **{stage: stage_label(stage) for stage in crm_core.STAGES}}
st.caption(_("Are we as good on the phone as face to face? Quality and completeness of our responses "
             "(1 … 5) in each mode of communication."))
portfolio_or_stop(ctx, _("There are no customers yet, so there is no response to judge."))
left, right = st.columns([3, 1])
with left:
    choice = url_choice(_("Stage"), list(STAGE_CHOICES), "all", "stage", STAGE_CHOICES.get)
stage = None if choice == "all" else choice
since = right.date_input(_("Since"), value=None, key="since", bind="query-params", max_value=ctx.today,
                         format="YYYY-MM-DD", help=_("Whole months from this date. Empty = the last three months."))
since = since or crm_core.default_since(ctx.as_of)
st.caption(_("Responses from {month} up to {day}.", month=fmt_month(since), day=fmt_date(ctx.today)))

by_mode = with_labels(read(ctx, crm_core.quality_by_mode, ctx.as_of, since=since, stage=stage))
for column, row in zip(st.columns(len(by_mode)), by_mode.itertuples()):
    # The label says which figure is which: two bare numbers side by side read as one.
    column.metric(_("{mode}: quality · completeness", mode=row.mode_label), "—" if not row.responses else
                  f"{fmt_number(row.mean_quality)} · {fmt_number(row.mean_completeness)}",
                  help=_("Mean quality · mean completeness (1 … 5)"), border=True)
    column.caption(n_("{count} response", "{count} responses", row.responses, count=fmt_number(row.responses, 0)))

if stage_mode_matrix(ctx, since, stage).empty:
    st.info(_("No response was logged in this period. Pick an earlier *Since* date."))
else:
    for column, measure in zip(st.columns(2), measures()):
        draw(ctx, matrix_chart, since, stage, measure, into=column)

if not read(ctx, crm_core.quality_trend, ctx.as_of, stage=stage).empty:
    for column, measure in zip(st.columns(2), measures()):
        draw(ctx, trend_chart, stage, measure, into=column)

st.subheader(_("Weakest responses in the period"))
weakest = read(ctx, crm_core.weakest_responses, ctx.as_of, since=since, stage=stage)
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
