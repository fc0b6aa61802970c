"""Bulk statements for the generators (demo and benchmark): insert many
pre-validated rows at once, count rows, and read a whole table for the
benchmark's naive peer. Run inside the caller's ``transaction``.
"""

from __future__ import annotations

import contextlib
from typing import Iterable

import pandas as pd
from sqlite_utils import Database

from . import dialect, frame, value

COUNTED_TABLES = ("customers", "contacts", "stage_entries", "responses", "response_items", "opinions",
                  "audit")


def insert_rows(db: Database, table: str, columns: Iterable[str], rows: Iterable) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, or dicts holding those keys) with
    one ``executemany``; ``rows`` may be a generator, so nothing is held twice."""
    columns = tuple(columns)
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
        ({c: r.get(c) for c in columns} if isinstance(r, dict) else dict(zip(columns, r)) for r in rows),
    )


def large_cache(db: Database, megabytes: int = 512) -> contextlib.AbstractContextManager[None]:
    """Give this connection a page cache of ``megabytes`` while loading millions of rows:
    index pages stay in memory instead of being re-read for every insert."""
    return dialect.page_cache(db.conn, megabytes)


def has_customers(db: Database) -> bool:
    """Whether the database holds any customer."""
    return value(db, "SELECT EXISTS (SELECT 1 FROM customers)") == 1


def counts(db: Database) -> dict[str, int]:
    """Row count of each base table (``COUNTED_TABLES``)."""
    return {table: value(db, f"SELECT COUNT(*) FROM {table}") for table in COUNTED_TABLES}


def all_responses(db: Database) -> pd.DataFrame:
    """The whole responses table: what a naive dashboard would load before aggregating."""
    return frame(db, "SELECT * FROM responses")
