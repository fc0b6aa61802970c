"""The customer list of the Customers page, through ``presented``: a run takes from the cache
the rows it shows, not the whole list, which the CSV reads on the click."""

from __future__ import annotations

import pandas as pd

import crm_core

from . import SHOWN, Context, fmt_each, read


def first_customers(ctx: Context, *choices) -> tuple[pd.DataFrame, int]:
    """The first ``SHOWN`` rows of ``crm_core.customer_list(*choices)`` and how many there are,
    cached small: a run that took the whole list from the cache unpickled a copy of it (24 MB
    at 100,000 customers)."""
    found = read(ctx, crm_core.customer_list, *choices)
    return found.head(SHOWN), len(found)


def every_customer(ctx: Context, *choices) -> pd.DataFrame:
    """Every row of the list, its at-risk reasons spelled as one text, for the CSV: made on the
    click (at 100,000 customers spelling every row's reasons cost 20 ms a run)."""
    found = read(ctx, crm_core.customer_list, *choices)
    return found.drop(columns=["reasons"]).assign(at_risk_reasons=fmt_each(found["reasons"], " ".join))
