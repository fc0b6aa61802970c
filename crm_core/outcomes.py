"""What the relationship earned: additional sales, referrals given and lost, set
beside what winning the customer cost (``customers.acquisition_cost``: sales
and marketing spend) and beside the customer's final opinion.

* **Revenue** of a customer = the sum of its additional sales.
* **Return on acquisition** = revenue ÷ acquisition cost (None without a cost).
* **Currency** of every amount (acquisition cost, additional sales): an ISO 4217
  code an admin sets for the team (``set_currency``), else the server's
  ``CRM_CURRENCY``, else ``EUR``; see ``currency``.
* **Opinion bands** of the final opinion (``scores.opinion_band``: negative,
  neutral, positive, not rated). Per band: customers and, per customer,
  additional sales, revenue, referrals given and lost.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
from babel import numbers

from . import funnel, scores, validation
from .catalogue import OPINION_BAND_LABELS
from .i18n import N_
from .storage import admin_commands, commands, relationship_commands, relationship_queries
from .validation import ValidationError
from .snapshot import SnapshotDay

KINDS: tuple[str, ...] = ("additional_sale", "referral_given", "referral_lost")
KIND_LABELS: dict[str, str] = {"additional_sale": N_("Additional sale"), "referral_given": N_("Referral given"),
                               "referral_lost": N_("Referral lost")}
GROUPS = ("customer", "sector")
CURRENCY_SETTING = "CRM_CURRENCY"
CURRENCY_NAME = "currency"   # its name in the ``settings`` table
DEFAULT_CURRENCY = "EUR"


def currency(db) -> str:
    """The ISO 4217 code every amount of ``db`` is in: the one an admin set, else
    ``CRM_CURRENCY`` upper-cased when it is a known code, else ``EUR``."""
    chosen = admin_commands.setting(db, CURRENCY_NAME)
    if chosen:
        return chosen
    code = os.environ.get(CURRENCY_SETTING, "").strip().upper()
    return code if code in numbers.list_currencies() else DEFAULT_CURRENCY


def set_currency(db, code: str, *, author: str | None = None) -> str:
    """Make ``code`` (an ISO 4217 code, any case) the currency of every amount; admins
    only once accounts exist. The amounts stay as they are: this names their unit, it
    converts nothing. Returns the code stored."""
    with funnel.change(db, author, role="admin") as change:
        code = (validation.check_text("currency", code, required=True, limit=3) or "").upper()
        if code not in numbers.list_currencies():
            raise ValidationError("currency", N_("{code} is not an ISO 4217 currency code"), code=code)
        setting_id = admin_commands.setting_id(db, CURRENCY_NAME)
        before = None if setting_id is None else commands.snapshot(db, "setting", setting_id)
        setting_id = admin_commands.put_setting(db, CURRENCY_NAME, code)
        change.record("create" if before is None else "update", "setting", setting_id, before)
        return code


def record_outcome(db, customer_id: int, kind: str, on_date, *, amount=None, counterpart: str | None = None,
                   note: str | None = None, author: str | None = None, today: dt.date | None = None) -> int:
    """Record an additional sale (``amount`` required) or a referral given or lost
    (``counterpart``: to whom, required). Returns the outcome id."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        customer = funnel.customer(db, customer_id)
        values = {
            "customer_id": customer_id, "kind": validation.check_choice("kind", kind, KINDS),
            "on_date": validation.check_date("on_date", on_date, today=today,
                                             not_before=dt.date.fromisoformat(customer["created_on"])),
            "amount": validation.check_amount("amount", amount),
            "counterpart": validation.check_text("counterpart", counterpart, limit=validation.MAX_NAME),
            "note": validation.check_text("note", note), "author": change.author,
        }
        if values["amount"] == float("inf"):
            raise ValidationError("amount", N_("is not a finite number"))
        if kind == "additional_sale" and not values["amount"]:
            raise ValidationError("amount", N_("an additional sale needs its amount"))
        if kind != "additional_sale" and not values["counterpart"]:
            raise ValidationError("counterpart", N_("say to whom the referral was given or lost"))
        outcome_id = relationship_commands.insert(db, "outcome", values)
        change.record("create", "outcome", outcome_id, None)
        return outcome_id


def outcome_list(db, as_of=None, customer_id: int | None = None, filters: dict | None = None,
                 limit: int | None = None) -> pd.DataFrame:
    """Outcomes by ``as_of``, newest first (the first ``limit`` only, so a page fetches
    what it shows): ``outcome_id, customer_id, name, sector, kind, on_date, amount,
    counterpart, note, author``."""
    return relationship_queries.outcomes(db, SnapshotDay.of(as_of).bound, customer_id, filters, limit)


def acquisition_returns(db, as_of=None, by: str = "customer", filters: dict | None = None) -> pd.DataFrame:
    """Acquisition cost beside what it led to, per ``customer`` or ``sector``:
    ``group`` (name or sector), ``customers, acquisition_cost, additional_sales,
    revenue, referrals_given, referrals_lost, return`` (revenue ÷ cost); per
    customer also ``customer_id``. Highest revenue first."""
    validation.check_choice("by", by, GROUPS)
    found = relationship_queries.outcome_totals(db, SnapshotDay.of(as_of).bound, filters)
    found["customers"] = 1
    if by == "sector":
        found = found.groupby(found["sector"].fillna("—"), as_index=False).agg(
            customers=("customers", "sum"), acquisition_cost=("acquisition_cost", lambda s: s.sum(min_count=1)),
            additional_sales=("additional_sales", "sum"), revenue=("revenue", "sum"),
            referrals_given=("referrals_given", "sum"), referrals_lost=("referrals_lost", "sum"))
    found["group"] = found["sector"] if by == "sector" else found["name"]
    cost = found["acquisition_cost"].where(found["acquisition_cost"] > 0)
    found["return"] = (found["revenue"] / cost).round(2)
    columns = ["group", "customers", "acquisition_cost", "additional_sales", "revenue", "referrals_given",
               "referrals_lost", "return"] + (["customer_id"] if by == "customer" else [])
    return found.sort_values(["revenue", "group"], ascending=[False, True])[columns].reset_index(drop=True)


def outcomes_by_opinion(db, as_of=None, filters: dict | None = None) -> pd.DataFrame:
    """Per opinion band (every band, in order): ``band, customers, additional_sales,
    revenue, referrals_given, referrals_lost`` (totals) and the same per customer
    (``<column>_per_customer``; NaN for an empty band)."""
    totals = relationship_queries.outcomes_per_final_opinion(db, SnapshotDay.of(as_of).bound, filters).astype(
        {"customers": int, "additional_sales": int, "revenue": float, "referrals_given": int, "referrals_lost": int})
    totals["band"] = scores.opinion_band(totals["final_opinion"])
    measures = ["customers", "additional_sales", "revenue", "referrals_given", "referrals_lost"]
    grouped = totals.groupby("band")[measures].sum().reindex(list(OPINION_BAND_LABELS), fill_value=0)
    for measure in measures[1:]:
        grouped[f"{measure}_per_customer"] = (grouped[measure] / grouped["customers"].where(
            grouped["customers"] > 0)).round(2)
    return grouped.rename_axis("band").reset_index()
