"""Statements of follow-ups (``follow_ups``; the rules are in ``crm_core.followups``).
``as_of`` is an ISO date (end of that day) and ``day`` the day overdue is judged on;
a follow-up exists from its ``created_on`` and its closing counts only when it
happened by ``as_of``, so a snapshot never changes. Writes of whole rows go through
``relationship_commands`` (the entity ``follow_up``).
"""

from __future__ import annotations

import pandas as pd

from . import Handle, frame, in_list

# A follow-up's status as it stood at the end of day :d: open until the day it was
# closed (done or cancelled). Every read of a follow-up's state uses this one rule.
_STATUS_AS_OF = "CASE WHEN f.closed_on <= :d THEN f.status ELSE 'open' END"
# Overdue on day :t: existing and still open at the end of :d, due before :t.
_OVERDUE = f"(f.created_on <= :d AND {_STATUS_AS_OF} = 'open' AND f.due_on < :t)"


def follow_ups(db: Handle, as_of: str, day: str, customer_id: int | None = None) -> pd.DataFrame:
    """Follow-ups created by ``as_of`` (of one customer when given), by due day:
    ``follow_up_id, customer_id, name, account_manager, item_key, stage, label, owner,
    due_on, created_on, created_by, status`` (as of), ``closed_on, closed_by_response``
    (NULL while open then), ``note, overdue`` (0/1) ``, days_overdue`` (``day`` − due day)."""
    where = "" if customer_id is None else " AND f.customer_id = :c"
    sql = f"""
    SELECT f.id AS follow_up_id, f.customer_id, c.name, c.account_manager, f.item_key, i.stage, i.label,
           f.owner, f.due_on, f.created_on, f.created_by, {_STATUS_AS_OF} AS status,
           CASE WHEN f.closed_on <= :d THEN f.closed_on END AS closed_on,
           CASE WHEN f.closed_on <= :d THEN f.closed_by_response END AS closed_by_response, f.note,
           CASE WHEN {_OVERDUE} THEN 1 ELSE 0 END AS overdue,
           CASE WHEN {_OVERDUE} THEN CAST({db.dialect.days_between(":t", "f.due_on")} AS INTEGER) END
               AS days_overdue
      FROM follow_ups f
      JOIN customers c ON c.id = f.customer_id
      JOIN checklist_items i ON i.key = f.item_key
     WHERE f.created_on <= :d {where}
     ORDER BY f.due_on, f.id
    """
    return frame(db, sql, {"d": as_of, "t": day, "c": customer_id})


def customers_with_overdue(db: Handle, as_of: str, day: str) -> list[int]:
    """Ids of the customers with a follow-up overdue on ``day`` as it stood at the end of ``as_of``."""
    return [r[0] for r in db.conn.execute(
        f"SELECT DISTINCT f.customer_id FROM follow_ups f WHERE {_OVERDUE}", {"d": as_of, "t": day})]


def open_ids(db: Handle, customer_id: int, item_keys: list[str]) -> list[int]:
    """Ids of the customer's open follow-ups (now) of any of ``item_keys``, oldest first."""
    if not item_keys:
        return []
    marks, keys = in_list("k", item_keys)
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM follow_ups WHERE customer_id = :c AND status = 'open'"
        f" AND item_key IN ({marks}) ORDER BY id", {"c": customer_id, **keys})]


def closed_by(db: Handle, response_id: int) -> list[int]:
    """Ids of the follow-ups the response ``response_id`` closed, oldest first."""
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM follow_ups WHERE closed_by_response = :r ORDER BY id", {"r": response_id})]
