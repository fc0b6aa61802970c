"""Live per-customer reads kept in memory, refreshed customer by customer.

The portfolio pages read, for "now", one row per customer from the summaries (the
portfolio, the at-risk signs, the final opinion's moves over a period). Such a read
costs as much after a colleague's one saved response as it did the first time: every
customer's row is fetched and turned into Python values again. What changed is known
per customer: every write about a customer counts ``customer:<id>`` in the change
scopes (``storage.touch``). ``kept_frame`` keeps the rows of the last read of each
statement in this process, with the versions they were read at, and after a write
fetches again only the rows of the customers whose version moved.

It reads everything again when the checklist, the currency or the service targets
changed (``SETTINGS``: they change every customer's rows), after a write that named no
scope (``EVERYTHING``: a rebuild, a bulk load), when the database is not the one it
read (another file at the same path: the first migration's time differs), and when so
many customers changed that one full read costs less than the list of them.

Versions are read before rows: a write committed in between is then read with the
rows and read again next time, never missed. Inside a write transaction nothing is
kept (its rows are not committed and may roll back).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from operator import itemgetter
from typing import Callable

import pandas as pd

from . import CUSTOMER_SCOPES, EVERYTHING, SETTINGS, Handle, in_list, value

# Reads kept per process (statement, its arguments, database): the portfolio pages use three
# at a time per period; older ones are dropped first.
MAX_KEPT = 16
# Past this many changed customers, one full read is cheaper than the list of them.
MAX_CHANGED = 2_000

Records = tuple[list[str], list[tuple]]
_kept: OrderedDict[tuple, "_Kept"] = OrderedDict()
_lock = threading.Lock()


class _Kept:
    """The rows of one read ({customer id: record}, in the read's order), what they were read
    at, and their DataFrame once made."""

    def __init__(self, database: str, base: tuple[int, int], customers: dict[int, int], columns: list[str],
                 rows: dict):
        self.database, self.base, self.customers, self.columns, self.rows = database, base, customers, columns, rows
        self.frame: pd.DataFrame | None = None


def kept_frame(db: Handle, read: Callable[..., Records], *args, order: tuple[str, ...]) -> pd.DataFrame:
    """``read(db, *args, customer_ids=None)`` as a DataFrame, from memory where it can be.

    ``read`` returns ``(columns, records)``: one record per customer, its id first, in the
    order of the columns ``order`` (never NULL; ``kept_frame`` restores that order after a patch);
    given ``customer_ids`` it returns only theirs. Returns a new DataFrame equal to what one
    full read would give (the caller may change it)."""
    if db.transaction is not None:
        return _frame(*read(db, *args, customer_ids=None))
    database, base, customers = _versions(db)
    key = (str(db.location), read, args)
    with _lock:
        kept = _kept.get(key)
        changed = None
        if kept is not None and (kept.database, kept.base) == (database, base):
            changed = [c for c, n in customers.items() if kept.customers.get(c) != n]
            changed += [c for c in kept.customers if c not in customers]    # counts gone: a restore
        if changed is None or len(changed) > MAX_CHANGED:
            columns, found = read(db, *args, customer_ids=None)
            kept = _Kept(database, base, customers, columns, {record[0]: record for record in found})
        elif changed:
            columns, found = read(db, *args, customer_ids=changed)
            kept = _Kept(database, base, customers, columns, _patched(kept.rows, changed, found,
                                                                       itemgetter(*map(columns.index, order))))
        _kept[key] = kept
        _kept.move_to_end(key)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
        if kept.frame is None:
            kept.frame = _frame(kept.columns, list(kept.rows.values()))
        return kept.frame.copy()


def _patched(rows: dict, changed: list[int], found: list[tuple], order: Callable) -> dict:
    """``rows`` ({customer id: record}, sorted by ``order``) with the ``changed`` customers'
    records replaced by those ``found`` (a customer not found is gone), still sorted."""
    patched = dict(rows)
    replaced = {record[0]: record for record in found}
    resort = False
    for customer in changed:
        record, old = replaced.get(customer), patched.get(customer)
        if record is None:
            patched.pop(customer, None)
        else:
            # In place (a dict keeps its order) unless the record moves in the order.
            resort |= old is None or order(old) != order(record)
            patched[customer] = record
    if resort:
        patched = {record[0]: record for record in sorted(patched.values(), key=order)}
    return patched


def forget() -> None:
    """Drop every kept read (the next read of each is a full one): for a comparison with
    the database itself (tests, benchmarks)."""
    with _lock:
        _kept.clear()


def _frame(columns: list[str], records: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns)


def _versions(db: Handle) -> tuple[str, tuple[int, int], dict[int, int]]:
    """(which database this is: its first migration's time, the versions of ``SETTINGS`` and
    ``EVERYTHING``, {customer id: version} of every customer a write has touched)."""
    database = str(value(db, f"SELECT MIN(applied_at) FROM {db.dialect.MIGRATIONS_TABLE}"))
    marks, params = in_list("scope", (SETTINGS, EVERYTHING))
    low, high = CUSTOMER_SCOPES
    found = dict(db.conn.execute(
        f"SELECT scope, SUM(n) FROM change_scopes WHERE scope IN ({marks}) OR (scope >= :low AND scope < :high)"
        " GROUP BY scope", {**params, "low": low, "high": high}).fetchall())
    base = (int(found.pop(SETTINGS, 0) or 0), int(found.pop(EVERYTHING, 0) or 0))
    return database, base, {int(scope[len(low):]): int(n) for scope, n in found.items()}
