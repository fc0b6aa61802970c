"""Write statements of service cases, service targets, promises and outcomes.
Each runs inside the caller's ``transaction``; none of these rows feeds a
summary table, so there is nothing to refresh.
"""

from __future__ import annotations

from sqlite_utils import Database

from .bulk import insert_rows
from .commands import _insert, _update

CASE_COLUMNS = ("customer_id", "reported_at", "description", "priority", "first_reply_at", "attention_at",
                "expert", "repaired_at", "spare_quoted_price", "spare_reference_price", "closed_at", "author")
PROMISE_COLUMNS = ("customer_id", "stage", "made_on", "made_by", "kind", "what", "promised_value", "due_on",
                   "status", "resolved_on", "actual_value", "author")
OUTCOME_COLUMNS = ("customer_id", "kind", "on_date", "amount", "counterpart", "note", "author")
TARGET_COLUMNS = ("first_reply_hours", "attention_hours", "repair_hours")
TABLES = {"service_case": ("service_cases", CASE_COLUMNS), "promise": ("promises", PROMISE_COLUMNS),
          "outcome": ("outcomes", OUTCOME_COLUMNS),
          "service_target": ("service_targets", ("priority", *TARGET_COLUMNS))}


def insert(db: Database, entity: str, values: dict) -> int:
    """Insert one case, promise or outcome; returns its id."""
    table, columns = TABLES[entity]
    return _insert(db, table, columns, values)


def update(db: Database, entity: str, row_id: int, values: dict) -> None:
    """Overwrite every column of one row with ``values``."""
    table, columns = TABLES[entity]
    _update(db, table, row_id, columns, values)


def target_id(db: Database, priority: str) -> int | None:
    found = db.conn.execute("SELECT id FROM service_targets WHERE priority = :priority",
                            {"priority": priority}).fetchone()
    return found[0] if found else None


def bulk_load(db: Database, cases: list[dict], promises: list[dict], outcomes: list[dict]) -> None:
    """Insert pre-validated rows (demo and benchmark generators)."""
    for entity, records in (("service_case", cases), ("promise", promises), ("outcome", outcomes)):
        table, columns = TABLES[entity]
        insert_rows(db, table, columns, records)
