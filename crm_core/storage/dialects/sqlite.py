"""What the SQL of ``crm_core.storage`` spells differently per database: here, SQLite,
the embedded default (``postgresql`` is the other dialect, with the same names).

The statements of the storage modules are portable SQL wherever SQLite and
PostgreSQL agree: ``CASE WHEN`` counts, ``ON CONFLICT ... DO UPDATE`` upserts,
``RETURNING id``, ``IS NOT DISTINCT FROM``, ``CREATE TEMP TABLE``, ``:name``
placeholders. The few spellings they do not share, how a connection is opened
and tuned, how a write transaction takes its lock, and what a refused write's
error means are the functions and names of this module. Moving to another
database means another module with the same names (and a ``files``
counterpart for what a file database alone can do). A ``Handle`` carries its
dialect (``db.dialect``), so the same process can hold both (``copy``).

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
# What a write the database refuses raises (read-only, full, locked too long).
REFUSED = (sqlite3.OperationalError,)
NAME = "SQLite"
BEGIN_WRITE = "BEGIN IMMEDIATE"   # takes the write lock up front: writers queue instead of failing
# SQLite's one write lock already serialises migrations: no lock of their own.
MIGRATION_LOCK = None
# The table sqlite-utils recorded applied migrations in before crm_core kept the record itself.
MIGRATIONS_TABLE = "_sqlite_migrations"
# Writers take turns anyway: one slot of the change counter (see ``schema.m014``), and the
# change's number is that slot's count.
NEXT_CHANGE = "UPDATE change_counter SET n = n + 1 WHERE slot = 0 RETURNING n"
# A write transaction counts itself once in each change scope it touched (on the slot of its
# change counter's row).
COUNT_SCOPE = ("INSERT INTO change_scopes (scope, slot, n) VALUES (:scope, 0, 1)"
               " ON CONFLICT (scope, slot) DO UPDATE SET n = change_scopes.n + 1")


def version_supported() -> bool:
    """Whether the SQLite library this process uses runs the storage's SQL."""
    return sqlite3.sqlite_version_info >= MINIMUM_VERSION


# --- spellings ---------------------------------------------------------------------

def days_between(later: str, earlier: str) -> str:
    """SQL for the days (fractional) from the ISO date or date-time ``earlier`` to ``later``."""
    return f"(julianday({later}) - julianday({earlier}))"


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


# --- schema ------------------------------------------------------------------------

def ddl(statement: str) -> str:
    """A migration's ``CREATE``/``ALTER`` statement as this database reads it: the
    migrations are written in SQLite's types (``id INTEGER PRIMARY KEY``, ``REAL``)."""
    return statement


def table_names(conn: sqlite3.Connection) -> set[str]:
    """The names of the tables in the database (not the temporary ones)."""
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def continue_ids_after(conn: sqlite3.Connection, table: str, highest: int) -> None:
    """Make ``table`` hand out ids after ``highest`` and never one it handed out before,
    even once deleted. SQLite does that only for ``INTEGER PRIMARY KEY AUTOINCREMENT``:
    the table is rebuilt so (every row, index and foreign key kept; call it with
    foreign-key actions off, so dropping the old table cascades nowhere, and
    ``broken_foreign_keys`` after it) unless it is already."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name",
                          {"name": table}).fetchone()
    if "AUTOINCREMENT" not in sql:
        indexes = [row[0] for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :name AND sql IS NOT NULL",
            {"name": table}).fetchall()]
        rebuilt = sql.replace(f"CREATE TABLE {table} (", f"CREATE TABLE _rebuilt_{table} (", 1).replace(
            "id INTEGER PRIMARY KEY,", "id INTEGER PRIMARY KEY AUTOINCREMENT,", 1)
        if "AUTOINCREMENT" not in rebuilt or rebuilt.startswith(f"CREATE TABLE {table}"):
            raise RuntimeError(f"cannot give {table} ids that are never reused: {sql}")
        conn.execute(rebuilt)
        conn.execute(f"INSERT INTO _rebuilt_{table} SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE _rebuilt_{table} RENAME TO {table}")
        for index in indexes:
            conn.execute(index)
    conn.execute("DELETE FROM sqlite_sequence WHERE name = :name", {"name": table})
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)", {"name": table, "seq": highest})


def ids_given(conn: sqlite3.Connection, table: str) -> None:
    """After rows went into ``table`` with their ids given (a bulk load): nothing, SQLite's
    ``AUTOINCREMENT`` continues after the highest id by itself."""


def lock_keys(conn: sqlite3.Connection, keys: str, params: dict) -> None:
    """Nothing: a SQLite writer holds the whole database (see ``postgresql.lock_keys``)."""


def broken_foreign_keys(conn: sqlite3.Connection) -> list:
    """Rows whose parent row is missing (the first few), after a table rebuild."""
    return conn.execute("PRAGMA foreign_key_check").fetchmany(5)


def create_update_trigger(conn: sqlite3.Connection, name: str, table: str, columns: str, when: str,
                          statement: str) -> None:
    """A trigger ``name`` that runs ``statement`` (one statement, ``NEW``/``OLD`` naming the
    row) after an update of ``columns`` (comma-separated) of a row of ``table`` for which
    ``when`` holds."""
    conn.execute(f"CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON {table} WHEN {when}"
                 f" BEGIN {statement}; END")


def start_change_numbers(conn: sqlite3.Connection, after: int) -> None:
    """The numbers of changes continue after ``after`` and after the count so far: the
    count goes to the counter's slot 0, whose count numbers the next change (``NEXT_CHANGE``)."""
    (count,) = conn.execute("SELECT SUM(n) FROM change_counter").fetchone()
    conn.execute("UPDATE change_counter SET n = CASE WHEN slot = 0 THEN :n ELSE 0 END",
                 {"n": max(count or 0, after)})


def load_rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, maybe a generator) into ``table``."""
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                     (dict(zip(columns, row)) for row in rows))


# --- connections ---------------------------------------------------------------------

@contextlib.contextmanager
def foreign_keys_off(conn: sqlite3.Connection) -> Iterator[None]:
    """Foreign-key checks and actions off for the block, on again after it. Called outside
    any transaction: SQLite ignores the switch inside one."""
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def open_connection(file: str | os.PathLike) -> sqlite3.Connection:
    """A DB-API connection to ``file`` (created when missing) with the busy timeout and
    foreign keys on. Writes nothing yet. Raises ``DatabaseError`` when it cannot open."""
    conn = sqlite3.connect(file, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def refresh_statistics(conn: sqlite3.Connection) -> None:
    """Nothing: the storage's SQLite plans are steered by index hints chosen without
    statistics (``unindexed``, ``in_table_order``), which ``ANALYZE`` would overturn."""


def size_bytes(conn: sqlite3.Connection) -> int:
    """The size of the database file (its pages; the write-ahead log aside)."""
    return conn.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").fetchone()[0]


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
