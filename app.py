"""Overview: how is the portfolio, and who needs attention?"""

import altair as alt
import pandas as pd
import streamlit as st

import crm_core
from crm_core import risk
from pages.common import (_, carried, download, empty_state, fmt_days_ago, fmt_each, fmt_number, fmt_opinion, fmt_pct,
                          n_, read, setup, stage_colour, stage_label, with_labels)
from pages.common.charts import journey_link, link_column, portfolio_filters, url_choice

ctx = setup("Portfolio overview", "📊")
REASONS = {"falling_opinion": "📉 " + _("Opinion falling"), "missing_responses": "🧩 " + _("Expected responses missing"),
           "silent": "🔇 " + _("No response for long"), "overrated": "🪞 " + _("We rate ourselves higher"),
           "service_breach": "🛠️ " + _("Service case past its target"),
           "broken_promise": "🤝 " + _("Promise broken or overdue")}
if read(ctx, "customer_names").empty:
    empty_state(_("There are no customers yet."))
    st.stop()
left, right = st.columns([3, 1])
with left:
    filters = portfolio_filters(ctx)
with right:
    period = int(url_choice(_("Period"), [str(p) for p in risk.PERIODS], str(risk.DEFAULT_PERIOD),
                            "period", lambda days: _("{days} days", days=days)))
figures, risky = read(ctx, "overview", ctx.as_of, period, filters=filters or None)
if figures.customers == 0:
    st.info(_("No customer matches these filters on that day. Clear a filter or pick another date."))
    st.stop()

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
kpis[2].metric(_("Checklist coverage of current stages"), fmt_pct(figures.mean_coverage), border=True,
               help=_("Share of the current stage's expected responses given at least once, averaged over customers."))
kpis[3].metric(_("At risk"), fmt_number(figures.at_risk, 0), border=True,
               help=_("Falling opinion, expected responses missing, no response for long, or we rate ourselves "
                      "higher than the customer does."))
kpis[3].caption(fmt_pct(figures.at_risk / figures.customers) + " " + _("of the portfolio"))

stages_frame = with_labels(pd.DataFrame({"stage": list(figures.per_stage), "customers": list(figures.per_stage.values())}))
by_stage = alt.Chart(stages_frame, title=_("Customers per stage")).mark_bar().encode(
    x=alt.X("customers:Q", title=_("Customers")),
    y=alt.Y("stage_label:N", title=None, sort=[stage_label(s) for s in crm_core.STAGES]),
    color=stage_colour().legend(None),
    tooltip=[alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("customers:Q", title=_("Customers"))])
opinions = figures.opinion_counts.assign(
    tone=lambda f: f["final_opinion"].map(lambda v: _("Negative") if v < 0 else _("Positive") if v > 0 else _("Neutral")))
by_opinion = alt.Chart(opinions, title=_("Final opinion of rated customers")).mark_bar().encode(
    x=alt.X("final_opinion:O", title=_("Final opinion (−6 … +6)"), scale=alt.Scale(domain=list(range(-6, 7)))),
    y=alt.Y("customers:Q", title=_("Customers")),
    color=alt.Color("tone:N", title=None, scale=alt.Scale(domain=[_("Negative"), _("Neutral"), _("Positive")],
                                                          range=["#C0392B", "#9AA5B1", "#2E8B57"])),
    tooltip=[alt.Tooltip("final_opinion:O", title=_("Final opinion")), alt.Tooltip("customers:Q", title=_("Customers"))])
charts = st.columns(2)
charts[0].altair_chart(by_stage, width="stretch")
charts[1].altair_chart(by_opinion, width="stretch")

st.subheader(_("Customers at risk"))
if risky.empty:
    st.success(_("Nobody is at risk: opinions hold, expected responses are given and nobody is left waiting."))
    st.stop()
st.caption(_("Most at risk first. Select a row to open the customer's journey."))
table = with_labels(risky).assign(
    why=fmt_each(risky["reasons"], lambda codes: " · ".join(REASONS[c] for c in codes)),
    opinion=fmt_each(risky["final_opinion"], fmt_opinion),
    change_text=fmt_each(risky["opinion_change"], lambda v: "" if pd.isna(v) else fmt_opinion(v)),
    coverage_text=fmt_each(risky["coverage"], fmt_pct),
    silence=fmt_each(risky["days_since_response"], fmt_days_ago),
    gap_text=fmt_each(risky["gap"], lambda v: fmt_number(v, 1)),
    journey=journey_link(risky["customer_id"]))
columns = ["name", "why", "stage_label", "opinion", "change_text", "coverage_text", "silence", "gap_text",
           "account_manager", "journey"]
picked = st.dataframe(table[columns], hide_index=True, width="stretch", on_select="rerun",
                      selection_mode="single-row", key="at_risk", column_config={
    "name": _("Customer"), "why": _("Why"), "stage_label": _("Stage"), "opinion": _("Final opinion"),
    "change_text": _("Change"), "coverage_text": _("Coverage"), "silence": _("Last response"),
    "gap_text": _("Self-assessment gap"), "account_manager": _("Account manager"), "journey": link_column()})
download(risky, "at-risk")
if picked.selection.rows:
    customer = int(risky.iloc[picked.selection.rows[0]]["customer_id"])
    st.switch_page("pages/1_Customer_journey.py", query_params=carried(customer=customer))
