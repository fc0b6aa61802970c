"""Bulk statements for the generators (demo and benchmark): insert many
pre-validated rows at once, count rows, and read a whole table for the
benchmark's naive peer. Run inside the caller's ``transaction``.
"""

from __future__ import annotations

import contextlib
from typing import Iterable

import pandas as pd

from . import Handle, frame, table_names, transaction, value

COUNTED_TABLES = ("customers", "contacts", "stage_entries", "responses", "response_items", "opinions",
                  "audit")


def insert_rows(db: Handle, table: str, columns: Iterable[str], rows: Iterable) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, or dicts holding those keys) in one
    stream (``dialect.load_rows``: one ``executemany``, or ``COPY``); ``rows`` may be a
    generator, so nothing is held twice. Ids given continue their table's sequence."""
    columns = tuple(columns)
    db.dialect.load_rows(db.conn, table, columns,
                         (tuple(r.get(c) for c in columns) if isinstance(r, dict) else r for r in rows))
    if "id" in columns:
        db.dialect.ids_given(db.conn, table)


def large_cache(db: Handle, megabytes: int = 512) -> contextlib.AbstractContextManager[None]:
    """Give this connection a page cache of ``megabytes`` while loading millions of rows:
    index pages stay in memory instead of being re-read for every insert."""
    return db.dialect.page_cache(db.conn, megabytes)


def refresh_statistics(db: Handle) -> None:
    """After a bulk load: the database's planner statistics brought up to date (the dialect's)."""
    db.dialect.refresh_statistics(db.conn)


def remove_all_rows(db: Handle) -> None:
    """Delete every row a portfolio wrote, in one write transaction: the bench rebuilding a
    PostgreSQL database it cannot delete as a file. The checklist, the accounts' table
    layout, the change counter and the change scopes' versions stay, so no cache key of a
    running server comes back."""
    with transaction(db):
        for table in table_names(db):
            if table not in ("checklist_items", "change_counter", "change_scopes", db.dialect.MIGRATIONS_TABLE) \
                    and not table.startswith("sqlite_"):
                db.execute(f"DELETE FROM {table}")


def counts(db: Handle) -> dict[str, int]:
    """Row count of each base table (``COUNTED_TABLES``)."""
    return {table: value(db, f"SELECT COUNT(*) FROM {table}") for table in COUNTED_TABLES}


def all_responses(db: Handle) -> pd.DataFrame:
    """The whole responses table: what a naive dashboard would load before aggregating."""
    return frame(db, "SELECT * FROM responses")
