"""The customer list of the Customers page, through ``presented``: a run takes from the cache
the rows it shows, formatted, not the whole list, which the CSV reads on the click."""

from __future__ import annotations

import pandas as pd

import crm_core

from . import SHOWN, Context, _, fmt_date, fmt_each, fmt_opinion, fmt_pct, read, risk_reasons, stage_label
from .charts import journey_link
from .presented import presented_of


def first_customers(ctx: Context, *choices) -> tuple[pd.DataFrame, int]:
    """The first ``SHOWN`` rows of ``crm_core.customer_list(*choices)`` as ``customers_table``
    shows them, and how many there are, cached small: a run that took the whole list from the
    cache unpickled a copy of it (24 MB at 100,000 customers). The rows are formatted once per
    content (``presented_of``): a colleague's save seldom changes the first hundred."""
    found = read(ctx, crm_core.customer_list, *choices)
    return presented_of(customers_table, found.head(SHOWN)), len(found)


def customers_table(shown: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``crm_core.customer_list`` as the list shows them (text in the session's
    language; ``journey``: the link to the customer's journey)."""
    return pd.DataFrame({
        _("Customer"): shown["name"], _("Stage"): fmt_each(shown["stage"], stage_label),
        _("Final opinion"): fmt_each(shown["final_opinion"], fmt_opinion),
        _("Coverage"): fmt_each(shown["coverage"], fmt_pct),
        _("Last response"): fmt_each(shown["last_response_on"], fmt_date),
        _("At risk"): fmt_each(shown["reasons"], risk_reasons),
        _("Sector"): shown["sector"], _("Region"): shown["region"], _("Account manager"): shown["account_manager"],
        "journey": journey_link(shown["customer_id"])})


def every_customer(ctx: Context, *choices) -> pd.DataFrame:
    """Every row of the list, its at-risk reasons spelled as one text, for the CSV: made on the
    click (at 100,000 customers spelling every row's reasons cost 20 ms a run)."""
    found = read(ctx, crm_core.customer_list, *choices)
    return found.drop(columns=["reasons"]).assign(at_risk_reasons=fmt_each(found["reasons"], " ".join))
