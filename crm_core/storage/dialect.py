"""What the SQL of ``crm_core.storage`` spells differently per database: here, SQLite.

The statements of the storage modules are portable SQL wherever SQLite and
PostgreSQL agree: ``CASE WHEN`` counts, ``ON CONFLICT ... DO UPDATE`` upserts,
``RETURNING id``, ``IS NOT DISTINCT FROM``, ``CREATE TEMP TABLE``, ``:name``
placeholders. The few spellings they do not share, how a connection is opened
and tuned, how a write transaction takes its lock, and what a refused write's
error means are the functions and names of this module. Moving to another
database means another module with the same names (and a ``files``
counterpart for what a file database alone can do).

Index hints are optional: ``unindexed`` and ``in_table_order`` steer SQLite's
planner where it picks a worse index; another dialect may return its argument.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from typing import Iterator

# ``RETURNING`` needs SQLite 3.35, ``IS NOT DISTINCT FROM`` 3.39.
MINIMUM_VERSION = (3, 39)
LIBRARY_VERSION = f"SQLite {sqlite3.sqlite_version} (needs {'.'.join(map(str, MINIMUM_VERSION))} or later)"
BUSY_TIMEOUT_MS = 10_000
WAL_LIMIT_BYTES = 32 * 1024 * 1024

# The driver's errors: any error, one in the data or file, one in running a statement.
Error = sqlite3.Error
DatabaseError = sqlite3.DatabaseError
OperationalError = sqlite3.OperationalError
BEGIN_WRITE = "BEGIN IMMEDIATE"   # takes the write lock up front: writers queue instead of failing


def version_supported() -> bool:
    """Whether the SQLite library this process uses runs the storage's SQL."""
    return sqlite3.sqlite_version_info >= MINIMUM_VERSION


# --- spellings ---------------------------------------------------------------------

def days_between(later: str, earlier: str) -> str:
    """SQL for the days (fractional) from the ISO date or date-time ``earlier`` to ``later``."""
    return f"(julianday({later}) - julianday({earlier}))"


def least(first: str, second: str) -> str:
    """SQL for the smaller of two values (NULL when either is NULL)."""
    return f"MIN({first}, {second})"


def greatest(first: str, second: str) -> str:
    """SQL for the larger of two values (NULL when either is NULL)."""
    return f"MAX({first}, {second})"


def joined(expression: str, separator: str) -> str:
    """SQL for the aggregate joining the text ``expression`` of the group's rows with
    ``separator`` (a literal without quotes), in the order the rows come."""
    return f"group_concat({expression}, '{separator}')"


def unindexed(column: str) -> str:
    """``column`` as a term no index is used for (SQLite: unary plus), where the plan
    through its index reads far more rows than another one."""
    return f"+{column}"


def in_table_order(table: str) -> str:
    """``table`` in a ``FROM``, read in storage order rather than through an index."""
    return f"{table} NOT INDEXED"


# --- connections ---------------------------------------------------------------------

def open_connection(file: str | os.PathLike) -> sqlite3.Connection:
    """A DB-API connection to ``file`` (created when missing) with the busy timeout and
    foreign keys on. Writes nothing yet. Raises ``DatabaseError`` when it cannot open."""
    conn = sqlite3.connect(file, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def tune(conn: sqlite3.Connection) -> None:
    """Put the database in write-ahead-log mode (it writes the header: call it once the
    file is known to be ours) and set this connection's durability and log size."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        _switch_to_wal(conn)
    # WAL with synchronous=NORMAL never corrupts; it only may lose the last
    # commits on power loss, and it saves an fsync on every write.
    conn.execute("PRAGMA synchronous = NORMAL")
    # After each checkpoint the WAL file is cut back to this size, so it
    # cannot keep the high-water mark of a long burst of writes.
    conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL mode. The switch fails at once, without the busy timeout,
    while another process opening the same new file holds it (switching it too): try
    again until the busy timeout has passed, as a lock wait would."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = wal")
            return
        except OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextlib.contextmanager
def page_cache(conn: sqlite3.Connection, megabytes: int) -> Iterator[None]:
    """Give ``conn`` a page cache of ``megabytes`` for the block (loading millions of rows:
    index pages stay in memory instead of being re-read for every insert)."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def write_refusal(error: OperationalError) -> str:
    """Why the database refused a write (read-only file, full disk, lock held too long),
    in words, from the driver's ``error``."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only"
    if "full" in text:
        return "the disk is full"
    if "disk i/o" in text:
        return "the disk refused the write (it may be full or failing)"
    if "locked" in text or "busy" in text:
        return "the database stayed busy with other writers for too long"
    return str(error)
