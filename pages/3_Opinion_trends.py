"""Opinion trends: is opinion getting better?"""

import streamlit as st

import crm_core
from pages.common import _, download, fmt_date, portfolio_or_stop, read, setup
from pages.common.charts import link_column, portfolio_filters, url_choice
from pages.common.presented import draw, presented
from pages.common.trends import movers_chart, movers_view, self_assessment_gap, self_assessment_lines, trend_chart

MOVERS = 20

ctx = setup("Opinion trends", "📈")
SPLITS = {"all": _("Portfolio"), "stage": _("Stage"), "sector": _("Sector"), "region": _("Region"),
          "account_manager": _("Account manager")}
st.caption(_("Is opinion getting better? Monthly opinion, who moved most, and whether we rate "
             "ourselves higher than our customers do."))
portfolio_or_stop(ctx, _("There are no customers yet, so there is no opinion to follow."))
# Drawn on every tab: a bound widget that is not drawn drops its value from the URL.
filters = portfolio_filters(ctx)
# The Trend and Movers tabs show opinions only: a colleague's response leaves them warm.
opinions = ctx.scoped(crm_core.OPINIONS, crm_core.CUSTOMERS)
trend_tab, movers_tab, gap_tab = st.tabs([_("Trend"), _("Movers"), _("Self-assessment")], key="view",
                                         bind="query-params")

if trend_tab.open:
    with trend_tab:
        by = url_choice(_("Split by"), list(SPLITS), "all", "by", SPLITS.get)
        trend = read(opinions, crm_core.opinion_trend, ctx.as_of, by=None if by == "all" else by,
                     filters=filters or None)
        if trend.empty:
            st.info(_("No customer matching these filters has an opinion yet. Clear a filter.") if filters else
                    _("No opinion has been recorded yet. Record one from *Log a response*."))
        else:
            # The small panels keep their own width.
            draw(opinions, trend_chart, by, SPLITS[by], filters or None, width="stretch" if by == "all" else "content")
            st.caption(_("Each month shows the state at its last day: every rated customer's latest opinion. "
                         "The band is one standard deviation either side of the mean."))

if movers_tab.open:
    with movers_tab:
        period = st.number_input(_("Period (days)"), min_value=7, max_value=3650, value=180, step=30,
                                 key="period", bind="query-params")
        start = crm_core.period_start(ctx.as_of, period)
        movers = read(opinions, crm_core.biggest_movers, ctx.as_of, period_days=int(period), filters=filters or None,
                      limit=MOVERS)
        st.caption(_("Final opinion on {start} against {end}, for customers rated on both days. Largest changes "
                     "first.", start=fmt_date(start), end=fmt_date(ctx.today)))
        if movers.empty:
            st.info(_("No customer's final opinion changed in this period. Try a longer period."))
        else:
            draw(opinions, movers_chart, int(period), filters or None, MOVERS)
            st.dataframe(presented(opinions, movers_view, int(period), filters or None, MOVERS)[
                ["name", "journey", "change_text", "start_text", "end_text", "stage_then", "stage_now",
                 "account_manager", "sector"]], hide_index=True, width="stretch",
                         column_config={"name": _("Customer"), "journey": link_column(), "change_text": _("Change"),
                                        "start_text": _("Then"), "end_text": _("Now"), "stage_then": _("Stage then"),
                                        "stage_now": _("Stage now"), "account_manager": _("Account manager"),
                                        "sector": _("Sector")})
            download(movers, "opinion-movers")

if gap_tab.open:
    with gap_tab:
        gaps = read(ctx, crm_core.self_assessment_trend, ctx.as_of)
        if gaps.empty:
            st.info(_("No response or opinion yet: log responses and record opinions to compare them."))
        else:
            draw(ctx, self_assessment_lines)
            draw(ctx, self_assessment_gap)
            st.caption(_("Response score: the stage's checklist coverage, quality and completeness on the "
                         "opinion scale (the formula is in *crm_core.scores*), pooled over the portfolio."))
            if filters:
                st.caption(_("The filters apply to the Trend and Movers tabs: ratings are summed per "
                             "stage and mode, not per customer, so this view covers the whole portfolio."))
