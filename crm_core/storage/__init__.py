"""The one door to the database.

Only this package imports ``sqlite3`` or ``sqlite_utils`` and holds SQL. The
rest of ``crm_core`` asks it for DataFrames and row dicts and hands it
validated values to write. Moving to another database means changing this
package only.

Connections are cheap: open one per use (``with connect() as db``) rather
than sharing one across threads.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pandas as pd
from sqlite_utils import Database

from . import dialect, schema
from .dialect import BUSY_TIMEOUT_MS, WAL_LIMIT_BYTES  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from .commands import DeferredRefresh

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "demo.db"


class StorageError(RuntimeError):
    """The database file cannot be used (not SQLite, corrupt, newer schema...)."""


@dataclass
class Transaction:
    """The write transaction in progress on a ``Handle``. ``deferred``: the summary
    refreshes its writes noted to do at the end of ``commands.deferred_refresh`` (None:
    each write refreshes the summaries it touches at once)."""

    deferred: DeferredRefresh | None = None


class Handle(Database):
    """An open database, as ``connect`` yields it: sqlite-utils' ``Database`` on the
    DB-API connection ``conn``, with ``transaction``, the write transaction in progress
    (None outside one). The rest of ``crm_core`` passes it on and never looks inside."""

    transaction: Transaction | None = None


def database_path(path: str | os.PathLike | None = None) -> Path:
    """The file to use: ``path``, else ``$CRM_DB``, else ``data/demo.db``."""
    return Path(path or os.environ.get("CRM_DB") or DEFAULT_PATH)


@contextlib.contextmanager
def connect(path: str | os.PathLike | None = None, *, migrate: bool = True) -> Iterator[Handle]:
    """Open the database (creating the file and schema if needed) and close it afterwards.

    Takes an optional path (see ``database_path``); yields a ``Handle`` in WAL mode
    with a busy timeout and foreign keys on.
    """
    file = database_path(path)
    if not dialect.version_supported():
        raise StorageError(f"this database library is too old for the app: {dialect.LIBRARY_VERSION}")
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = dialect.open_connection(file)
    except dialect.DatabaseError as error:
        raise StorageError(f"{file} cannot be opened: {error}") from error
    try:
        db = Handle(conn)
        try:
            # Checked before anything is written (switching to WAL writes the header),
            # so a file this version does not understand is left exactly as it was.
            unknown = schema.unknown(db)
            if unknown:
                raise StorageError(f"{file} was written by a newer version of this app (schema "
                                   f"{', '.join(unknown)}); upgrade the app before opening it")
            dialect.tune(conn)
            if migrate and schema.pending(db):
                _migrate(db)
        except dialect.DatabaseError as error:
            raise StorageError(f"{file} is not a usable CRM database: {error}") from error
        yield db
    finally:
        conn.close()


def _migrate(db: Database) -> None:
    """Apply the pending migrations in one write transaction, then rebuild the summaries
    when one asks for it. The lock comes first and the pending ones are read again under
    it, so two processes opening a new file at once migrate it once."""
    from .summaries import rebuild_summaries   # built on this module's reads: imported once they exist

    with _immediate(db):
        if schema.pending(db) and schema.apply(db):
            rebuild_summaries(db)


@contextlib.contextmanager
def _immediate(db: Database) -> Iterator[Database]:
    try:
        db.conn.execute(dialect.BEGIN_WRITE)
    except dialect.OperationalError as error:
        raise _write_error(error) from error
    try:
        yield db
    except dialect.OperationalError as error:
        _rollback(db)
        raise _write_error(error) from error
    except BaseException:
        _rollback(db)
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except dialect.OperationalError as error:
            _rollback(db)
            raise _write_error(error) from error


def _rollback(db: Database) -> None:
    # A full disk or an I/O error can make the database roll the transaction back itself.
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def _write_error(error: dialect.OperationalError) -> StorageError:
    """A write the storage refused (read-only file, full disk, lock held too long), in words."""
    return StorageError(f"Nothing was saved: {dialect.write_refusal(error)}. Ask your administrator;"
                        " what you typed is kept.")


@contextlib.contextmanager
def transaction(db: Handle) -> Iterator[Handle]:
    """One write transaction. It takes the write lock up front (``dialect.BEGIN_WRITE``), so
    concurrent writers queue on the busy timeout instead of failing with
    "database is locked" when a read turns into a write. Bumps the change counter.

    Inside an open transaction (an import writing many rows as one), it becomes
    a savepoint: a refused row rolls back alone, the whole stays one commit. The
    outermost one sets ``db.transaction`` for its duration.
    """
    outermost = db.transaction is None
    if outermost:
        db.transaction = Transaction()
    try:
        with _savepoint(db) if db.conn.in_transaction else _immediate(db):
            db.conn.execute("UPDATE change_counter SET n = n + 1 WHERE id = 1")
            yield db
    finally:
        if outermost:
            db.transaction = None


@contextlib.contextmanager
def _savepoint(db: Database) -> Iterator[Database]:
    db.conn.execute("SAVEPOINT crm_write")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:   # else the database already rolled back the whole transaction
            db.conn.execute("ROLLBACK TO crm_write")
            db.conn.execute("RELEASE crm_write")
        raise
    else:
        db.conn.execute("RELEASE crm_write")


def frame(db: Database, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run a read and return its rows as a DataFrame (columns named as in the SQL)."""
    cursor = db.conn.execute(sql, params or {})
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def rows(db: Database, sql: str, params: dict | None = None) -> list[dict]:
    """Run a read and return its rows as dicts."""
    cursor = db.conn.execute(sql, params or {})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def value(db: Database, sql: str, params: dict | None = None):
    """Run a read and return the first column of the first row (or None)."""
    row = db.conn.execute(sql, params or {}).fetchone()
    return row[0] if row else None


def change_count(path: str | os.PathLike | None = None) -> int:
    """How many write transactions the database has seen: a cache key for reads."""
    with connect(path) as db:
        return value(db, "SELECT n FROM change_counter WHERE id = 1")
