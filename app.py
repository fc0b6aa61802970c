"""Overview: how is the portfolio, and who needs attention?"""

import streamlit as st

import crm_core
from crm_core import risk
from pages.common import (_, carried, download, expander, fmt_number, fmt_opinion, fmt_pct, n_, portfolio_or_stop, read,
                          setup, stage_label)
from pages.common.charts import link_column, portfolio_filters, url_choice
from pages.common.followups import my_follow_ups
from pages.common.overview import at_risk_rows, more_than_shown, opinions_chart, stages_chart
from pages.common.pack import pack_button
from pages.common.presented import draw, presented

ctx = setup("Portfolio overview", "📊")
portfolio_or_stop(ctx, _("There are no customers yet."))
# The period control needs room for "365 days" at 1366 px wide.
left, right = st.columns([3, 2])
with left:
    filters = portfolio_filters(ctx)
with right:
    period = int(url_choice(_("Period"), [str(p) for p in risk.PERIODS], str(risk.DEFAULT_PERIOD),
                            "period", lambda days: _("{days} days", days=days)))
figures, risky = read(ctx, crm_core.overview, ctx.as_of, period, filters=filters or None)
if figures.customers == 0:
    st.info(_("No customer matches these filters on that day. Clear a filter or pick another date."))
    st.stop()
pack_button(ctx, period=period, filters=filters or None)

kpis = st.columns(4)
kpis[0].metric(_("Customers"), fmt_number(figures.customers, 0), border=True,
               help=_("Customers existing on the snapshot day, with the filters applied."))
kpis[0].caption(" · ".join(f"{stage_label(stage)} {count}" for stage, count in figures.per_stage.items()))
change = figures.opinion_change
kpis[1].metric(_("Average final opinion"), fmt_opinion(figures.mean_final_opinion), border=True,
               delta=None if change is None else _("{change} in {days} days", change=fmt_opinion(change), days=period),
               delta_color="off" if change is None or abs(change) < 0.05 else "normal",
               help=_("Mean over rated customers of the sum of the latest opinion of each reached stage (−6 … +6)."))
kpis[1].caption(n_("{n} customer rated", "{n} customers rated", figures.rated))
kpis[2].metric(_("Coverage of current stages"), fmt_pct(figures.mean_coverage), border=True,
               help=_("Share of the current stage's expected responses given at least once, averaged over customers."))
kpis[3].metric(_("Act now"), fmt_number(figures.at_risk, 0), border=True,
               help=_("Customers at risk whose severity is {threshold} or more: the list to act on this week.",
                      threshold=risk.ACT_NOW))
kpis[3].caption(n_("{n} more to watch", "{n} more to watch", figures.to_watch))

charts = st.columns(2)
draw(ctx, stages_chart, period, filters or None, into=charts[0])
draw(ctx, opinions_chart, period, filters or None, into=charts[1])
my_follow_ups(ctx)

COLUMNS = {"name": _("Customer"), "severity": _("Severity"), "parts": _("Severity parts"), "why": _("Why"),
           "stage_label": _("Stage"), "opinion": _("Final opinion"), "change_text": _("Change"),
           "coverage_text": _("Coverage"), "silence": _("Last response"), "gap_text": _("Self-assessment gap"),
           "account_manager": _("Account manager"), "journey": link_column()}
st.subheader(_("Act now"))
if risky.empty:
    st.success(_("Nobody is at risk: opinions hold, expected responses are given and nobody is left waiting."))
    st.stop()
st.caption(_("Severity = how far the final opinion is below 0 + how many points it fell in {days} days "
             "+ 1 per other warning sign. Act now from {threshold}; highest first. "
             "Select a row to open the customer's journey.", days=period, threshold=risk.ACT_NOW))
acting = int(risky["act_now"].sum())
if acting:
    picked = st.dataframe(presented(ctx, at_risk_rows, period, filters or None, True), hide_index=True,
                          width="stretch", on_select="rerun", selection_mode="single-row", key="at_risk",
                          column_config=COLUMNS).selection.rows
    more_than_shown(acting)
else:
    st.success(_("Nobody needs action now; the customers below are to watch."))
    picked = []
if acting < len(risky):
    # Built only while open (opening it reruns the page, from the cache).
    watch = expander(n_("{n} customer to watch", "{n} customers to watch", len(risky) - acting), "watch_list",
                     icon="👀")
    if watch.open:
        with watch:
            watched = st.dataframe(presented(ctx, at_risk_rows, period, filters or None, False),
                                   hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                                   key="watch", column_config=COLUMNS).selection.rows
            more_than_shown(len(risky) - acting)
            # The watch list follows the act-now rows in ``risky``.
            picked = picked or [acting + row for row in watched]
download(risky, "at-risk")
if picked:
    customer = int(risky.iloc[picked[0]]["customer_id"])
    st.switch_page("pages/1_Customer_journey.py", query_params=carried(customer=customer))
