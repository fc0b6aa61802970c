"""Write statements of service cases, service targets, promises, outcomes and follow-ups.
Each runs inside the caller's ``transaction``; a write of one of ``RISK_ENTITIES``
refreshes the ``risk_summary`` it feeds in that transaction.
"""

from __future__ import annotations


from . import Handle
from .bulk import insert_rows
from .commands import _insert, _update, refresh_risk
from .entities import ENTITIES, RISK_ENTITIES
from .summaries import refresh_risk_summary


def insert(db: Handle, entity: str, values: dict) -> int:
    """Insert one case, promise, outcome or follow-up; returns its id."""
    row_id = _insert(db, ENTITIES[entity].table, ENTITIES[entity].columns, values)
    if entity in RISK_ENTITIES:
        refresh_risk(db, entity, values)
    return row_id


def update(db: Handle, entity: str, row_id: int, values: dict) -> None:
    """Overwrite every column of one row with ``values``."""
    _update(db, ENTITIES[entity].table, row_id, ENTITIES[entity].columns, values)
    if entity in RISK_ENTITIES:
        refresh_risk(db, entity, values)


def target_id(db: Handle, priority: str) -> int | None:
    found = db.conn.execute("SELECT id FROM service_targets WHERE priority = :priority",
                            {"priority": priority}).fetchone()
    return found[0] if found else None


def bulk_load(db: Handle, cases: list[dict], promises: list[dict], outcomes: list[dict]) -> None:
    """Insert pre-validated rows (demo and benchmark generators)."""
    for entity, records in (("service_case", cases), ("promise", promises), ("outcome", outcomes)):
        insert_rows(db, ENTITIES[entity].table, ENTITIES[entity].columns, records)
    refresh_risk_summary(db)
