"""Charts, tables and the entry form of the outcomes page. The charts and tables take
``(ctx, *choices)`` and read themselves, for ``presented`` / ``draw``: they are built once
per write, snapshot day, choices and language (formatting and checking a chart cost more
than the cached reads)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import crm_core
from crm_core import outcomes

from . import SHOWN, Context, _, band_label, currency, fmt_date, fmt_each, fmt_money, fmt_multiple, fmt_number, read
from .forms import confirmation, field_error, other_error, save

def kind_label(kind: str) -> str:
    return _(outcomes.KIND_LABELS.get(kind, kind))


def bands_chart(ctx: Context, filters: dict | None) -> alt.Chart:
    """Per opinion band, per customer: the number of additional sales, referrals given and lost,
    side by side (all counts: their amounts are in the text beside it)."""
    bands = read(ctx, crm_core.outcomes_by_opinion, ctx.as_of, filters=filters)
    measures = {"additional_sales_per_customer": _("Number of additional sales"),
                "referrals_given_per_customer": _("Referrals given"),
                "referrals_lost_per_customer": _("Referrals lost")}
    long = bands.melt(id_vars=["band", "customers"], value_vars=list(measures), var_name="measure").dropna()
    long = long.assign(band_label=long["band"].map(band_label), measure_label=long["measure"].map(measures),
                       value_text=fmt_each(long["value"], lambda v: fmt_number(v, 2)))
    order = [band_label(b) for b in crm_core.catalogue.OPINION_BAND_LABELS]
    return alt.Chart(long, title=_("What each customer brought, by final opinion")).mark_bar().encode(
        x=alt.X("measure_label:N", title=None, sort=list(measures.values()), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("band_label:N", sort=order),
        y=alt.Y("value:Q", title=_("Number per customer")),
        color=alt.Color("band_label:N", title=_("Final opinion"), sort=order,
                        scale=alt.Scale(domain=order, range=list(crm_core.catalogue.OPINION_BAND_COLOURS.values()))),
        tooltip=[alt.Tooltip("band_label:N", title=_("Final opinion")),
                 alt.Tooltip("measure_label:N", title=_("Outcome")),
                 alt.Tooltip("value_text:N", title=_("Per customer")),
                 alt.Tooltip("customers:Q", title=_("Customers"))]).properties(height=300)


def returns_chart(ctx: Context, by: str, filters: dict | None, limit: int = 15) -> alt.Chart:
    """Acquisition cost beside the revenue it led to, per customer or sector (``by``): the
    ``limit`` largest revenues."""
    top = read(ctx, crm_core.acquisition_returns, ctx.as_of, by, filters=filters).head(limit)
    names = {"acquisition_cost": _("Acquisition cost"), "revenue": _("Additional sales")}
    long = top.melt(id_vars=["group"], value_vars=list(names), var_name="measure").fillna({"value": 0})
    long = long.assign(measure_label=long["measure"].map(names),
                       value_text=fmt_each(long["value"], fmt_money))
    return alt.Chart(long, title=_("Acquisition cost beside the sales it led to")).mark_bar().encode(
        y=alt.Y("group:N", title=None, sort=list(top["group"])),
        yOffset=alt.YOffset("measure_label:N"),
        x=alt.X("value:Q", title=_("Amount ({currency})", currency=currency())),
        color=alt.Color("measure_label:N", title=None, scale=alt.Scale(domain=list(names.values()),
                                                                        range=["#B279A2", "#2E8B57"])),
        tooltip=[alt.Tooltip("group:N", title=_("Customer or sector")),
                 alt.Tooltip("measure_label:N", title=_("Measure")),
                 alt.Tooltip("value_text:N", title=_("Amount"))]).properties(height=max(200, 36 * len(top)))


def returns_table(ctx: Context, by: str, filters: dict | None, limit: int = SHOWN) -> pd.DataFrame:
    """The ``limit`` highest returns per customer or sector (``by``) as shown, highest
    revenue first (formatting all 10,000 customers took half a second)."""
    returns = read(ctx, crm_core.acquisition_returns, ctx.as_of, by, filters=filters).head(limit)
    return pd.DataFrame({
        _("Customer or sector"): returns["group"], _("Customers"): returns["customers"],
        _("Acquisition cost"): fmt_each(returns["acquisition_cost"], fmt_money),
        _("Number of additional sales"): returns["additional_sales"],
        _("Sales amount"): fmt_each(returns["revenue"], fmt_money),
        _("Sales ÷ cost"): fmt_each(returns["return"], fmt_multiple),
        _("Referrals given"): returns["referrals_given"], _("Referrals lost"): returns["referrals_lost"]})


def outcomes_table(ctx: Context, customer_id: int | None, filters: dict | None, limit: int = 200) -> pd.DataFrame:
    """The ``limit`` latest outcomes (of ``customer_id``, or of the portfolio) as shown,
    newest first; empty when none is recorded."""
    found = read(ctx, crm_core.outcome_list, ctx.as_of, customer_id=customer_id, filters=filters, limit=limit)
    return pd.DataFrame({
        _("Date"): fmt_each(found["on_date"], fmt_date), _("Customer"): found["name"],
        _("Outcome"): fmt_each(found["kind"], kind_label),
        _("Amount"): fmt_each(found["amount"], fmt_money),
        _("To whom"): found["counterpart"].fillna("—"), _("Note"): found["note"].fillna("")})


def outcome_form(ctx: Context, customer_id: int, author: str | None) -> None:
    """Record an additional sale or a referral given or lost for ``customer_id``."""
    confirmation("outcome")
    with st.form("outcome"):
        kind, day = st.columns(2)
        kind.segmented_control(_("Outcome"), outcomes.KINDS, default="additional_sale", required=True,
                               format_func=kind_label, key="outcome_kind")
        day.date_input(_("Date"), value=dt.date.today(), key="outcome_day")
        field_error("outcome", "kind", "on_date")
        amount, whom = st.columns(2)
        amount.number_input(_("Amount of the additional sale ({currency})", currency=currency()),
                            min_value=0.0, value=None, key="outcome_amount")
        whom.text_input(_("To whom (referral)"), key="outcome_counterpart")
        with amount:
            field_error("outcome", "amount")
        with whom:
            field_error("outcome", "counterpart")
        st.text_input(_("Note"), key="outcome_note")
        other_error("outcome", ("kind", "on_date", "amount", "counterpart"))
        state = st.session_state
        st.form_submit_button(_("Record the outcome"), type="primary", on_click=lambda: save(
            "outcome", ctx.path, crm_core.record_outcome, customer_id, state["outcome_kind"], state["outcome_day"],
            amount=state["outcome_amount"], counterpart=state["outcome_counterpart"], note=state["outcome_note"],
            author=author, reset={"outcome_amount": None, "outcome_counterpart": "", "outcome_note": ""},
            done=_("Outcome recorded.")))
