"""Checklist gaps of a stage: which expected responses the portfolio keeps failing to give,
to how many customers, and where (the heatmap's cells). Takes an open database and an
optional ``as_of`` (see ``snapshot``); returns DataFrames. Formulas stay in ``scores``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .reads import coverage_grid, stages_from
from .snapshot import SnapshotDay
from .storage import queries
from .validation import check_stage

@dataclass
class ChecklistGaps:
    """What we keep failing to give at one stage (see ``checklist_gaps``)."""

    stage: str
    customers_total: int       # customers that had reached the stage
    customers_with_gaps: int   # of those, customers missing at least one item
    items: pd.DataFrame        # one row per item: item_key, label, missing, customers, missing_share
    customers: pd.DataFrame    # one row per customer, most gaps first
    cells: pd.DataFrame        # customer x item of the ``top`` customers with most gaps (gaps > 0)


def checklist_gaps(db, stage: str, as_of=None, filters: dict | None = None, top: int = 40) -> ChecklistGaps:
    """Checklist gaps at ``stage`` over the customers that had reached it (``checklist_coverage``).

    * ``items``: ``item_key, label, missing`` (customers without it), ``customers``,
      ``missing_share`` (0..1); most often missing first, then checklist order.
    * ``customers``: ``customer_id, name, sector, region, account_manager, stage``
      (current), ``missing, items_total, last_on`` (last day any item of the stage
      was addressed); most gaps first, then by name.
    * ``cells``: the ``checklist_coverage`` rows of the ``top`` first customers with at
      least one gap, with ``rank`` (their position in ``customers``)."""
    check_stage(stage, allow_none=False)
    day = SnapshotDay.of(as_of).bound
    checklist = queries.checklist_items(db)
    checklist = checklist[checklist["stage"] == stage]
    keys = list(checklist["key"])
    found = queries.stage_gaps(db, stage, day, stages_from(stage), keys, filters)
    # Without an item the coverage grid has no row, so nobody counts as having reached the stage.
    customers = found.iloc[:0] if not keys else found
    # customer x item: 1 where addressed, from the bit mask of each customer
    given = (customers["addressed"].fillna(0).astype(np.int64).to_numpy()[:, None] >> np.arange(len(keys))) & 1
    items = pd.DataFrame({"item_key": checklist["key"].to_numpy(), "label": checklist["label"].to_numpy(),
                          "missing": len(customers) - given.sum(axis=0), "customers": len(customers)})
    items = items.iloc[:0] if customers.empty else items
    items["missing_share"] = items["missing"] / items["customers"].where(items["customers"] > 0)
    items["position"] = range(len(items))
    items = items.sort_values(["missing", "position"], ascending=[False, True]).drop(columns="position")
    customers = customers.drop(columns="addressed").assign(missing=len(keys) - given.sum(axis=1),
                                                           items_total=len(keys))
    customers = customers[["customer_id", "name", "sector", "region", "account_manager", "stage", "missing",
                           "items_total", "last_on"]]
    customers = customers.sort_values(["missing", "name", "customer_id"], ascending=[False, True, True])
    customers = customers.reset_index(drop=True)
    worst = customers[customers["missing"] > 0].head(top)
    cells = coverage_grid(db, worst.drop(columns=["missing", "items_total", "last_on"]), stage, day)
    cells["rank"] = np.repeat(worst.index.to_numpy(), len(keys))
    return ChecklistGaps(stage=stage, customers_total=len(customers),
                         customers_with_gaps=int((customers["missing"] > 0).sum()), items=items.reset_index(drop=True),
                         customers=customers, cells=cells.sort_values(["rank", "item_key"]).reset_index(drop=True))
