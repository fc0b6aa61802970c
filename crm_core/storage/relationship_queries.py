"""Read statements of the relationship beyond responses: service cases and their
targets, promises, outcomes. ``as_of`` is an ISO date (end of that day); a row
exists from its first date on, and every later event (a clock stop, a promise's
resolution) counts only when it happened by then, so a snapshot never changes.
"""

from __future__ import annotations

import pandas as pd

from . import Handle, frame, value
from .queries import NOW, _filter_sql

# A promise's resolution as it stood at the end of day :d: NULL while it was still open
# (a resolution recorded later reads as not yet made). Every promise read uses this one rule.
_RESOLUTION_AS_OF = "CASE WHEN p.resolved_on <= :d THEN p.status END"
# Overdue on day :t: still open at the end of :d (the rule above) and due before :t.
_OVERDUE = f"({_RESOLUTION_AS_OF} IS NULL AND p.due_on < :t)"


def _count(condition: str) -> str:
    """SQL counting the rows of a group for which ``condition`` holds."""
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _end_of(as_of: str) -> str:
    """The last instant of ``as_of`` in ISO date-time text (comparable to stored times)."""
    return f"{as_of}T23:59:59"


def service_cases(db: Handle, as_of: str, customer_id: int | None = None,
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


def _customers_in(filters: dict | None, alias: str) -> tuple[str, dict]:
    """An ``AND`` clause keeping the rows of ``alias`` whose customer matches
    ``filters`` (empty without filters, so unfiltered reads skip the customers join)."""
    where, params = _filter_sql(filters)
    if not where:
        return "", params
    return f" AND {alias}.customer_id IN (SELECT c.id FROM customers c WHERE 1 = 1 {where})", params


def _stopped_hours(db: Handle, column: str) -> str:
    """Hours from the report to ``column`` when that event happened by ``:e``, to 0.01 h."""
    return (f"CASE WHEN s.{column} <= :e THEN "
            f"ROUND({db.dialect.days_between(f's.{column}', 's.reported_at')} * 24, 2) END")


def case_hours(db: Handle, as_of: str, clock_columns: dict[str, str],
               filters: dict | None = None) -> pd.DataFrame:
    """One compact row per case reported by ``as_of``: ``month`` (``YYYY-MM``
    reported), ``priority`` and per clock (keys of ``clock_columns``, the event
    column each stops at) the hours to its stop (NULL while it runs or when it was
    not needed). Stopped clocks do not depend on the moment running clocks run to,
    so this one pass serves their counts, targets met and medians."""
    where, params = _customers_in(filters, "s")
    hours = ", ".join(f"{_stopped_hours(db, column)} AS {clock}" for clock, column in clock_columns.items())
    sql = f"""
    SELECT substr(s.reported_at, 1, 7) AS month, s.priority, {hours}
      FROM service_cases s
     WHERE {db.dialect.unindexed('s.reported_at')} <= :e {where}
    """
    return frame(db, sql, {"e": _end_of(as_of), **params})


def spare_prices(db: Handle, as_of: str, filters: dict | None = None) -> pd.DataFrame:
    """Per customer with spare parts supplied by ``as_of`` (quoted and reference price
    known): ``customer_id, name, cases, quoted, reference`` (sums)."""
    where, params = _customers_in(filters, "s")
    sql = f"""
    SELECT s.customer_id, c.name, COUNT(*) AS cases, SUM(s.spare_quoted_price) AS quoted,
           SUM(s.spare_reference_price) AS reference
      FROM service_cases s JOIN customers c ON c.id = s.customer_id
     WHERE s.repaired_at <= :e AND s.reported_at <= :e
       AND s.spare_quoted_price IS NOT NULL AND s.spare_reference_price IS NOT NULL {where}
     GROUP BY s.customer_id, c.name ORDER BY s.customer_id
    """
    return frame(db, sql, {"e": _end_of(as_of), **params})


def service_targets(db: Handle) -> pd.DataFrame:
    """The targets an admin set (priorities without a row keep the defaults)."""
    return frame(db, "SELECT id, priority, first_reply_hours, attention_hours, repair_hours"
                     " FROM service_targets ORDER BY id")


def _promises_source(customer_id: int | None, filters: dict | None, only: str | None) -> tuple[str, dict]:
    """The ``FROM … WHERE`` part of a read of the promises made by ``:d`` (a resolution
    after it reads as still open: ``p.resolved`` is NULL) for one customer and/or the
    filters; ``only="open"`` or ``"overdue"`` (``_OVERDUE``) keeps those."""
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND p.customer_id = :c"
        params["c"] = customer_id
    where += {None: "", "open": " AND p.resolved IS NULL",
              "overdue": f" AND {_OVERDUE}"}[only]
    return f"""FROM (SELECT p.*, {_RESOLUTION_AS_OF} AS resolved FROM promises p) p
      JOIN customers c ON c.id = p.customer_id
     WHERE p.made_on <= :d {where}""", params


def promises(db: Handle, as_of: str, day: str, customer_id: int | None = None, filters: dict | None = None,
             only: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Promises made by ``as_of`` (a resolution after it reads as still open), newest
    first; ``only="open"``: those still open; ``only="overdue"``: those open and due
    before ``day``, the most overdue first. ``limit``: the first rows of that order.
    Besides the promise: ``slip_days`` (resolution − due day), ``overdue`` (0/1) and
    ``days_overdue`` (``day`` − due day)."""
    source, params = _promises_source(customer_id, filters, only)
    order = "days_overdue DESC, p.id" if only == "overdue" else "p.made_on DESC, p.id DESC"
    sql = f"""
    SELECT p.id AS promise_id, p.customer_id, c.name, c.sector, c.region, c.account_manager,
           p.stage, p.made_on, p.made_by, p.kind, p.what, p.promised_value, p.due_on,
           COALESCE(p.resolved, 'open') AS status,
           CASE WHEN p.resolved IS NOT NULL THEN p.resolved_on END AS resolved_on,
           CASE WHEN p.resolved IS NOT NULL THEN p.actual_value END AS actual_value, p.author,
           CASE WHEN p.resolved IS NOT NULL
                THEN CAST({db.dialect.days_between("p.resolved_on", "p.due_on")} AS INTEGER) END AS slip_days,
           CASE WHEN {_OVERDUE} THEN 1 ELSE 0 END AS overdue,
           CASE WHEN {_OVERDUE}
                THEN CAST({db.dialect.days_between(":t", "p.due_on")} AS INTEGER) END AS days_overdue
      {source}
     ORDER BY {order} {"" if limit is None else "LIMIT :limit"}
    """
    return frame(db, sql, {"d": as_of, "t": day, "limit": limit, **params})


def promise_total(db: Handle, as_of: str, day: str, customer_id: int | None = None,
                  filters: dict | None = None, only: str | None = None) -> int:
    """How many rows ``promises`` returns without a limit."""
    source, params = _promises_source(customer_id, filters, only)
    return value(db, f"SELECT COUNT(*) {source}", {"d": as_of, "t": day, **params})


def customers_with_broken_promises(db: Handle, as_of: str, day: str, since: str | None) -> list[int]:
    """Ids of customers with a promise broken (as of ``as_of``) on or after ``since`` (any,
    when None), or still open on ``as_of`` and due before ``day``."""
    return [r[0] for r in db.conn.execute(f"""
    SELECT DISTINCT p.customer_id FROM promises p
     WHERE p.made_on <= :d
       AND (({_RESOLUTION_AS_OF} = 'broken' AND (:since IS NULL OR p.resolved_on >= :since))
            OR {_OVERDUE})
    """, {"d": as_of, "t": day, "since": since})]


def promise_counts(db: Handle, as_of: str, day: str, by: str | None = None,
                   filters: dict | None = None) -> pd.DataFrame:
    """Promises made by ``as_of`` counted per ``by`` (``customer``, ``account_manager``
    or None: one row ``all``): ``group`` (customer: also ``customer_id``), ``promises,
    open, kept, broken, renegotiated, overdue`` (open and due before ``day``),
    ``resolved``, ``average_slip`` (days late over resolved promises with a due date)."""
    where, params = _filter_sql(filters)
    group = {None: "'all'", "customer": "c.name", "account_manager": "COALESCE(c.account_manager, '—')"}[by]
    extra = ", MIN(c.id) AS customer_id" if by == "customer" else ""
    sql = f"""
    SELECT {group} AS "group", COUNT(*) AS promises,
           {_count("resolved IS NULL")} AS open, {_count("resolved = 'kept'")} AS kept,
           {_count("resolved = 'broken'")} AS broken, {_count("resolved = 'renegotiated'")} AS renegotiated,
           {_count(_OVERDUE)} AS overdue, {_count("resolved IS NOT NULL")} AS resolved,
           AVG(CASE WHEN resolved IS NOT NULL THEN {db.dialect.days_between("p.resolved_on", "p.due_on")} END)
               AS average_slip
           {extra}
      FROM (SELECT p.*, {_RESOLUTION_AS_OF} AS resolved FROM promises p) p
      JOIN customers c ON c.id = p.customer_id
     WHERE p.made_on <= :d {where}
     GROUP BY 1 ORDER BY 1
    """
    return frame(db, sql, {"d": as_of, "t": day, **params})


def outcomes(db: Handle, as_of: str, customer_id: int | None = None,
             filters: dict | None = None, limit: int | None = None) -> pd.DataFrame:
    """Outcomes recorded on or before ``as_of``, newest first (the first ``limit``)."""
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND o.customer_id = :c"
    sql = f"""
    SELECT o.id AS outcome_id, o.customer_id, c.name, c.sector, o.kind, o.on_date, o.amount,
           o.counterpart, o.note, o.author
      FROM outcomes o JOIN customers c ON c.id = o.customer_id
     WHERE o.on_date <= :d {where}
     ORDER BY o.on_date DESC, o.id DESC {"" if limit is None else "LIMIT :limit"}
    """
    return frame(db, sql, {"d": as_of, "c": customer_id, "limit": limit, **params})


# Per customer, the outcomes recorded by :d: counts per kind and the revenue of additional sales.
_EARNED = f"""
    SELECT o.customer_id, {_count("o.kind = 'additional_sale'")} AS additional_sales,
           COALESCE(SUM(CASE WHEN o.kind = 'additional_sale' THEN o.amount END), 0) AS revenue,
           {_count("o.kind = 'referral_given'")} AS referrals_given,
           {_count("o.kind = 'referral_lost'")} AS referrals_lost
      FROM outcomes o WHERE o.on_date <= :d GROUP BY o.customer_id"""
_EARNED_COLUMNS = ("additional_sales", "revenue", "referrals_given", "referrals_lost")


def outcome_totals(db: Handle, as_of: str, filters: dict | None = None) -> pd.DataFrame:
    """Per customer existing on ``as_of``: acquisition cost and outcome counts and sums."""
    where, params = _filter_sql(filters)
    earned = ", ".join(f"COALESCE(e.{column}, 0) AS {column}" for column in _EARNED_COLUMNS)
    sql = f"""
    SELECT c.id AS customer_id, c.name, c.sector, c.account_manager, c.acquisition_cost, {earned}
      FROM customers c LEFT JOIN ({_EARNED}) e ON e.customer_id = c.id
     WHERE c.created_on <= :d {where}
     ORDER BY c.name
    """
    return frame(db, sql, {"d": as_of, **params})


def outcomes_per_final_opinion(db: Handle, as_of: str, filters: dict | None = None) -> pd.DataFrame:
    """Customers existing on ``as_of`` grouped by their final opinion then (NULL: not
    rated): ``final_opinion, customers`` and the sums of their outcomes by then
    (``additional_sales, revenue, referrals_given, referrals_lost``). For "now" the
    final opinion is the summary's; for a past day it is summed from its steps."""
    where, params = _filter_sql(filters)
    opinions = ("SELECT customer_id, final_value AS value, COALESCE(rated_stages, 0) AS rated FROM customer_summary"
                if as_of == NOW else
                "SELECT customer_id, SUM(d_value) AS value, SUM(d_rated) AS rated FROM opinion_steps"
                f" WHERE {db.dialect.unindexed('series')} = 'final' AND on_date <= :d GROUP BY customer_id")
    earned = ", ".join(f"COALESCE(SUM(e.{column}), 0) AS {column}" for column in _EARNED_COLUMNS)
    sql = f"""
    SELECT CASE WHEN f.rated > 0 THEN f.value END AS final_opinion, COUNT(*) AS customers, {earned}
      FROM customers c
      LEFT JOIN ({opinions}) f ON f.customer_id = c.id
      LEFT JOIN ({_EARNED}) e ON e.customer_id = c.id
     WHERE c.created_on <= :d {where}
     GROUP BY 1 ORDER BY 1
    """
    return frame(db, sql, {"d": as_of, **params})
