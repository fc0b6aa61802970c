"""Applying a planned import: every row written through crm_core's writes (the
funnel: validation, audit trail) in one transaction, the mapping remembered.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from .. import funnel, roles, writes
from ..storage import io_queries
from ..validation import ValidationError
from .mapping import header_set
from .planning import Customers, ImportPreview, Planner, RowPlan, problems


@dataclass
class ImportResult:
    """What an import did. ``written`` is False when it was refused as a whole
    (then only ``failed`` counts); ``problems`` lists the failing rows."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    written: bool = True
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "field", "column", "message"]))


class _Refused(Exception):
    """Raised inside the import transaction to roll it back."""


def apply(db, plan: ImportPreview, author: str | None = None, only_valid: bool = True) -> ImportResult:
    """Write the previewed file in ONE transaction, as ``author``.

    Inside the transaction, customers are matched again (by external id or
    name: update, else create) and responses and opinions already there are
    skipped, since the database may have changed since the preview; rows are
    written with ``crm_core.writes``, which validate them again. With
    ``only_valid`` the failing rows are left out; without it, any failing row
    refuses the whole file and nothing is written. A file whose every row fails is
    refused either way: nothing is written, not even its column mapping. Any other error rolls
    everything back and is raised. Summaries are refreshed once per touched
    customer at the end, not after every row. Raises ``AccessDenied`` when
    accounts exist and ``author`` may not write."""
    author = roles.require(db, author, "editor")   # resolved once: the saved mapping names the same person
    failures = [p for p in plan.rows if p.action == "error"]
    if failures and not only_valid:
        return ImportResult(failed=len(failures), written=False, problems=problems(plan.mapping, failures))
    planner = Planner(db, plan.table, plan.kind, plan.mapping, plan.today)
    counts = {"create": 0, "update": 0, "skip": 0}
    failures = []
    try:
        with funnel.batch(db, author):
            for index, row in enumerate(plan.rows):
                if plan.kind == "customers":
                    row = planner.plan(index)   # rows above may have created the customer it updates
                elif row.action != "error":
                    row = RowPlan(row.row, planner.new_or_repeat(row.values), row.values)
                if row.action in ("create", "update"):
                    try:
                        _write(db, plan.kind, row, author, plan.today, planner.customers)
                    except ValidationError as error:
                        row = RowPlan.refused(row.row, error)
                if row.action == "error":
                    failures.append(row)
                else:
                    counts[row.action] += 1
            if failures and (not only_valid or not any(counts.values())):
                raise _Refused   # rolls back: a refused file leaves the database exactly as it was
            # Remembered with the import it served, so the next file with these headers maps alike.
            io_queries.save_mapping(db, plan.kind, header_set(plan.table.columns),
                                    json.dumps(plan.mapping, ensure_ascii=False), author,
                                    dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    except _Refused:
        return ImportResult(failed=len(failures), written=False, problems=problems(plan.mapping, failures))
    return ImportResult(counts["create"], counts["update"], counts["skip"], len(failures),
                        problems=problems(plan.mapping, failures))


def _write(db, kind: str, row: RowPlan, author: str | None, today: dt.date, customers: Customers) -> None:
    """Write one planned row with the crm_core write for its kind."""
    values = row.values
    if kind == "customers" and row.action == "create":
        created = customers.find(None, values["name"])
        created["id"] = writes.add_customer(db, values, author=author, today=today)
    elif kind == "customers":
        writes.update_customer(db, values["id"], values, author=author, today=today)
    elif kind == "responses":
        writes.log_response(db, values["customer_id"], values["stage"], values["responded_on"], values["mode"],
                            values["items"], values["quality"], values["completeness"], values["summary"],
                            author, today=today)
    else:
        writes.record_opinion(db, values["customer_id"], values["stage"], values["opinion_on"], values["score"],
                              source=values["source"], note=values["note"], author=author, today=today)
