"""Service and promises: how fast do we react after delivery, and do we keep what we promised?"""

import pandas as pd
import streamlit as st

import crm_core
from pages.common import (SHOWN, _, customers_or_stop, entry_closed, first_of, fmt_month, fmt_number, fmt_pct, n_, read,
                          setup)
from pages.common.charts import link_column, portfolio_filters
from pages.common.forms import customer_picker, for_customer, form_box, session_author
from pages.common.presented import draw, presented
from pages.common.service import (case_form, clock_now, compliance_table, event_form, fmt_hours, fmt_price_premium,
                                  open_cases_table, promise_form, promises_shown, resolve_form, spares_table,
                                  trend_chart)

# Everything here is read from the service cases, the promises and the customers: a colleague's
# response or opinion leaves it warm.
ctx = setup("Service and promises", "🛠️").scoped(crm_core.SERVICE, crm_core.CUSTOMERS)
author = session_author()
names = customers_or_stop(ctx, _("There are no customers yet."))
filters = portfolio_filters(ctx) or None
now = clock_now()
customer_id = customer_picker(names)


def fault_clock() -> None:
    figures = read(ctx, crm_core.service_portfolio, ctx.as_of, filters=filters, now=now)
    kpis = st.columns(5)
    kpis[0].metric(_("Open cases"), fmt_number(figures.open_cases, 0), border=True)
    kpis[1].metric(_("Open past target"), fmt_number(figures.open_breached, 0), border=True,
                   help=_("Open cases with a running clock past the target of their priority."))
    medians = {"first_reply": _("Median first reply"), "attention": _("Median attention"),
               "repair": _("Median repair")}
    for column, (clock, label) in zip(kpis[2:], medians.items()):
        column.metric(label, fmt_hours(figures.medians[clock]), border=True,
                      help=_("Median time from the report, over the clocks already stopped."))
    if figures.cases == 0:
        st.info(_("No service case yet. When a customer reports a fault, open a case below: its clocks start."))
    else:
        st.subheader(n_("{n} open case, most urgent first", "{n} open cases, most urgent first", figures.open_cases),
                     anchor=False)
        if not figures.open_cases:
            st.success(_("No open case: every reported fault is closed."))
        else:
            st.dataframe(presented(ctx, open_cases_table, filters, now), hide_index=True, width="stretch",
                         column_config={"journey": link_column()})
            first_of(SHOWN, figures.open_cases)
        left, right = st.columns([2, 3])
        left.markdown("**" + _("Within target, per priority") + "**")
        left.dataframe(presented(ctx, compliance_table, filters, now), hide_index=True, width="stretch")
        left.caption(_("Clocks stopped within target ÷ clocks decided (stopped, or running and already late)."))
        draw(ctx, trend_chart, filters, now, into=right)
        running = figures.trend.loc[figures.trend["partial"], "month"]
        if len(running):
            right.caption(_("{month} is left out until it ends: its few cases are not yet a month's figure.",
                            month=fmt_month(running.iloc[0])))
        st.subheader(_("Spare parts at actual price?"), anchor=False)
        st.metric(_("Quoted price, all spare parts"), fmt_price_premium(figures.price_ratio),
                  help=_("Quoted against the reference price; more than {share} above it the checklist does not "
                         "count it as fair.", share=fmt_pct(crm_core.service.FAIR_PRICE_RATIO - 1)))
        if len(figures.spares):
            st.dataframe(presented(ctx, spares_table, filters, now), hide_index=True, width="stretch")
            first_of(SHOWN, len(figures.spares))
    if not entry_closed(ctx):   # no entry form on a past snapshot (it says why)
        form_box(_("Open a case"), "case_box", "🆕", for_customer, case_form, ctx, customer_id, author,
                 open_now=figures.cases == 0)
        if figures.open_cases:
            form_box(_("Log a first reply, an expert assigned, a repair or the closing"), "event_box", "⏱️",
                     event_form, ctx, figures.waiting, author)



def promises() -> None:
    record = read(ctx, crm_core.promise_record, ctx.as_of, filters=filters).iloc[0]
    kpis = st.columns(4)
    kpis[0].metric(_("Promises"), fmt_number(record['promises'], 0), border=True)
    kpis[1].metric(_("Kept"), fmt_pct(record["kept_rate"]), border=True,
                   help=_("Kept ÷ resolved (kept, broken or renegotiated)."))
    kpis[2].metric(_("Average slip"), "—" if record["average_slip"] is None else
                   _("{days} days", days=fmt_number(record["average_slip"], 1)), border=True,
                   help=_("Resolution day − due day, over resolved promises with a due date (positive = late)."))
    kpis[3].metric(_("Overdue"), fmt_number(record['overdue'], 0), border=True)
    managers = read(ctx, crm_core.promise_record, ctx.as_of, by="account_manager", filters=filters)
    st.dataframe(pd.DataFrame({
        _("Account manager"): managers["group"], _("Promises"): managers["promises"],
        _("Kept"): managers["kept_rate"].map(fmt_pct), _("Broken"): managers["broken"],
        _("Average slip (days)"): managers["average_slip"].map(fmt_number), _("Overdue"): managers["overdue"]}),
        hide_index=True, width="stretch")
    chosen = {"customer_id": customer_id, "filters": filters}
    overdue = read(ctx, crm_core.promise_count, ctx.as_of, **chosen, only="overdue")
    st.subheader(n_("{n} overdue promise", "{n} overdue promises", overdue), anchor=False)
    if overdue:
        st.dataframe(presented(ctx, promises_shown, customer_id, filters, "overdue"), hide_index=True, width="stretch")
        first_of(SHOWN, overdue)
    st.subheader(_("All promises") if customer_id is None else _("This customer's promises"), anchor=False)
    total = read(ctx, crm_core.promise_count, ctx.as_of, **chosen)
    if not total:
        st.info(_("No promise recorded yet. Write down what sales promised, so delivery can be checked against it."))
    else:
        st.dataframe(presented(ctx, promises_shown, customer_id, filters, None), hide_index=True, width="stretch")
        first_of(SHOWN, total)
    if not entry_closed(ctx):   # no entry form on a past snapshot (it says why)
        form_box(_("Record a promise"), "promise_box", "🤝", for_customer, promise_form, ctx, customer_id, author)
        # Only the chosen customer's open promises: the whole portfolio's would be thousands of choices.
        still_open = [] if customer_id is None else read(ctx, crm_core.promise_list, ctx.as_of, customer_id=customer_id,
                                                         only="open")
        if len(still_open):
            form_box(_("Mark a promise kept, broken or renegotiated"), "resolve_box", "✔️", resolve_form, ctx,
                     still_open, author)


# Only the open tab is built: tabs bound to the URL (``tab=``) run lazily.
for tab, body in zip(st.tabs([_("Fault clock"), _("Promises")], key="tab", bind="query-params"),
                     (fault_clock, promises)):
    if tab.open:
        with tab:
            body()
