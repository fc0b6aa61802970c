"""Read statements of the relationship beyond responses: service cases and their
targets, promises, outcomes. ``as_of`` is an ISO date (end of that day); a row
exists from its first date on, and every later event (a clock stop, a promise's
resolution) counts only when it happened by then, so a snapshot never changes.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from . import frame
from .queries import _filter_sql


def _end_of(as_of: str) -> str:
    """The last instant of ``as_of`` in ISO date-time text (comparable to stored times)."""
    return f"{as_of}T23:59:59"


def service_cases(db: Database, as_of: str, customer_id: int | None = None,
                  filters: dict | None = None, open_only: bool = False) -> pd.DataFrame:
    """Cases reported by the end of ``as_of`` with the events that happened by then
    (later ones read as NULL)."""
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND s.customer_id = :c"
    if open_only:
        where += " AND (s.closed_at IS NULL OR s.closed_at > :e)"
    sql = f"""
    SELECT s.id AS case_id, s.customer_id, c.name, c.sector, c.region, c.account_manager,
           s.reported_at, s.description, s.priority,
           CASE WHEN s.first_reply_at <= :e THEN s.first_reply_at END AS first_reply_at,
           CASE WHEN s.attention_at <= :e THEN s.attention_at END AS attention_at,
           CASE WHEN s.attention_at <= :e THEN s.expert END AS expert,
           CASE WHEN s.repaired_at <= :e THEN s.repaired_at END AS repaired_at,
           CASE WHEN s.repaired_at <= :e THEN s.spare_quoted_price END AS spare_quoted_price,
           CASE WHEN s.repaired_at <= :e THEN s.spare_reference_price END AS spare_reference_price,
           CASE WHEN s.closed_at <= :e THEN s.closed_at END AS closed_at, s.author
      FROM service_cases s
      JOIN customers c ON c.id = s.customer_id
     WHERE s.reported_at <= :e {where}
     ORDER BY s.reported_at, s.id
    """
    return frame(db, sql, {"e": _end_of(as_of), "c": customer_id, **params})


def service_targets(db: Database) -> pd.DataFrame:
    """The targets an admin set (priorities without a row keep the defaults)."""
    return frame(db, "SELECT id, priority, first_reply_hours, attention_hours, repair_hours"
                     " FROM service_targets ORDER BY id")


def promises(db: Database, as_of: str, customer_id: int | None = None,
             filters: dict | None = None) -> pd.DataFrame:
    """Promises made by ``as_of``; a resolution after ``as_of`` reads as still open."""
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND p.customer_id = :c"
    sql = f"""
    SELECT p.id AS promise_id, p.customer_id, c.name, c.sector, c.region, c.account_manager,
           p.stage, p.made_on, p.made_by, p.kind, p.what, p.promised_value, p.due_on,
           CASE WHEN p.resolved_on <= :d THEN p.status ELSE 'open' END AS status,
           CASE WHEN p.resolved_on <= :d THEN p.resolved_on END AS resolved_on,
           CASE WHEN p.resolved_on <= :d THEN p.actual_value END AS actual_value, p.author
      FROM promises p JOIN customers c ON c.id = p.customer_id
     WHERE p.made_on <= :d {where}
     ORDER BY p.made_on, p.id
    """
    return frame(db, sql, {"d": as_of, "c": customer_id, **params})


def outcomes(db: Database, as_of: str, customer_id: int | None = None,
             filters: dict | None = None) -> pd.DataFrame:
    """Outcomes recorded on or before ``as_of``."""
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND o.customer_id = :c"
    sql = f"""
    SELECT o.id AS outcome_id, o.customer_id, c.name, c.sector, o.kind, o.on_date, o.amount,
           o.counterpart, o.note, o.author
      FROM outcomes o JOIN customers c ON c.id = o.customer_id
     WHERE o.on_date <= :d {where}
     ORDER BY o.on_date, o.id
    """
    return frame(db, sql, {"d": as_of, "c": customer_id, **params})


def outcome_totals(db: Database, as_of: str, filters: dict | None = None) -> pd.DataFrame:
    """Per customer existing on ``as_of``: acquisition cost and outcome counts and sums."""
    where, params = _filter_sql(filters)
    sql = f"""
    SELECT c.id AS customer_id, c.name, c.sector, c.account_manager, c.acquisition_cost,
           COALESCE(SUM(o.kind = 'additional_sale'), 0) AS additional_sales,
           COALESCE(SUM(CASE WHEN o.kind = 'additional_sale' THEN o.amount END), 0) AS revenue,
           COALESCE(SUM(o.kind = 'referral_given'), 0) AS referrals_given,
           COALESCE(SUM(o.kind = 'referral_lost'), 0) AS referrals_lost
      FROM customers c LEFT JOIN outcomes o ON o.customer_id = c.id AND o.on_date <= :d
     WHERE c.created_on <= :d {where}
     GROUP BY c.id ORDER BY c.name
    """
    return frame(db, sql, {"d": as_of, **params})
