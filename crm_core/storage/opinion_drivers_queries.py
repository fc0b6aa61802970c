"""SQL for ``crm_core.analysis``: which responses move opinion.

One statement per stage starts from the judged customers: per customer
(matching the portfolio filters), the latest opinion of the stage recorded by
``as_of`` (latest = last day, then last entered, as everywhere else; one seek
in the (customer_id, stage, opinion_on, id) index). It returns sums, not rows
per customer: count, sum and sum of squares of that opinion for the customers
who had received an item (or a mode) on or before the day of that opinion,
and the same over all judged customers, so the caller gets "without" by
subtraction.

Items and modes come from ``item_coverage`` and ``mode_coverage`` (first day
per customer and item, per customer, stage and mode): one seek per judged
customer in their (customer_id, stage, ...) indexes. A first day is the same
whatever ``as_of``: to count, it must precede an opinion recorded by then.
Measured on ``data/bench.db`` (10,000 customers, 1,000,000 responses, 100,000
opinions): about 60 ms of CPU per stage for ``opinion_drivers``, SQL and pandas. For
"now" the per-customer rows are kept by every write (``judged_summary``) instead.
"""

from __future__ import annotations

import pandas as pd

from ..catalogue import MODES
from . import Handle, frame, records
from .kept import Records, kept_frame
from .queries import MAX_POSITION, NOW, _filter_sql, _filtered, _of_customers


def _given(coverage: str, key: str) -> str:
    """Per ``key`` of the ``coverage`` summary (``item_coverage``, ``mode_coverage``): the
    judged customers whose first day with it is on or before their opinion's day."""
    return f"""
        SELECT x.{key}, COUNT(*) AS with_customers, SUM(j.score) AS with_sum,
               SUM(j.score * j.score) AS with_squares
          FROM judged j JOIN {coverage} x
            ON x.customer_id = j.customer_id AND x.stage = :stage AND x.first_on <= j.opinion_on
         GROUP BY x.{key}"""


def driver_sums(db: Handle, stage: str, as_of: str, modes: tuple[str, ...],
                filters: dict | None = None) -> pd.DataFrame:
    """Rows ``kind, key, label, with_customers, with_sum, with_squares, customers,
    score_sum, square_sum``: one per active checklist item of ``stage`` (``kind``
    ``item``, checklist order), then one per mode of ``modes`` (``kind`` ``mode``, in
    that order). ``with_*`` count the judged customers who had the item (a response
    of ``stage`` in the mode) on or before the day of their latest opinion of the
    stage, and sum that opinion and its square; ``customers, score_sum, square_sum``
    are the same over all judged customers.

    For now the sums are made from each judged customer's row of ``judged_summary`` (which
    every write keeps), kept in memory between writes (``kept_frame``): after a colleague's
    save only that customer's row is read again. A past day is summed by
    ``past_driver_sums``, which gives the same sums."""
    if as_of != NOW:
        return past_driver_sums(db, stage, as_of, modes, filters)
    items = frame(db, "SELECT key, label, position FROM checklist_items WHERE stage = :stage AND active = 1"
                      " ORDER BY position", {"stage": stage})
    # A bit per item position: past 62 positions (no stage has near that many) they would not fit.
    if len(items) and int(items["position"].max()) > MAX_POSITION:
        return past_driver_sums(db, stage, as_of, modes, filters)
    judged = _filtered(kept_frame(db, _judged_now, stage, order=("customer_id",)), filters)
    scores = judged["score"].to_numpy(dtype="int64")
    rows = [("item", key, label, *_given_sums(judged["items"], scores, int(position)))
            for key, label, position in items.itertuples(index=False)]
    rows += [("mode", mode, None, *_given_sums(judged["modes"], scores, MODES.index(mode))) for mode in modes]
    found = pd.DataFrame(rows, columns=["kind", "key", "label", "with_customers", "with_sum", "with_squares"])
    return found.assign(customers=len(scores), score_sum=int(scores.sum()), square_sum=int((scores * scores).sum()))


def _given_sums(given: pd.Series, scores, bit: int) -> tuple[int, int, int]:
    """(how many, the sum of their ``scores``, of their squares) of the judged customers whose
    bit ``bit`` is set in ``given`` (a bit per item or mode given by the opinion's day)."""
    has = (given.to_numpy(dtype="int64") >> bit) & 1
    return int(has.sum()), int((has * scores).sum()), int((has * scores * scores).sum())


def _judged_now(db: Handle, stage: str, customer_ids: list[int] | None) -> Records:
    """Every judged customer of ``stage`` now (or those of ``customer_ids``), by id, for
    ``kept_frame``: ``customer_id``, its profile (for the filters), the ``score`` of its
    latest opinion of the stage, and what it had been given in the stage by that opinion's
    day, a bit each: ``items`` (bit = the item's checklist position) and ``modes`` (bit =
    the mode's place in ``catalogue.MODES``), as every write keeps them in ``judged_summary``."""
    of, params = _of_customers("j.customer_id", customer_ids)
    return records(db, f"""
    SELECT j.customer_id, c.sector, c.region, c.account_manager, j.score, j.items, j.modes
      FROM judged_summary j JOIN customers c ON c.id = j.customer_id
     WHERE j.stage = :stage {of} ORDER BY j.customer_id
    """, {"stage": stage, **params})


def past_driver_sums(db: Handle, stage: str, as_of: str, modes: tuple[str, ...],
                     filters: dict | None = None) -> pd.DataFrame:
    """``driver_sums`` on ``as_of`` (any day, now too) in one statement that returns the sums."""
    where, params = _filter_sql(filters)
    listed = " UNION ALL ".join(f"SELECT :mode{i} AS mode, {i} AS position" for i in range(len(modes)))
    return frame(db, f"""
    WITH judged AS MATERIALIZED (
        SELECT o.customer_id, o.opinion_on, o.score
          -- customers in id order (the default plan walks the name index): the
          -- per-customer seeks then read the opinions index from start to end
          FROM {db.dialect.in_table_order("customers c")} JOIN opinions o ON o.id = (
               SELECT l.id FROM opinions l
                WHERE l.customer_id = c.id AND l.stage = :stage AND l.opinion_on <= :d
                ORDER BY l.opinion_on DESC, l.id DESC LIMIT 1)
         WHERE 1 = 1 {where}
    ),
    totals AS (SELECT COUNT(*) AS customers, COALESCE(SUM(score), 0) AS score_sum,
                      COALESCE(SUM(score * score), 0) AS square_sum FROM judged),
    items_given AS ({_given("item_coverage", "item_key")}),
    listed AS ({listed}),
    modes_given AS ({_given("mode_coverage", "mode")})
    SELECT 'item' AS kind, k.key, k.label, COALESCE(g.with_customers, 0) AS with_customers,
           COALESCE(g.with_sum, 0) AS with_sum, COALESCE(g.with_squares, 0) AS with_squares,
           t.customers, t.score_sum, t.square_sum, k.position
      FROM checklist_items k CROSS JOIN totals t LEFT JOIN items_given g ON g.item_key = k.key
     WHERE k.stage = :stage AND k.active = 1
    UNION ALL
    SELECT 'mode', m.mode, NULL, COALESCE(g.with_customers, 0), COALESCE(g.with_sum, 0),
           COALESCE(g.with_squares, 0), t.customers, t.score_sum, t.square_sum, 1000 + m.position
      FROM listed m CROSS JOIN totals t LEFT JOIN modes_given g ON g.mode = m.mode
     ORDER BY 10
    """, {"stage": stage, "d": as_of, **params, **{f"mode{i}": m for i, m in enumerate(modes)}}
    ).drop(columns="position")
