"""Opinion trends: is opinion getting better?"""

import altair as alt
import streamlit as st

import crm_core
from pages.common import download, empty_state, fmt_opinion, read, setup, stage_colour, with_labels
from pages.common.charts import (day_text, journey_link, link_column, month_axis, portfolio_filters,
                                 self_assessment_charts, stage_label, url_choice)

SPLITS = {"all": "Portfolio", "stage": "Stage", "sector": "Sector", "region": "Region",
          "account_manager": "Account manager"}
MOVERS = 20
CHANGE = alt.Scale(domain=["Fell", "Rose"], range=["#C0392B", "#2E86C1"])

ctx = setup("Opinion trends", "📈")
st.caption("Is opinion getting better? Monthly opinion, who moved most, and whether we rate "
           "ourselves higher than our customers do.")
if read(ctx, "customer_names").empty:
    empty_state("There are no customers yet, so there is no opinion to follow.")
    st.stop()
# Drawn on every tab: a bound widget that is not drawn drops its value from the URL.
filters = portfolio_filters(ctx)
trend_tab, movers_tab, gap_tab = st.tabs(["Trend", "Movers", "Self-assessment"], key="view",
                                         bind="query-params")

if trend_tab.open:
    with trend_tab:
        by = url_choice("Split by", list(SPLITS), "all", "by", SPLITS.get)
        trend = read(ctx, "opinion_trend", ctx.as_of, by=None if by == "all" else by, filters=filters or None)
        if trend.empty:
            st.info("No customer matching these filters has an opinion yet. Clear a filter." if filters else
                    "No opinion has been recorded yet. Record one from *Log a response*.")
        else:
            what = "Opinion of each stage (−2 … +2)" if by == "stage" else "Final opinion (−6 … +6)"
            data = with_labels(trend.rename(columns={"group": "stage"}) if by == "stage" else trend)
            data["mean_text"] = data["mean"].map(fmt_opinion)
            colour = (stage_colour() if by == "stage" else alt.Color("group:N", title=SPLITS[by])).legend(None)
            base = alt.Chart().encode(x=month_axis(), color=colour)
            band = base.mark_errorband(opacity=0.2).encode(y=alt.Y("mean:Q", title=what), yError="std:Q")
            line = base.mark_line(point=True).encode(y="mean:Q", tooltip=[
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("stage_label:N" if by == "stage" else "group:N", title=SPLITS[by]),
                alt.Tooltip("mean_text:N", title="Mean opinion"),
                alt.Tooltip("std:Q", title="Spread (std)", format=".1f"),
                alt.Tooltip("rated:Q", title="Rated customers")])
            title = f"{what}: monthly mean ± 1 standard deviation"
            chart = alt.layer(band, line, data=data)
            if by == "all":
                st.altair_chart(chart.properties(title=title, height=380), width="stretch")
            else:   # one small chart per group: overlapping bands are unreadable
                panel = "stage_label:N" if by == "stage" else "group:N"
                order = [crm_core.STAGE_LABELS[s] for s in crm_core.STAGES] if by == "stage" else "ascending"
                st.altair_chart(chart.properties(width=320, height=200).facet(
                    facet=alt.Facet(panel, title=None, sort=order), columns=3, title=title))
            st.caption("Each month shows the state at its last day: every rated customer's latest opinion. "
                       "The band is one standard deviation either side of the mean.")

if movers_tab.open:
    with movers_tab:
        period = st.number_input("Period (days)", min_value=7, max_value=3650, value=180, step=30,
                                 key="period", bind="query-params")
        start = crm_core.period_start(ctx.as_of, period)
        movers = read(ctx, "biggest_movers", ctx.as_of, period_days=int(period), filters=filters or None,
                      limit=MOVERS)
        st.caption(f"Final opinion on {day_text(start)} against {day_text(ctx.today)}, for customers "
                   "rated on both days. Largest changes first.")
        if movers.empty:
            st.info("No customer's final opinion changed in this period. Try a longer period.")
        else:
            view = movers.assign(direction=movers["change"].map(lambda c: "Rose" if c > 0 else "Fell"),
                                 change_text=movers["change"].map(fmt_opinion),
                                 start_text=movers["opinion_start"].map(fmt_opinion),
                                 end_text=movers["opinion_end"].map(fmt_opinion),
                                 stage_then=movers["stage_start"].map(stage_label),
                                 stage_now=movers["stage"].map(stage_label),
                                 journey=journey_link(movers["customer_id"]))
            bars = alt.Chart(view, title=f"Biggest movers in the last {int(period)} days").mark_bar().encode(
                x=alt.X("change:Q", title="Change in final opinion"),
                y=alt.Y("name:N", title=None, sort=list(view["name"]), axis=alt.Axis(labelLimit=240)),
                color=alt.Color("direction:N", title="Opinion", scale=CHANGE),
                tooltip=[alt.Tooltip("name:N", title="Customer"), alt.Tooltip("change_text:N", title="Change"),
                         alt.Tooltip("start_text:N", title="Then"), alt.Tooltip("end_text:N", title="Now"),
                         alt.Tooltip("stage_then:N", title="Stage then"),
                         alt.Tooltip("stage_now:N", title="Stage now")])
            st.altair_chart(bars.properties(height=alt.Step(22)), width="stretch")
            st.dataframe(view[["name", "journey", "change_text", "start_text", "end_text", "stage_then",
                               "stage_now", "account_manager", "sector"]], hide_index=True, width="stretch",
                         column_config={"name": "Customer", "journey": link_column(), "change_text": "Change",
                                        "start_text": "Then", "end_text": "Now", "stage_then": "Stage then",
                                        "stage_now": "Stage now", "account_manager": "Account manager",
                                        "sector": "Sector"})
            download(movers, "opinion-movers")

if gap_tab.open:
    with gap_tab:
        gaps = read(ctx, "self_assessment_trend", ctx.as_of)
        if gaps.empty:
            st.info("No response or opinion yet: log responses and record opinions to compare them.")
        else:
            lines, gap = self_assessment_charts(with_labels(gaps))
            st.altair_chart(lines, width="stretch")
            st.altair_chart(gap, width="stretch")
            st.caption("Response score: the stage's checklist coverage, quality and completeness on the "
                       "opinion scale (the formula is in *crm_core.scores*), pooled over the portfolio.")
            if filters:
                st.caption("The filters apply to the Trend and Movers tabs: ratings are summed per "
                           "stage and mode, not per customer, so this view covers the whole portfolio.")
