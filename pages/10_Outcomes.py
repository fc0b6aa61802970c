"""Outcomes: what did the relationship earn, what did winning the customer cost,
and do happy customers bring more?"""

import streamlit as st

import crm_core
from pages.common import (SHOWN, _, band_label, customers_or_stop, entry_closed, first_of, fmt_money, fmt_multiple,
                          fmt_number, n_, read, setup)
from pages.common.charts import portfolio_filters, url_choice
from pages.common.forms import customer_picker, for_customer, form_box, session_author
from pages.common.outcomes import bands_chart, outcome_form, outcomes_table, returns_chart, returns_table
from pages.common.presented import draw, presented

# Everything here is read from the outcomes, the opinions (the final opinion's bands) and the
# customers: a colleague's response leaves it warm.
ctx = setup("Outcomes", "🏆").scoped(crm_core.OUTCOMES, crm_core.OPINIONS, crm_core.CUSTOMERS)
author = session_author()
names = customers_or_stop(ctx, _("There are no customers yet."))
filters = portfolio_filters(ctx) or None
by = url_choice(_("Per"), ["customer", "sector"], "customer", "by",
                {"customer": _("Customer"), "sector": _("Sector")}.get)
returns = read(ctx, crm_core.acquisition_returns, ctx.as_of, by, filters=filters)
bands = read(ctx, crm_core.outcomes_by_opinion, ctx.as_of, filters=filters)
if returns.empty:
    st.info(_("No customer matches these filters on that day. Clear a filter or pick another date."))
    st.stop()

cost, revenue = returns["acquisition_cost"].sum(), returns["revenue"].sum()
kpis = st.columns(5)
# Headline amounts are compact so they fit their card at 1366 px; the exact amount is right under them.
kpis[0].metric(_("Additional sales"), fmt_money(revenue, compact=True), border=True,
               help=_("Sum of the additional sales recorded up to the snapshot day."))
kpis[0].caption(fmt_money(revenue))
kpis[1].metric(_("Acquisition cost"), fmt_money(cost, compact=True), border=True,
               help=_("Sales and marketing spent to win these customers (from their profiles)."))
kpis[1].caption(fmt_money(cost))
kpis[2].metric(_("Sales ÷ cost"), fmt_multiple(revenue / cost if cost else None), border=True,
               help=_("Additional sales as a multiple of the acquisition cost: 2× means every unit spent "
                      "to win the customers brought two back."))
kpis[3].metric(_("Referrals given"), fmt_number(int(returns['referrals_given'].sum()), 0), border=True)
kpis[4].metric(_("Referrals lost"), fmt_number(int(returns['referrals_lost'].sum()), 0), border=True)

if not (returns[["additional_sales", "referrals_given", "referrals_lost"]].to_numpy().sum()):
    st.info(_("No outcome recorded yet. Record an additional sale or a referral below; "
              "this page then sets it beside the customer's opinion and acquisition cost."))
else:
    st.subheader(_("Do customers with a better opinion bring more?"), anchor=False)
    left, right = st.columns([3, 2])
    draw(ctx, bands_chart, filters, into=left)
    with right:
        for row in bands.itertuples():
            st.markdown(f"**{band_label(row.band)}** · " + n_("{n} customer", "{n} customers", row.customers))
            st.caption(_("{amount} of additional sales per customer ({sales} sales) · {given} referrals given "
                         "· {lost} lost", amount=fmt_money(row.revenue_per_customer),
                         sales=fmt_number(row.additional_sales_per_customer, 2),
                         given=fmt_number(row.referrals_given_per_customer, 2),
                          lost=fmt_number(row.referrals_lost_per_customer, 2)))
    st.caption(_("Final opinion = sum of the latest opinion of each reached stage (−6 … +6), on the snapshot day."))

st.subheader(_("Acquisition cost beside what it led to"), anchor=False)
left, right = st.columns([2, 3])
draw(ctx, returns_chart, by, filters, into=left)
right.dataframe(presented(ctx, returns_table, by, filters), hide_index=True, width="stretch")
first_of(SHOWN, len(returns), into=right)

customer_id = customer_picker(names)
found = presented(ctx, outcomes_table, customer_id, filters)
st.subheader(_("Outcomes of this customer") if customer_id else _("Latest outcomes"), anchor=False)
if found.empty:
    st.caption(_("None recorded."))
else:
    st.dataframe(found, hide_index=True, width="stretch")
if not entry_closed(ctx):   # no entry form on a past snapshot (it says why)
    form_box(_("Record an outcome"), "outcome_box", "🏆", for_customer, outcome_form, ctx, customer_id, author)
