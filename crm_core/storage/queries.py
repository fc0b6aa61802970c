"""Read statements. Every read takes ``as_of`` as an ISO date (the end of that
day; the domain layer passes a far-future date for "now") and returns a
DataFrame. Portfolio-wide reads go to the summary tables and only touch base
rows for customers whose summary has changed after ``as_of``.
"""

from __future__ import annotations

from typing import Iterator

import pandas as pd

from ..catalogue import STAGES
from ..snapshot import LIVE_BOUND as NOW  # what a live SnapshotDay gives as its bound
from . import Handle, frame, in_list, records, rows, value
from .kept import Records, kept_frame

FILTER_COLUMNS = ("sector", "region", "account_manager")
# The highest checklist position the bits of a 64-bit integer hold: the summaries that keep a bit
# per item position (``judged_summary``, ``stage_coverage``) serve a stage only up to it.
MAX_POSITION = 62
# The catalogue's stage keys as an SQL list, for "any stage" (vs. the final opinion's series).
STAGE_LIST = ", ".join(f"'{stage}'" for stage in STAGES)


def _chosen(filters: dict | None) -> Iterator[tuple[str, list]]:
    """(column, the values chosen) of each of ``FILTER_COLUMNS`` that ``filters`` restricts."""
    for column in FILTER_COLUMNS:
        chosen = (filters or {}).get(column)
        if chosen:
            yield column, [chosen] if isinstance(chosen, str) else list(chosen)


def _filter_sql(filters: dict | None) -> tuple[str, dict]:
    """``AND``-clauses (on customers ``c``) for the chosen sectors, regions, managers,
    with their named parameters."""
    sql, params = "", {}
    for column, chosen in _chosen(filters):
        marks, names = in_list(column, chosen)
        sql += f" AND c.{column} IN ({marks})"
        params.update(names)
    return sql, params


def _filtered(found: pd.DataFrame, filters: dict | None) -> pd.DataFrame:
    """The rows of ``found`` (with the customers' profile columns) that ``_filter_sql`` keeps."""
    keep = pd.Series(True, index=found.index)
    for column, chosen in _chosen(filters):
        keep &= found[column].isin(chosen)
    return found if keep.all() else found[keep].reset_index(drop=True)


def _of_customers(column: str, customer_ids: list[int] | None) -> tuple[str, dict]:
    """An ``AND``-clause keeping the rows of ``customer_ids`` in ``column`` (none: every row)."""
    if customer_ids is None:
        return "", {}
    marks, params = in_list("customer", customer_ids)
    return f" AND {column} IN ({marks})", params


_STAGE_AS_OF = """(SELECT e.stage FROM stage_entries e
    WHERE e.customer_id = c.id AND e.entered_on <= :d
    ORDER BY e.entered_on DESC, e.id DESC LIMIT 1)"""


# The columns ``portfolio`` computes per customer after its profile, in order;
# ``customer_summary`` stores them for "now" except ``items_total``, counted live
# so that activating a checklist item needs no refresh.
PORTFOLIO_COMPUTED = ("stage", "final_value", "stage_rated", "stage_opinion", "rated_stages", "items_covered",
                      "items_total", "responses", "last_response_on")
SUMMARY_COLUMNS = tuple(c for c in PORTFOLIO_COMPUTED if c != "items_total")
_ITEMS_TOTAL = "(SELECT COUNT(*) FROM checklist_items k WHERE k.stage = {stage} AND k.active = 1)"


def portfolio_sql(where: str) -> str:
    """The per-customer portfolio statement at ``:d``, for the customers ``c`` matching
    ``where`` (``AND``-clauses). Serves past days directly and fills ``customer_summary``
    for "now" (``summaries``), so the two cannot drift.

    ``cur`` is MATERIALIZED so each customer's stage is looked up once, not again
    for every subquery (and every checklist row) that mentions ``cur.stage``; the
    last response is one seek down the (customer_id, responded_on) index."""
    return f"""
    WITH cur AS MATERIALIZED (
        SELECT c.id AS customer_id, c.name, c.sector, c.region, c.account_manager,
               c.created_on, c.acquisition_cost, {_STAGE_AS_OF} AS stage
        FROM customers c WHERE c.created_on <= :d {where}
    )
    SELECT cur.*,
        (SELECT SUM(o.d_value) FROM opinion_steps o
          WHERE o.customer_id = cur.customer_id AND o.series = 'final' AND o.on_date <= :d) AS final_value,
        (SELECT SUM(o.d_rated) FROM opinion_steps o
          WHERE o.customer_id = cur.customer_id AND o.series = cur.stage AND o.on_date <= :d) AS stage_rated,
        (SELECT SUM(o.d_value) FROM opinion_steps o
          WHERE o.customer_id = cur.customer_id AND o.series = cur.stage AND o.on_date <= :d) AS stage_opinion,
        (SELECT SUM(o.d_rated) FROM opinion_steps o
          WHERE o.customer_id = cur.customer_id AND o.series IN ({STAGE_LIST})
            AND o.on_date <= :d) AS rated_stages,
        (SELECT COUNT(*) FROM item_coverage i
          WHERE i.customer_id = cur.customer_id AND i.stage = cur.stage AND i.first_on <= :d) AS items_covered,
        {_ITEMS_TOTAL.format(stage="cur.stage")} AS items_total,
        COALESCE(
            (SELECT CASE WHEN MAX(s.last_response_on) <= :d THEN SUM(s.responses) END
               FROM stage_summary s WHERE s.customer_id = cur.customer_id),
            (SELECT COUNT(*) FROM responses r
              WHERE r.customer_id = cur.customer_id AND r.responded_on <= :d)) AS responses,
        (SELECT r.responded_on FROM responses r
          WHERE r.customer_id = cur.customer_id AND r.responded_on <= :d
          ORDER BY r.responded_on DESC LIMIT 1) AS last_response_on
    FROM cur ORDER BY cur.name
    """


def portfolio(db: Handle, as_of: str, filters: dict | None = None) -> pd.DataFrame:
    """One row per customer existing on ``as_of``: profile, stage, final opinion,
    rated stages, items covered/total in the current stage, responses, last response.

    For "now" (``NOW``) the computed columns come from ``customer_summary`` (one
    row per customer, kept up to date by every write); for a past day they are
    computed by ``portfolio_sql``."""
    if as_of != NOW:
        where, params = _filter_sql(filters)
        return frame(db, portfolio_sql(where), {"d": as_of, **params})
    return _filtered(kept_frame(db, _portfolio_now, order=("name", "customer_id")), filters)


def _portfolio_now(db: Handle, customer_ids: list[int] | None) -> Records:
    """``portfolio`` for now, of every customer (or of ``customer_ids``), by name: from
    ``customer_summary``, for ``kept_frame``."""
    where, params = _of_customers("c.id", customer_ids)
    # items_total joins the per-stage counts once instead of counting per customer.
    computed = ", ".join("k.items_total" if column == "items_total" else f"s.{column}"
                         for column in PORTFOLIO_COMPUTED)
    return records(db, f"""
    SELECT c.id AS customer_id, c.name, c.sector, c.region, c.account_manager, c.created_on,
           c.acquisition_cost, {computed}
      FROM customers c JOIN customer_summary s ON s.customer_id = c.id
      LEFT JOIN (SELECT stage, COUNT(*) AS items_total FROM checklist_items WHERE active = 1
                  GROUP BY stage) k ON k.stage = s.stage
     WHERE c.created_on <= :d {where} ORDER BY c.name, c.id
    """, {"d": NOW, **params})


# Responses and rating sums of the stage_summary row ``s`` up to ``:d``: the stored
# sums when nothing in the stage came later, else counted from the responses.
_STAGE_RATINGS = """
        CASE WHEN s.last_response_on <= :d THEN s.responses ELSE
            (SELECT COUNT(*) FROM responses r WHERE r.customer_id = s.customer_id
              AND r.stage = s.stage AND r.responded_on <= :d) END AS responses,
        CASE WHEN s.last_response_on <= :d THEN s.quality_sum ELSE
            (SELECT SUM(r.quality) FROM responses r WHERE r.customer_id = s.customer_id
              AND r.stage = s.stage AND r.responded_on <= :d) END AS quality_sum,
        CASE WHEN s.last_response_on <= :d THEN s.completeness_sum ELSE
            (SELECT SUM(r.completeness) FROM responses r WHERE r.customer_id = s.customer_id
              AND r.stage = s.stage AND r.responded_on <= :d) END AS completeness_sum"""


def checklist_items(db: Handle) -> pd.DataFrame:
    return frame(db, "SELECT key, stage, position, label FROM checklist_items WHERE active = 1"
                     " ORDER BY position")


# The last day and number of times the item_coverage row ``i`` was addressed up to
# ``:d``: the stored values when it was not addressed later, else counted.
_ITEM_LAST_ON = """CASE WHEN i.last_on <= :d THEN i.last_on ELSE
            (SELECT MAX(r.responded_on) FROM response_items r WHERE r.customer_id = i.customer_id
              AND r.item_key = i.item_key AND r.responded_on <= :d) END"""
_ITEM_TIMES = """CASE WHEN i.last_on <= :d THEN i.times ELSE
            (SELECT COUNT(*) FROM response_items r WHERE r.customer_id = i.customer_id
              AND r.item_key = i.item_key AND r.responded_on <= :d) END"""
_ITEM_AS_OF = f"{_ITEM_LAST_ON} AS last_on, {_ITEM_TIMES} AS times"


def item_coverage(db: Handle, stage: str, as_of: str, customer_ids: list[int] | None = None) -> pd.DataFrame:
    """Checklist items addressed in ``stage`` by ``as_of`` (of the given customers, or
    all): customer, item, first and last date addressed, times addressed.

    For all customers the stage is ``unindexed``, so SQLite reads the table in storage
    (customer) order: a third of it is one stage, and the (stage, first_on) index would
    fetch each of those rows at random (45 instead of 125 ms at 10,000 customers)."""
    if customer_ids is None:
        where, params = f"{db.dialect.unindexed('i.stage')} = :s", {}
    else:
        marks, params = in_list("c", (int(c) for c in customer_ids))
        where = f"i.stage = :s AND i.customer_id IN ({marks})"
    return frame(db, f"""
    SELECT i.customer_id, i.item_key, i.first_on, {_ITEM_AS_OF}
    FROM item_coverage i WHERE {where} AND i.first_on <= :d
    """, {"d": as_of, "s": stage, **params})


def _stage_customers(as_of: str, reached: tuple[str, ...], filters: dict | None,
                     customer_ids: list[int] | None = None) -> tuple[str, dict]:
    """The ``WITH`` clauses (and their parameters) that define ``reached``: the customers
    existing on ``as_of`` (of ``customer_ids`` if given) whose stage then is one of ``reached``,
    as ``customer_id, name, sector, region, account_manager, stage``. For "now" the stage is
    joined from ``customer_summary``; for a past day it is looked up once per customer."""
    where, params = _filter_sql(filters)
    of, customers = _of_customers("c.id", customer_ids)
    where, params = where + of, {**params, **customers}
    marks, stages = in_list("reached", reached)
    stage, join = ("s.stage", "JOIN customer_summary s ON s.customer_id = c.id") if as_of == NOW \
        else (_STAGE_AS_OF, "")
    return f"""
    cur AS MATERIALIZED (
        SELECT c.id AS customer_id, c.name, c.sector, c.region, c.account_manager, {stage} AS stage
          FROM customers c {join} WHERE c.created_on <= :d {where}
    ),
    reached AS (SELECT * FROM cur WHERE stage IN ({marks}))""", \
        {"d": as_of, **params, **stages}


def stage_customers(db: Handle, as_of: str, reached: tuple[str, ...], filters: dict | None = None) -> pd.DataFrame:
    """The customers of ``_stage_customers``, by name."""
    ctes, params = _stage_customers(as_of, reached, filters)
    return frame(db, f"WITH {ctes} SELECT * FROM reached ORDER BY name", params)


def stage_gaps(db: Handle, stage: str, as_of: str, reached: tuple[str, ...], item_keys: list[str],
               filters: dict | None = None) -> pd.DataFrame:
    """The customers of ``_stage_customers`` by name (then id), with which of the checklist
    items ``item_keys`` (of ``stage``) they addressed by ``as_of``, counted here instead of
    on a customer x item grid: ``addressed`` has bit ``n`` set when ``item_keys[n]``
    was (NULL: none), ``last_on`` is the last day one of them was addressed. For "now" the
    rows come from the summary the writes keep (``stage_coverage``) and are kept in memory
    between writes (``kept_frame``): after a colleague's save only that customer's row is
    read again, where the whole read cost 70 ms at 10,000 customers."""
    if as_of == NOW:
        marks, keys = in_list("item", item_keys)
        found = dict(db.conn.execute(f"SELECT key, position FROM checklist_items WHERE key IN ({marks})",
                                     keys).fetchall())
        positions = tuple(int(found[key]) for key in item_keys)
        # Past MAX_POSITION (no stage has near that many) the summary's bits would not fit.
        if max(positions, default=0) <= MAX_POSITION:
            kept = kept_frame(db, _stage_gaps_now, stage, tuple(reached), tuple(item_keys), positions,
                              order=("name", "customer_id"))
            return _filtered(kept, filters)
    return frame(db, *_stage_gaps_sql(stage, as_of, reached, item_keys, filters))


def _stage_gaps_now(db: Handle, stage: str, reached: tuple[str, ...], item_keys: tuple[str, ...],
                    positions: tuple[int, ...], customer_ids: list[int] | None) -> Records:
    """``stage_gaps`` for now, of every customer (or of ``customer_ids``), for ``kept_frame``:
    from ``stage_coverage`` (which every write keeps), whose bits are the items' ``positions``
    (in the order of ``item_keys``), turned into bits of ``item_keys``' order."""
    ctes, params = _stage_customers(NOW, reached, None, customer_ids)
    addressed = " + ".join(f"((g.items >> {position}) & 1) * {1 << n}"
                           for n, position in enumerate(positions)) or "0"
    return records(db, f"""
    WITH {ctes}
    SELECT reached.*, CASE WHEN g.items IS NOT NULL THEN {addressed} END AS addressed, g.last_on
      FROM reached LEFT JOIN stage_coverage g ON g.customer_id = reached.customer_id AND g.stage = :s
     ORDER BY reached.name, reached.customer_id
    """, {**params, "s": stage})


def _stage_gaps_sql(stage: str, as_of: str, reached: tuple[str, ...], item_keys, filters: dict | None
                    ) -> tuple[str, dict]:
    """The statement of ``stage_gaps`` from the base rows (a past day, or now past
    ``MAX_POSITION``) and its parameters."""
    ctes, params = _stage_customers(as_of, reached, filters)
    marks, keys = in_list("item", item_keys)
    bits = " ".join(f"WHEN :{name} THEN {1 << n}" for n, name in enumerate(keys))
    given = f"""FROM item_coverage i WHERE i.customer_id = reached.customer_id AND i.stage = :s
           AND i.first_on <= :d AND i.item_key IN ({marks})"""
    return f"""
    WITH {ctes}
    SELECT reached.*,
        (SELECT SUM(CASE i.item_key {bits or 'WHEN NULL THEN 0'} END) {given}) AS addressed,
        (SELECT MAX({_ITEM_LAST_ON}) {given}) AS last_on
      FROM reached ORDER BY reached.name, reached.customer_id
    """, {**params, **keys, "s": stage}


def customer_checklist(db: Handle, customer_id: int, as_of: str) -> pd.DataFrame:
    """Every active checklist item in checklist order (``item_key, stage, position,
    label``) with the customer's ``first_on, last_on, times`` up to ``as_of`` (NULL
    when not addressed by then)."""
    return frame(db, f"""
    SELECT k.key AS item_key, k.stage, k.position, k.label, i.first_on, {_ITEM_AS_OF}
      FROM checklist_items k LEFT JOIN item_coverage i
        ON i.customer_id = :c AND i.item_key = k.key AND i.first_on <= :d
     WHERE k.active = 1 ORDER BY k.position
    """, {"d": as_of, "c": customer_id})


def customer_stages(db: Handle, customer_id: int, as_of: str, stages: tuple[str, ...]) -> list[dict]:
    """One row per stage of ``stages`` (in that order) for one customer up to ``as_of``:
    ``stage, entered_on`` (first entry), ``delivered`` (1 with a response in it, else
    0), ``responses, quality_sum, completeness_sum`` (NULL without a response),
    ``items_covered, items_total`` (active items) and ``opinion`` (the stage's
    opinion; NULL when not rated)."""
    names = {f"stage{i}": stage for i, stage in enumerate(stages)}
    units = " UNION ALL ".join(f"SELECT {i} AS position, :stage{i} AS stage" for i in range(len(stages)))
    return rows(db, f"""
    WITH st AS ({units})
    SELECT st.stage,
        (SELECT MIN(e.entered_on) FROM stage_entries e
          WHERE e.customer_id = :c AND e.stage = st.stage AND e.entered_on <= :d) AS entered_on,
        CASE WHEN s.customer_id IS NOT NULL THEN 1 ELSE 0 END AS delivered, {_STAGE_RATINGS},
        (SELECT COUNT(*) FROM item_coverage i
          WHERE i.customer_id = :c AND i.stage = st.stage AND i.first_on <= :d) AS items_covered,
        {_ITEMS_TOTAL.format(stage="st.stage")} AS items_total,
        (SELECT CASE WHEN SUM(o.d_rated) > 0 THEN SUM(o.d_value) END FROM opinion_steps o
          WHERE o.customer_id = :c AND o.series = st.stage AND o.on_date <= :d) AS opinion
      FROM st LEFT JOIN stage_summary s
        ON s.customer_id = :c AND s.stage = st.stage AND s.first_response_on <= :d
     ORDER BY st.position
    """, {"d": as_of, "c": customer_id, **names})


def customer(db: Handle, customer_id: int) -> dict | None:
    found = rows(db, "SELECT * FROM customers WHERE id = :c", {"c": customer_id})
    return found[0] if found else None


def has_customers(db: Handle) -> bool:
    return value(db, "SELECT EXISTS (SELECT 1 FROM customers)") == 1


def customer_names(db: Handle) -> pd.DataFrame:
    return frame(db, "SELECT id AS customer_id, name FROM customers ORDER BY name")


def filter_values(db: Handle) -> dict[str, list[str]]:
    """The distinct sectors, regions and account managers, for filter widgets."""
    return {
        column: [r[0] for r in db.conn.execute(
            f"SELECT DISTINCT {column} FROM customers WHERE {column} IS NOT NULL ORDER BY {column}")]
        for column in FILTER_COLUMNS
    }


def contacts(db: Handle, customer_id: int) -> pd.DataFrame:
    return frame(db, "SELECT name, role, email, phone FROM contacts WHERE customer_id = :c ORDER BY id",
                 {"c": customer_id})


def stage_entries(db: Handle, customer_id: int, as_of: str) -> pd.DataFrame:
    return frame(db, "SELECT id, stage, entered_on, kind, reason, author FROM stage_entries"
                     " WHERE customer_id = :c AND entered_on <= :d ORDER BY entered_on, id",
                 {"c": customer_id, "d": as_of})


def responses(db: Handle, customer_id: int, as_of: str) -> pd.DataFrame:
    """A customer's responses up to ``as_of`` with their ``items`` (a list of keys, sorted)."""
    found = frame(db, "SELECT id, stage, responded_on, mode, summary, quality, completeness, author"
                      " FROM responses WHERE customer_id = :c AND responded_on <= :d"
                      " ORDER BY responded_on, id", {"c": customer_id, "d": as_of})
    items: dict[int, list[str]] = {}
    for response_id, key in db.conn.execute(
            "SELECT response_id, item_key FROM response_items"
            " WHERE customer_id = :c AND responded_on <= :d ORDER BY item_key", {"c": customer_id, "d": as_of}):
        items.setdefault(response_id, []).append(key)
    found["items"] = [items.get(i, []) for i in found["id"]]
    return found


def opinions(db: Handle, customer_id: int, as_of: str) -> pd.DataFrame:
    return frame(db, "SELECT id, stage, opinion_on, score, source, note, author FROM opinions"
                     " WHERE customer_id = :c AND opinion_on <= :d ORDER BY opinion_on, id",
                 {"c": customer_id, "d": as_of})


def opinion_step_sums(db: Handle, series: tuple[str, ...], as_of: str, by: str | None = None,
                      customer_id: int | None = None, filters: dict | None = None) -> pd.DataFrame:
    """Monthly sums of opinion steps: month, series, [group], value, square, rated.

    Cumulative sums of these over the months give, at each month end, the
    total, the sum of squares and the count of rated customers."""
    group = f"c.{by}" if by in FILTER_COLUMNS else "NULL"
    where, params = _filter_sql(filters)
    if customer_id is not None:
        where += " AND o.customer_id = :c"
    marks, names = in_list("series", series)
    sql = f"""
    SELECT substr(o.on_date, 1, 7) AS month, o.series, {group} AS grp,
           SUM(o.d_value) AS value, SUM(o.d_square) AS square, SUM(o.d_rated) AS rated
    FROM opinion_steps o JOIN customers c ON c.id = o.customer_id
    WHERE o.series IN ({marks}) AND o.on_date <= :d {where}
    GROUP BY substr(o.on_date, 1, 7), o.series{", " + group if group != "NULL" else ""}
    """
    return frame(db, sql, {"d": as_of, "c": customer_id, **names, **params})


def mode_month(db: Handle, as_of: str) -> pd.DataFrame:
    """Per stage, mode and month up to ``as_of``: responses and rating sums.

    Whole months come from the summary table, the month of ``as_of`` is
    counted from the responses up to that day."""
    month = as_of[:7]
    return frame(db, """
    SELECT stage, mode, month, responses, quality_sum, completeness_sum
      FROM mode_month WHERE month < :m
    UNION ALL
    SELECT stage, mode, substr(responded_on, 1, 7), COUNT(*), SUM(quality), SUM(completeness)
      FROM responses WHERE responded_on BETWEEN :start AND :d
     GROUP BY stage, mode, substr(responded_on, 1, 7)
    """, {"m": month, "start": f"{month}-01", "d": as_of})




def last_mode(db: Handle, author: str) -> str | None:
    """The mode of ``author``'s most recently entered response (None if none)."""
    found = rows(db, "SELECT mode FROM responses WHERE author = :author ORDER BY id DESC LIMIT 1", {"author": author})
    return found[0]["mode"] if found else None


def current_stage_delivery(db: Handle, as_of: str) -> pd.DataFrame:
    """``customer_id, entered_on`` (the day each customer existing on ``as_of`` entered
    the stage it is in at the end of that day: the latest stage entry by then) and
    ``responses, quality_sum, completeness_sum`` of that stage up to ``as_of`` (NULL
    without a response in it). For "now" the stage comes from ``customer_summary``."""
    stage = "(SELECT s.stage FROM customer_summary s WHERE s.customer_id = c.id)" if as_of == NOW \
        else _STAGE_AS_OF
    return frame(db, f"""
    WITH cur AS MATERIALIZED (
        SELECT c.id AS customer_id, {stage} AS stage,
               (SELECT e.entered_on FROM stage_entries e
                 WHERE e.customer_id = c.id AND e.entered_on <= :d
                 ORDER BY e.entered_on DESC, e.id DESC LIMIT 1) AS entered_on
          FROM customers c WHERE c.created_on <= :d
    )
    SELECT cur.customer_id, cur.entered_on, {_STAGE_RATINGS}
      FROM cur LEFT JOIN stage_summary s
        ON s.customer_id = cur.customer_id AND s.stage = cur.stage AND s.first_response_on <= :d
    """, {"d": as_of})


def live_risk_rows(db: Handle) -> pd.DataFrame:
    """Per customer, now: ``customer_id, entered_on`` (the day it entered its current stage),
    ``responses, quality_sum, completeness_sum`` of that stage (0, NULL and NULL without a
    response in it, as ``current_stage_delivery``) and what writes keep in ``risk_summary``
    for the signs, to compare with the moment: ``breach_at, promise_due_on, broken_on,
    follow_up_due_on``."""
    return kept_frame(db, _risk_rows_now, order=("customer_id",))


def _risk_rows_now(db: Handle, customer_ids: list[int] | None) -> Records:
    where, params = _of_customers("r.customer_id", customer_ids)
    return records(db, f"""
    SELECT r.customer_id, r.entered_on, COALESCE(s.responses, 0) AS responses, s.quality_sum, s.completeness_sum,
           r.breach_at, r.promise_due_on, r.broken_on, r.follow_up_due_on
      FROM risk_summary r JOIN customer_summary cs ON cs.customer_id = r.customer_id
      LEFT JOIN stage_summary s ON s.customer_id = r.customer_id AND s.stage = cs.stage
     WHERE 1 = 1 {where} ORDER BY r.customer_id
    """, params)
