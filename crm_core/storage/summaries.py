"""Summary tables: derived from the base rows, updated inside each write's
transaction, and rebuildable from scratch with ``rebuild_summaries``.

The same statements serve one customer (after a write) and the whole
database (rebuild): only the ``WHERE`` differs, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from ..catalogue import MODES, STAGES
from ..scores import final_opinion, reached_stages
from . import Handle, queries
from .entities import DEFAULT_TARGETS


def _least(first: str, second: str) -> str:
    """SQL for the smaller of two values, NULL when either is (in every dialect)."""
    return (f"CASE WHEN {first} IS NULL OR {second} IS NULL THEN NULL"
            f" WHEN {first} < {second} THEN {first} ELSE {second} END")


def _greatest(first: str, second: str) -> str:
    """SQL for the larger of two values, NULL when either is (in every dialect)."""
    return (f"CASE WHEN {first} IS NULL OR {second} IS NULL THEN NULL"
            f" WHEN {first} > {second} THEN {first} ELSE {second} END")


FINAL = "final"


# The per-customer summaries of responses: table -> (its columns, the SELECT over the
# base rows matching {where} (responses) or {items} (response_items; only the items of
# the current checklist: a retired item leaves every count), and how a row
# computed from NEW base rows adds to the one already there). A write recomputes its
# customer's rows (DELETE + INSERT of the SELECT); a bulk import of new responses adds
# the same SELECT over just those responses: every column is a count, sum, min or max
# (the row there named by its table: PostgreSQL reads a bare name as ambiguous).
_FROM_RESPONSES = {
    "stage_summary": (
        "customer_id, stage, responses, quality_sum, completeness_sum, first_response_on, last_response_on",
        """SELECT customer_id, stage, COUNT(*), SUM(quality), SUM(completeness), MIN(responded_on),
                  MAX(responded_on)
           FROM responses WHERE {where} GROUP BY customer_id, stage""",
        f"""responses = stage_summary.responses + excluded.responses,
           quality_sum = stage_summary.quality_sum + excluded.quality_sum,
           completeness_sum = stage_summary.completeness_sum + excluded.completeness_sum,
           first_response_on = {_least("stage_summary.first_response_on", "excluded.first_response_on")},
           last_response_on = {_greatest("stage_summary.last_response_on", "excluded.last_response_on")}"""),
    "item_coverage": (
        "customer_id, item_key, stage, first_on, last_on, times",
        """SELECT customer_id, item_key, stage, MIN(responded_on), MAX(responded_on), COUNT(*)
           FROM response_items WHERE {items} AND item_key IN (SELECT key FROM checklist_items WHERE active = 1)
           GROUP BY customer_id, item_key, stage""",
        f"""first_on = {_least("item_coverage.first_on", "excluded.first_on")},
           last_on = {_greatest("item_coverage.last_on", "excluded.last_on")},
           times = item_coverage.times + excluded.times"""),
    "mode_coverage": (
        "customer_id, stage, mode, first_on",
        """SELECT customer_id, stage, mode, MIN(responded_on)
           FROM responses WHERE {where} GROUP BY customer_id, stage, mode""",
        f"first_on = {_least('mode_coverage.first_on', 'excluded.first_on')}"),
}
_KEYS = {"stage_summary": "customer_id, stage", "item_coverage": "customer_id, item_key",
         "mode_coverage": "customer_id, stage, mode"}


def _recompute(db: Handle, table: str, where: str, params) -> None:
    """Recompute ``table`` (a key of ``_FROM_RESPONSES``) for the customers matching ``where``."""
    columns, select, _ = _FROM_RESPONSES[table]
    db.execute(f"DELETE FROM {table} WHERE {where}", params)
    db.execute(f"INSERT INTO {table} ({columns}) {select.format(where=where, items=where)}", params)


def add_responses(db: Handle, responses: str) -> None:
    """Add the responses whose id is in the SQL set ``responses`` (new rows, written
    since the summaries were last right) to the response summaries of their customers."""
    for table, (columns, select, merge) in _FROM_RESPONSES.items():
        sql = select.format(where=f"id IN ({responses})", items=f"response_id IN ({responses})")
        db.execute(f"INSERT INTO {table} ({columns}) {sql} ON CONFLICT ({_KEYS[table]}) DO UPDATE SET {merge}")


def _response_summaries(db: Handle, where: str, params: dict) -> None:
    """Recompute every summary of ``_FROM_RESPONSES`` for the customers matching ``where``."""
    for table in _FROM_RESPONSES:
        _recompute(db, table, where, params)


def _mode_months(db: Handle, cell: tuple[str, str, str] | None = None) -> None:
    """Recompute ``mode_month``: one (stage, mode, month) cell, or all of it."""
    if cell is not None:
        stage, mode, month = cell
        cell_params = {"stage": stage, "mode": mode, "month": month, "start": f"{month}-01", "end": f"{month}-31"}
        db.dialect.lock_keys(db.conn, "SELECT :key", {"key": f"mode_month {stage} {mode} {month}"})
        db.execute("DELETE FROM mode_month WHERE stage = :stage AND mode = :mode AND month = :month", cell_params)
        # A range on the ISO date keeps the lookup on the covering (stage, mode, responded_on)
        # index; one cell needs no GROUP BY, whose sort cost 5x the scan at 1M responses.
        db.execute(
            """INSERT INTO mode_month (stage, mode, month, responses, quality_sum, completeness_sum)
            SELECT :stage, :mode, :month, COUNT(*), SUM(quality), SUM(completeness)
            FROM responses WHERE stage = :stage AND mode = :mode AND responded_on BETWEEN :start AND :end
            HAVING COUNT(*) > 0""",
            cell_params,
        )
        return
    db.execute("DELETE FROM mode_month")
    db.execute(
        """INSERT INTO mode_month (stage, mode, month, responses, quality_sum, completeness_sum)
        SELECT stage, mode, substr(responded_on, 1, 7), COUNT(*), SUM(quality), SUM(completeness)
        FROM responses GROUP BY stage, mode, substr(responded_on, 1, 7)"""
    )


def opinion_steps(entries: list[tuple], opinions: list[tuple]) -> list[tuple]:
    """The changes of one customer's opinions over time.

    ``entries`` are ``(entered_on, id, stage)`` and ``opinions`` are
    ``(opinion_on, id, stage, score)``. Returns ``(series, on_date, d_value,
    d_square, d_rated)`` for every day on which a stage opinion (series = the
    stage) or the final opinion (series ``final``) changed: summing the
    steps up to a day gives that day's value, its square and 1 if rated.
    """
    events = sorted([(e[0], 0, e[1], e) for e in entries] + [(o[0], 1, o[1], o) for o in opinions])
    current_stage = None
    latest: dict[str, int] = {}
    previous: dict[str, int | None] = {s: None for s in (*STAGES, FINAL)}
    steps = []
    for day, day_events in groupby(events, key=lambda event: event[0]):
        for _, is_opinion, _, event in day_events:
            if is_opinion:
                latest[event[2]] = event[3]
            else:
                current_stage = event[2]
        reached = reached_stages(current_stage)
        values = {s: latest.get(s) if s in reached else None for s in STAGES}
        values[FINAL] = final_opinion(latest, current_stage)
        for series, new in values.items():
            old = previous[series]
            if new != old:
                steps.append((series, day, (new or 0) - (old or 0), (new or 0) ** 2 - (old or 0) ** 2,
                              (new is not None) - (old is not None)))
        previous = values
    return steps


def _opinion_steps(db: Handle, where: str, params: dict) -> None:
    entries = db.conn.execute(
        f"SELECT customer_id, entered_on, id, stage FROM stage_entries WHERE {where} ORDER BY customer_id",
        params,
    ).fetchall()
    opinions = db.conn.execute(
        f"SELECT customer_id, opinion_on, id, stage, score FROM opinions WHERE {where} ORDER BY customer_id",
        params,
    ).fetchall()
    by_customer_entries = {cid: [r[1:] for r in rs] for cid, rs in groupby(entries, key=lambda r: r[0])}
    by_customer_opinions = {cid: [r[1:] for r in rs] for cid, rs in groupby(opinions, key=lambda r: r[0])}
    db.execute(f"DELETE FROM opinion_steps WHERE {where}", params)
    rows = [
        (cid, *step)
        for cid in by_customer_entries
        for step in opinion_steps(by_customer_entries[cid], by_customer_opinions.get(cid, []))
    ]
    db.conn.executemany(
        "INSERT INTO opinion_steps (customer_id, series, on_date, d_value, d_square, d_rated)"
        " VALUES (:customer_id, :series, :on_date, :d_value, :d_square, :d_rated)",
        ({"customer_id": cid, "series": series, "on_date": on_date, "d_value": d_value, "d_square": d_square,
          "d_rated": d_rated} for cid, series, on_date, d_value, d_square, d_rated in rows),
    )


def refresh_customer_summary(db: Handle, customers: str | None = None, params: dict | None = None) -> None:
    """Recompute ``customer_summary`` for the customers whose id is in the SQL set
    ``customers`` (see ``refresh_customers``; None: all): the portfolio's computed
    columns for "now", from the other summaries, so it runs after them."""
    chosen = f"customer_id IN ({customers})" if customers is not None else "1 = 1"
    db.execute(f"DELETE FROM customer_summary WHERE {chosen}", params or {})
    columns = ", ".join(queries.SUMMARY_COLUMNS)
    where = f"AND c.id IN ({customers})" if customers is not None else ""
    db.execute(f"INSERT INTO customer_summary (customer_id, {columns})"
               f" SELECT customer_id, {columns} FROM ({queries.portfolio_sql(where)}) AS portfolio",
               {"d": queries.NOW, **(params or {})})


# The clocks of a case: the column each stops at and the column of its target hours.
_CLOCK_STOPS = (("first_reply_at", "first_reply_hours"), ("attention_at", "attention_hours"),
                ("repaired_at", "repair_hours"))
# A clock is in breach once its elapsed hours, to the 0.01 h they are measured in, exceed
# the target: from half a hundredth of an hour after the target on.
_MEASURED_TO = dt.timedelta(hours=0.005)


def _breach_moments(db: Handle, customers: str, params: dict) -> dict[int, str]:
    """Per customer whose id is in the SQL set ``customers``, the first moment a running
    clock of one of its open cases passes its target (ISO text to the microsecond, so
    text order is time order); customers without a running clock are left out."""
    stops = ", ".join(f"s.{stop}, t.{hours}" for stop, hours in _CLOCK_STOPS)
    found = db.conn.execute(
        f"""SELECT s.customer_id, s.priority, s.reported_at, {stops}
              FROM service_cases s LEFT JOIN service_targets t ON t.priority = s.priority
             WHERE s.closed_at IS NULL AND s.customer_id IN ({customers})""", params).fetchall()
    moments: dict[int, str] = {}
    for customer_id, priority, reported_at, *clocks in found:
        reported = dt.datetime.fromisoformat(reported_at)
        for n in range(len(_CLOCK_STOPS)):
            stop, hours = clocks[2 * n], clocks[2 * n + 1]
            if stop is None:
                target = DEFAULT_TARGETS[priority][n] if hours is None else hours
                moment = (reported + dt.timedelta(hours=target) + _MEASURED_TO).isoformat(timespec="microseconds")
                moments[customer_id] = min(moments.get(customer_id, moment), moment)
    return moments


def refresh_risk_summary(db: Handle, customers: str | None = None, params: dict | None = None) -> None:
    """Recompute ``risk_summary`` for the customers whose id is in the SQL set
    ``customers`` (see ``refresh_customers``; None: all) from their stage entries,
    open service cases and targets, promises and follow-ups, as they stand now."""
    chosen = customers if customers is not None else "SELECT id FROM customers"
    params = params or {}
    if customers is not None:
        # The key refresh_customers takes: a case event and a response of one customer never
        # recompute its row over each other.
        db.dialect.lock_keys(db.conn, f"SELECT 'customer ' || CAST(id AS TEXT) FROM customers WHERE id IN ({chosen})",
                             params)
    db.execute(f"DELETE FROM risk_summary WHERE customer_id IN ({chosen})", params)
    found = db.conn.execute(f"""
        SELECT c.id,
            (SELECT MAX(e.entered_on) FROM stage_entries e WHERE e.customer_id = c.id),
            (SELECT MIN(p.due_on) FROM promises p WHERE p.customer_id = c.id AND p.resolved_on IS NULL),
            (SELECT MAX(p.resolved_on) FROM promises p WHERE p.customer_id = c.id AND p.status = 'broken'),
            (SELECT MIN(f.due_on) FROM follow_ups f WHERE f.customer_id = c.id AND f.closed_on IS NULL)
          FROM customers c WHERE c.id IN ({chosen})""", params).fetchall()
    breaches = _breach_moments(db, chosen, params)
    db.conn.executemany(
        "INSERT INTO risk_summary (customer_id, entered_on, breach_at, promise_due_on, broken_on, follow_up_due_on)"
        " VALUES (:c, :entered_on, :breach_at, :promise_due_on, :broken_on, :follow_up_due_on)",
        ({"c": customer_id, "entered_on": entered_on, "breach_at": breaches.get(customer_id),
          "promise_due_on": promise_due_on, "broken_on": broken_on, "follow_up_due_on": follow_up_due_on}
         for customer_id, entered_on, promise_due_on, broken_on, follow_up_due_on in found))


def _chosen(alias: str, customers: str | None, stage: str | None) -> str:
    """The rows of the customers whose id is in the SQL set ``customers`` (None: all) and of
    ``stage`` (None: every stage; the parameter ``:chosen_stage``), as a condition on the
    columns of ``alias`` (a table's alias, or "" for its bare columns)."""
    prefix = f"{alias}." if alias else ""
    conditions = [f"{prefix}customer_id IN ({customers})"] if customers is not None else []
    conditions += [f"{prefix}stage = :chosen_stage"] if stage is not None else []
    return " AND ".join(conditions) or "1 = 1"


def refresh_judged_summary(db: Handle, customers: str | None = None, params: dict | None = None,
                           stage: str | None = None) -> None:
    """Recompute ``judged_summary`` for the customers whose id is in the SQL set ``customers``
    (see ``refresh_customers``; None: all), of ``stage`` (None: every stage), from their
    opinions and the coverage summaries (``item_coverage``, ``mode_coverage``), so it runs
    after those: per customer and stage, the latest opinion (last day, then last entered) and
    the items and modes first given by its day, a bit each (an item's bit is its position:
    positions and retired items change every customer's row, ``refresh_item`` and
    ``refresh_from_coverage``)."""
    params = {**(params or {}), "chosen_stage": stage}
    db.execute(f"DELETE FROM judged_summary WHERE {_chosen('', customers, stage)}", params)
    # A 64-bit one: a shift of a 32-bit integer wraps on PostgreSQL from the 32nd position on.
    bits = " ".join(f"WHEN '{mode}' THEN {1 << n}" for n, mode in enumerate(MODES))
    db.execute(f"""
        INSERT INTO judged_summary (customer_id, stage, opinion_on, score, items, modes)
        SELECT o.customer_id, o.stage, o.opinion_on, o.score,
            (SELECT COALESCE(SUM(CAST(1 AS BIGINT) << k.position), 0) FROM item_coverage x
               JOIN checklist_items k ON k.key = x.item_key AND k.active = 1
              WHERE x.customer_id = o.customer_id AND x.stage = o.stage AND x.first_on <= o.opinion_on),
            (SELECT COALESCE(SUM(CASE m.mode {bits} ELSE 0 END), 0) FROM mode_coverage m
              WHERE m.customer_id = o.customer_id AND m.stage = o.stage AND m.first_on <= o.opinion_on)
          FROM opinions o
         WHERE {_chosen('o', customers, stage)} AND o.id = (
               SELECT l.id FROM opinions l WHERE l.customer_id = o.customer_id AND l.stage = o.stage
                ORDER BY l.opinion_on DESC, l.id DESC LIMIT 1)""", params)


def refresh_stage_coverage(db: Handle, customers: str | None = None, params: dict | None = None,
                           stage: str | None = None) -> None:
    """Recompute ``stage_coverage`` for the customers whose id is in the SQL set ``customers``
    (see ``refresh_customers``; None: all), of ``stage`` (None: every stage), from
    ``item_coverage``, so it runs after it: per customer and stage, the active checklist items
    of the stage it was given, a bit each (its position), and the last day one of them was."""
    params = {**(params or {}), "chosen_stage": stage}
    db.execute(f"DELETE FROM stage_coverage WHERE {_chosen('', customers, stage)}", params)
    db.execute(f"""
        INSERT INTO stage_coverage (customer_id, stage, items, last_on)
        SELECT x.customer_id, x.stage, SUM(CAST(1 AS BIGINT) << k.position), MAX(x.last_on)
          FROM item_coverage x JOIN checklist_items k ON k.key = x.item_key AND k.stage = x.stage AND k.active = 1
         WHERE {_chosen('x', customers, stage)}
         GROUP BY x.customer_id, x.stage""", params)


def refresh_from_coverage(db: Handle, customers: str | None = None, params: dict | None = None,
                          stage: str | None = None) -> None:
    """Recompute the summaries made from the coverage summaries, which name items by their
    position (``judged_summary``, ``stage_coverage``), for the customers whose id is in the
    SQL set ``customers`` (None: all) and of ``stage`` (None: every stage; after checklist
    items of one stage moved, that stage's rows of every customer)."""
    refresh_judged_summary(db, customers, params, stage)
    refresh_stage_coverage(db, customers, params, stage)


def refresh_customers(db: Handle, customers: str, params: dict) -> None:
    """Recompute the per-customer summaries of the customers whose id is in the SQL set
    ``customers`` with its named ``params``: ``:c`` for one customer, or a subquery
    (``SELECT id FROM touched_customers``) for all those a bulk import touched, each
    summary then rebuilt by one statement (inside the caller's transaction)."""
    where = f"customer_id IN ({customers})"
    db.dialect.lock_keys(db.conn, f"SELECT 'customer ' || CAST(id AS TEXT) FROM customers WHERE id IN ({customers})",
                         params)
    _response_summaries(db, where, params)
    _opinion_steps(db, where, params)
    refresh_from_coverage(db, customers, params)
    refresh_customer_summary(db, customers, params)
    refresh_risk_summary(db, customers, params)


def refresh_customer(db: Handle, customer_id: int) -> None:
    """Recompute the per-customer summaries of one customer (inside the caller's transaction)."""
    refresh_customers(db, ":c", {"c": customer_id})


def refresh_item(db: Handle, key: str) -> None:
    """After checklist item ``key`` was retired or restored: its ``item_coverage`` rows
    recomputed (none for a retired item), then every customer's summaries made from them,
    of the item's stage (``refresh_from_coverage``), and ``customer_summary``."""
    columns, select, _ = _FROM_RESPONSES["item_coverage"]
    db.execute("DELETE FROM item_coverage WHERE item_key = :key", {"key": key})
    db.execute(f"INSERT INTO item_coverage ({columns}) {select.format(items='item_key = :key')}", {"key": key})
    stage = db.conn.execute("SELECT stage FROM checklist_items WHERE key = :key", {"key": key}).fetchone()[0]
    refresh_from_coverage(db, stage=stage)
    refresh_customer_summary(db)


def refresh_mode_month(db: Handle, stage: str, mode: str, day: str) -> None:
    """Recompute one (stage, mode, month) cell after a response in it changed."""
    _mode_months(db, (stage, mode, day[:7]))


def rebuild_summaries(db: Handle) -> None:
    """Recompute every summary table from the base rows (inside the caller's transaction)."""
    _response_summaries(db, "1 = 1", {})
    _opinion_steps(db, "1 = 1", {})
    _mode_months(db)
    refresh_from_coverage(db)
    refresh_customer_summary(db)
    refresh_risk_summary(db)
