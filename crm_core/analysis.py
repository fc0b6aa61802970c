"""Analytical CRM: which of our responses move opinion, and what to give next.

The method, in full (``METHOD`` is the one-sentence version for the page):

1. **Who is judged.** For a stage, every customer (matching the portfolio
   filters) with at least one opinion of that stage recorded by the end of
   ``as_of``. Each contributes one number: its *latest* opinion of the stage by
   then (−2 … +2; latest = last day, then last entered) — the opinion that
   followed whatever we had given before it.
2. **Who received what.** A customer *received item X* when X was addressed in
   a response of that stage on or before the day of that opinion (same day
   counts: both are known by date only). It *received mode M* when it had a
   response of that stage in mode M on or before that day. Customers without
   any response at the stage received nothing.
3. **The difference.** For each item (and each mode): mean opinion of those
   who received it minus mean opinion of those who did not.
4. **How sure.** The standard error of that difference is
   ``sqrt(var_with / n_with + var_without / n_without)`` with the sample
   variances (n − 1) of each side; the 95 % interval is the difference
   ± 1.96 standard errors (normal approximation). With fewer than
   ``MIN_CUSTOMERS`` customers on either side we say "too few to say" instead.

This is an association across customers, not proof of cause: customers who
get a delay plan may differ in other ways too. It is meant to point at the
responses worth checking first.

Every function takes an open database and an optional ``as_of`` (``None`` =
now) and returns DataFrames (or a small dataclass of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalogue import MODE_LABELS, MODES
from .i18n import N_
from .validation import check_stage
from .reads import Journey, journey
from .storage import opinion_drivers_queries as sql
from .snapshot import SnapshotDay

MIN_CUSTOMERS = 5   # on each side of a comparison, below which we say "too few to say"
Z_95 = 1.96         # normal-approximation multiplier for a 95 % interval
METHOD = N_("For every customer with an opinion of this stage we take its latest opinion and compare "
            "the average of customers who had received the response on or before that day with those "
            "who had not (bars: the difference, lines: 95% interval; fewer than {n} customers on "
            "either side is too few to say); an association, not proof of cause.")
COLUMNS = ["label", "customers_with", "customers_without", "mean_with", "mean_without", "difference",
           "std_error", "low", "high", "too_few"]


@dataclass
class OpinionDrivers:
    """How the latest opinion of one stage differs with each response we gave (see module doc)."""

    stage: str
    customers: int           # judged customers: those with an opinion of the stage
    mean_opinion: float      # their mean latest opinion (NaN if none)
    items: pd.DataFrame      # one row per checklist item: item_key + COLUMNS, checklist order
    modes: pd.DataFrame      # one row per mode: mode + COLUMNS, MODES order


def _compare(sums: pd.DataFrame) -> pd.DataFrame:
    """From SQL sums (``with_customers, with_sum, with_squares, customers, score_sum,
    square_sum``) to the comparison columns of ``COLUMNS`` (except ``label``)."""
    n_with = sums["with_customers"].astype(int)
    n_without = (sums["customers"] - sums["with_customers"]).astype(int)
    sides = {"with": (n_with, sums["with_sum"], sums["with_squares"]),
             "without": (n_without, sums["score_sum"] - sums["with_sum"],
                         sums["square_sum"] - sums["with_squares"])}
    found = pd.DataFrame({"customers_with": n_with, "customers_without": n_without}, index=sums.index)
    spread = {}
    for side, (n, total, squares) in sides.items():
        n = n.astype(float)
        found[f"mean_{side}"] = total / n.where(n > 0)
        # sample variance from sums: (Σx² − (Σx)²/n) / (n − 1); clipped against rounding below 0
        spread[side] = ((squares - total ** 2 / n.where(n > 0)) / (n - 1).where(n > 1)).clip(lower=0) / n
    found["difference"] = found["mean_with"] - found["mean_without"]
    found["std_error"] = np.sqrt(spread["with"] + spread["without"])
    found["low"] = found["difference"] - Z_95 * found["std_error"]
    found["high"] = found["difference"] + Z_95 * found["std_error"]
    found["too_few"] = (n_with < MIN_CUSTOMERS) | (n_without < MIN_CUSTOMERS)
    return found


READINGS = ("higher", "lower", "unclear", "too_few")


def readings(table: pd.DataFrame) -> pd.Series:
    """What each row of the ``items`` or ``modes`` of ``opinion_drivers`` says (``READINGS``):
    ``too_few`` with fewer than ``MIN_CUSTOMERS`` on either side, else ``higher`` (opinion
    higher where given: the whole 95 % interval above 0), ``lower`` (all of it below 0)
    or ``unclear`` (the interval holds 0)."""
    reading = pd.Series("unclear", index=table.index, dtype=object)
    reading[table["low"] > 0] = "higher"
    reading[table["high"] < 0] = "lower"
    reading[table["too_few"].astype(bool)] = "too_few"
    return reading


def opinion_drivers(db, stage: str, as_of=None, filters: dict | None = None) -> OpinionDrivers:
    """Which responses of ``stage`` go with a better latest opinion of that stage.

    Takes the stage, ``as_of`` and portfolio ``filters`` (``sector``, ``region``,
    ``account_manager``: a value or a list each). Returns ``OpinionDrivers`` whose
    ``items`` and ``modes`` tables hold per checklist item (``item_key``) or mode
    (``mode``): ``label``, ``customers_with`` / ``customers_without``, ``mean_with``
    / ``mean_without`` (mean opinion, NaN when nobody), ``difference`` (with −
    without), ``std_error``, ``low`` / ``high`` (95 % interval) and ``too_few``
    (fewer than ``MIN_CUSTOMERS`` on either side). The method is the module doc."""
    check_stage(stage, allow_none=False)
    sums = sql.driver_sums(db, stage, SnapshotDay.of(as_of).bound, MODES, filters)
    compared = pd.concat([sums[["kind", "key", "label"]], _compare(sums)], axis=1)
    items = compared[compared["kind"] == "item"].rename(columns={"key": "item_key"})
    modes = compared[compared["kind"] == "mode"].rename(columns={"key": "mode"})
    modes = modes.assign(label=modes["mode"].map(MODE_LABELS))
    customers = int(sums["customers"].iloc[0])
    mean = float(sums["score_sum"].iloc[0]) / customers if customers else float("nan")
    return OpinionDrivers(stage=stage, customers=customers, mean_opinion=mean,
                          items=items.drop(columns="kind").reset_index(drop=True),
                          modes=modes.drop(columns="kind").reset_index(drop=True))


def next_best_responses(db, customer_id: int, as_of=None) -> pd.DataFrame:
    """What to give ``customer_id`` next at the end of ``as_of``: ``next_best_of`` its
    journey and the ``opinion_drivers`` of its current stage. Columns: ``stage,
    item_key`` and ``COLUMNS``. Empty when the customer is unknown or did not exist yet."""
    found = journey(db, customer_id, as_of)
    if found is None or found.current_stage is None:
        return pd.DataFrame(columns=["stage", "item_key", *COLUMNS])
    return next_best_of(found, opinion_drivers(db, found.current_stage, as_of))


def next_best_of(found: Journey, drivers: OpinionDrivers) -> pd.DataFrame:
    """The checklist items of the journey's current stage not given yet, ranked by how the
    latest opinion of that stage differs with them across the whole portfolio
    (``drivers``: ``opinion_drivers`` of that stage, unfiltered): items with enough
    customers first, largest difference first; then the too-few-to-say ones in
    checklist order. Columns: ``stage, item_key`` and ``COLUMNS``; empty when every
    item was given. Takes the drivers so a page can share one cached analysis of
    the stage between all customers."""
    checklist = found.checklist
    missing = checklist.loc[(checklist["stage"] == drivers.stage) & ~checklist["done"], "item_key"]
    ranked = drivers.items.reset_index(names="position")
    ranked = ranked[ranked["item_key"].isin(missing)].assign(
        order=lambda f: f["difference"].where(~f["too_few"]).fillna(-np.inf))
    ranked = ranked.sort_values(["too_few", "order", "position"], ascending=[True, False, True])
    return ranked.assign(stage=drivers.stage)[["stage", "item_key", *COLUMNS]].reset_index(drop=True)
