"""Live per-customer reads kept in memory, refreshed customer by customer.

The portfolio pages read, for "now", one row per customer from the summaries (the
portfolio, the at-risk signs, the final opinion's moves over a period). Such a read
costs as much after a colleague's one saved response as it did the first time: every
customer's row is fetched and turned into Python values again. What changed is known
per customer: every write about a customer counts ``customer:<id>`` in the change
scopes (``storage.touch``). ``kept_frame`` keeps the DataFrame of the last read of each
statement in this process, with the versions it was read at, and after a write fetches
again only the rows of the customers whose version moved and patches them in (in place
when they keep their place in the order). A patch that might leave a column in another
type than one full read would infer (``_typed``) is not made: everything is read again.

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
from typing import Callable

import numpy as np
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
    """The DataFrame of one read (a row per customer, in the read's order) and the versions
    it was read at."""

    def __init__(self, database: str, base: tuple[int, int], customers: dict[int, int], frame: pd.DataFrame):
        self.database, self.base, self.customers, self.frame = database, base, customers, frame


def kept_frame(db: Handle, read: Callable[..., Records], *args, order: tuple[str, ...]) -> pd.DataFrame:
    """``read(db, *args, customer_ids=None)`` as a DataFrame, from memory where it can be.

    ``read`` returns ``(columns, records)``: one record per customer, its id first (column
    ``customer_id``), in the order of the columns ``order`` (never NULL; ``kept_frame``
    restores that order after a patch); given ``customer_ids`` it returns only theirs.
    Returns a new DataFrame equal to what one full read would give (the caller may change it)."""
    if db.transaction is not None:
        return _frame(*read(db, *args, customer_ids=None))
    database, base, customers = _versions(db)
    key = (str(db.location), read, args)
    with _lock:
        kept = _kept.get(key)
        found = None
        if kept is not None and (kept.database, kept.base) == (database, base):
            changed = [c for c, n in customers.items() if kept.customers.get(c) != n]
            changed += [c for c in kept.customers if c not in customers]    # counts gone: a restore
            if len(changed) <= MAX_CHANGED:
                try:
                    found = kept.frame if not changed else _patched(
                        kept.frame, changed, _frame(*read(db, *args, customer_ids=changed)), list(order))
                except BaseException:
                    del _kept[key]      # it may be patched half-way
                    raise
        if found is None:
            found = _frame(*read(db, *args, customer_ids=None))
        _kept[key] = _Kept(database, base, customers, found)
        _kept.move_to_end(key)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
        return found.copy()


def _patched(kept: pd.DataFrame, changed: list[int], found: pd.DataFrame, order: list[str]) -> pd.DataFrame | None:
    """``kept`` (sorted by the columns ``order``) with the ``changed`` customers' rows replaced
    by those ``found`` (a changed customer may have no row, before and after), still sorted;
    None when the result might not be what one full read gives: a kept customer is gone (its
    row may have held the only value that made a column's type) or ``_typed`` cannot say.
    When every changed customer keeps its place, ``kept`` itself is patched (only the values
    that moved) and returned: the caller holds the lock, hands out copies, and drops it if
    this fails half-way."""
    ids = kept["customer_id"].to_numpy()     # numpy: a Series' boolean indexing aligns first
    stays = ~np.isin(ids, changed)
    if not np.isin(ids[~stays], found["customer_id"].to_numpy()).all():
        return None
    if found.empty:     # none of them has a row, before or after (a customer short of a gaps read's stage)
        return kept
    found = _typed(found, kept, stays)
    if found is None:
        return None
    at = pd.Index(ids).get_indexer(found["customer_id"])
    if (at >= 0).all():
        before = kept.iloc[at].reset_index(drop=True)
        if before[order].equals(found[order]):
            types = kept.dtypes
            for number, column in enumerate(found.columns):
                if not before[column].equals(found[column]):
                    kept.iloc[at, number] = found[column].to_numpy()
            return kept if kept.dtypes.equals(types) else None
    patched = pd.concat([kept[stays], found], ignore_index=True).sort_values(order, kind="stable", ignore_index=True)
    return patched if patched.dtypes.equals(kept.dtypes) else None


def _typed(found: pd.DataFrame, kept: pd.DataFrame, stays: np.ndarray) -> pd.DataFrame | None:
    """``found`` with each column in the type of ``kept``'s, or None where one full read of
    ``found`` and the rows of ``kept`` that ``stays`` marks might infer another. A full read
    infers a column's type from all its values, so a few rows may differ and still join: all
    NULL (None alone reads as ``object``) where the rows that stay keep a value, in a type
    that holds NULL (float, text, object); integers where they keep a NULL in a float column
    (so the whole stays float)."""
    typed = {}
    # The types of both at once: a column of a DataFrame costs a Series to ask for.
    for column, want, have in zip(found.columns, kept.dtypes[found.columns], found.dtypes):
        if have == want:
            continue
        rest = kept.loc[stays, column]    # read only for a column whose type differs
        if not (found[column].isna().all() and want.kind in "fO" and rest.notna().any()
                or have.kind == "i" and want.kind == "f" and rest.isna().any()):
            return None
        typed[column] = found[column].astype(want)
    return found.assign(**typed) if typed else found


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
