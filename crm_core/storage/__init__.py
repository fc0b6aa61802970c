"""The one door to the database.

Only this package imports a database driver and holds SQL. The rest of
``crm_core`` asks it for DataFrames and row dicts and hands it validated values
to write. The database is a SQLite file (the default) or a PostgreSQL server
(``CRM_DB=postgresql://…``); the differences are the ``dialects``' and, for a
file, ``files``'.

Connections are cheap (a file's are opened, a server's come from a pool): open
one per use (``with connect() as db``) rather than sharing one across threads.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from types import ModuleType

import pandas as pd

from . import dialects, schema
from .dialects.sqlite import BUSY_TIMEOUT_MS, WAL_LIMIT_BYTES  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from .commands import DeferredRefresh

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "demo.db"


class StorageError(RuntimeError):
    """The database cannot be used (not SQLite, corrupt, newer schema, server down...)."""


@dataclass
class Transaction:
    """The write transaction in progress on a ``Handle``. ``deferred``: the summary
    refreshes its writes noted to do at the end of ``commands.deferred_refresh`` (None:
    each write refreshes the summaries it touches at once)."""

    deferred: DeferredRefresh | None = None
    change_id: int | None = None   # the number of its change: a savepoint inside is part of it
    scopes: set[str] = field(default_factory=set)   # what it touched (``touch``), counted at its commit
    # In a ``funnel.batch``: facts its writes would each read again and none of them changes
    # (who writes and may, the checklist's items), read once; None outside a batch.
    memo: dict | None = None


class Handle:
    """An open database, as ``connect`` yields it: the DB-API connection ``conn``, its
    ``dialect`` module, where it is (``location``) and ``transaction``, the write
    transaction in progress (None outside one). The rest of ``crm_core`` passes it on
    and never looks inside."""

    def __init__(self, conn, dialect: ModuleType, location: Path | str):
        self.conn, self.dialect, self.location = conn, dialect, location
        self.transaction: Transaction | None = None

    def execute(self, sql: str, params: dict | tuple | None = None):
        """Run one statement (``:name`` placeholders); returns the cursor."""
        return self.conn.execute(sql, params if params is not None else {})


def database_location(location: str | os.PathLike | None = None) -> Path | str:
    """The database to use: ``location``, else ``$CRM_DB``, else ``data/demo.db``: a
    PostgreSQL URL as given (``postgresql://…``), or a file's ``Path``."""
    chosen = location or os.environ.get("CRM_DB") or DEFAULT_PATH
    return chosen if dialects.is_url(str(chosen)) else Path(chosen)


@contextlib.contextmanager
def connect(location: str | os.PathLike | None = None, *, migrate: bool = True) -> Iterator[Handle]:
    """Open the database (creating the file and schema if needed) and close it afterwards.

    Takes an optional file path or PostgreSQL URL (see ``database_location``); yields a
    ``Handle`` (a file in WAL mode with a busy timeout and foreign keys on). A database
    it cannot use raises ``StorageError`` in words, having written nothing.
    """
    where = database_location(location)
    dialect = dialects.of(str(where))
    if not dialect.version_supported():
        raise StorageError(f"this database library is too old for the app: {dialect.LIBRARY_VERSION}")
    named = describe(where)
    conn = _open_server(dialect, where, named) if dialects.is_url(str(where)) else _open_file(dialect, where)
    try:
        db = Handle(conn, dialect, where)
        try:
            # Checked before anything is written (switching to WAL writes the header),
            # so a database this version does not understand is left exactly as it was.
            unknown = schema.unknown(db)
            if unknown:
                raise StorageError(f"{named} was written by a newer version of this app (schema "
                                   f"{', '.join(unknown)}); upgrade the app before opening it")
            dialect.tune(conn)
            if migrate and schema.pending(db):
                _migrate(db)
        except dialect.DatabaseError as error:
            raise StorageError(f"{named} is not a usable CRM database: {error}") from error
        yield db
    finally:
        conn.close()


def describe(location: str | os.PathLike) -> str:
    """``location`` for messages: a file's path, or a URL without its password."""
    return dialects.of(str(location)).describe(str(location)) if dialects.is_url(str(location)) else str(location)


def _open_file(dialect: ModuleType, file: Path):
    from . import files   # built on this module's names: imported once they exist

    files.create_if_missing(file)
    if file.is_file() and file.stat().st_size == 0:
        # SQLite would silently make a new database of it; an empty file where a database
        # should be is more likely a failed copy or a wrong path, so it is left as it is.
        raise StorageError(f"{file} is an empty file (0 bytes), not a database; nothing was changed. "
                           "Delete it to start a new database there, or point CRM_DB at the right file.")
    try:
        return dialect.open_connection(file)
    except dialect.DatabaseError as error:
        raise StorageError(f"{file} cannot be opened: {error}") from error


def _open_server(dialect: ModuleType, url: str, named: str):
    try:
        return dialect.open_connection(url)
    except dialect.Error as error:
        # The server's own words (refused, unknown database, wrong password), never the URL
        # itself: it may hold a password.
        reason = " ".join(str(error).replace(url, named).split())
        raise StorageError(f"cannot use the database {named}: {reason}") from error


def _migrate(db: Handle) -> None:
    """Apply the pending migrations in one write transaction, then rebuild the summaries
    when one asks for it."""
    from .summaries import rebuild_summaries   # built on this module's reads: imported once they exist

    with migrating(db):
        if schema.pending(db) and schema.apply(db):
            rebuild_summaries(db)


@contextlib.contextmanager
def migrating(db: Handle) -> Iterator[Handle]:
    """The write transaction migrations run in (``schema.apply``; tests also build the
    databases older versions left with it). The lock comes first and the pending ones are
    to be read again under it, so two processes opening a new database at once migrate it once."""
    # Migrations keep every row themselves (a table rebuild checks the keys after it):
    # foreign-key actions are off meanwhile, or dropping a rebuilt table would cascade.
    with db.dialect.foreign_keys_off(db.conn), _immediate(db):
        if db.dialect.MIGRATION_LOCK:
            db.execute(db.dialect.MIGRATION_LOCK)
        yield db


@contextlib.contextmanager
def _immediate(db: Handle) -> Iterator[Handle]:
    refused = db.dialect.REFUSED
    try:
        db.conn.execute(db.dialect.BEGIN_WRITE)
    except refused as error:
        raise _write_error(db, error) from error
    try:
        yield db
    except refused as error:
        _rollback(db)
        raise _write_error(db, error) from error
    except BaseException:
        _rollback(db)
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except refused as error:
            _rollback(db)
            raise _write_error(db, error) from error


def _rollback(db: Handle) -> None:
    # A full disk or an I/O error can make the database roll the transaction back itself.
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def _write_error(db: Handle, error: Exception) -> StorageError:
    """A write the storage refused (read-only file, full disk, lock held too long), in words."""
    return StorageError(f"Nothing was saved: {db.dialect.write_refusal(error)}. Ask your administrator;"
                        " what you typed is kept.")


@contextlib.contextmanager
def transaction(db: Handle) -> Iterator[Handle]:
    """One write transaction. It takes the write lock up front (``dialect.BEGIN_WRITE``), so
    concurrent writers queue on the busy timeout instead of failing with
    "database is locked" when a read turns into a write. Counts the change
    (``dialect.NEXT_CHANGE``) and keeps its number in ``db.transaction.change_id``.

    What it touched (``touch``) is counted in the change scopes at its end, just before
    the commit; a transaction that touched nothing named counts ``EVERYTHING``.

    Inside an open transaction (an import writing many rows as one), it becomes
    a savepoint: a refused row rolls back alone, the whole stays one commit and one
    change (one number). The outermost one sets ``db.transaction`` for its duration.
    """
    outermost = db.transaction is None
    if outermost:
        db.transaction = Transaction()
    try:
        with _savepoint(db) if db.conn.in_transaction else _immediate(db):
            if db.transaction.change_id is None:
                db.transaction.change_id = db.conn.execute(db.dialect.NEXT_CHANGE).fetchone()[0]
            yield db
            if outermost:
                _count_scopes(db, db.transaction.scopes or {EVERYTHING})
    finally:
        if outermost:
            db.transaction = None


@contextlib.contextmanager
def _savepoint(db: Handle) -> Iterator[Handle]:
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


def frame(db: Handle, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run a read and return its rows as a DataFrame (columns named as in the SQL)."""
    columns, found = records(db, sql, params)
    return pd.DataFrame.from_records(found, columns=columns)


def records(db: Handle, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
    """Run a read and return (its column names, its rows as tuples)."""
    cursor = db.conn.execute(sql, params or {})
    return [d[0] for d in cursor.description], cursor.fetchall()


def in_list(prefix: str, values) -> tuple[str, dict]:
    """The named parameters ``:<prefix>0, :<prefix>1 ...`` of ``values`` for an ``IN (...)``
    list: (their SQL, their values by name). No value gives ``NULL``, which no row is ``IN``."""
    params = {f"{prefix}{n}": value for n, value in enumerate(values)}
    return ", ".join(":" + name for name in params) or "NULL", params


def rows(db: Handle, sql: str, params: dict | None = None) -> list[dict]:
    """Run a read and return its rows as dicts."""
    cursor = db.conn.execute(sql, params or {})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def value(db: Handle, sql: str, params: dict | None = None):
    """Run a read and return the first column of the first row (or None)."""
    row = db.conn.execute(sql, params or {}).fetchone()
    return row[0] if row else None


def change_count(location: str | os.PathLike | None = None) -> int:
    """How many write transactions the database has seen: a cache key for reads (on every
    app server alike, since it is kept in the database)."""
    with connect(location) as db:
        return value(db, "SELECT SUM(n) FROM change_counter")


# --- change scopes: what a write touched, for caches that refresh only on what they show -----
# Every write transaction counts itself in the change counter (``change_count``) and, at
# its commit, once in each scope it touched. A cache keyed on the versions of the scopes it
# reads (``change_versions``) stays warm when a colleague's save touched something else: a
# response to customer A leaves customer B's journey alone. Every scoped key includes
# ``SETTINGS`` and ``EVERYTHING``.
PORTFOLIO = "portfolio"       # any customer's facts: every write about a customer touches it
CUSTOMERS = "customers"       # the customers themselves: names and profiles (sector, region, manager)
SETTINGS = "settings"         # the checklist, the currency, the service targets: they change every count
ACCOUNTS = "accounts"         # accounts and sign-ins
SAVED_VIEWS = "saved_views"
SERVICE = "service"           # service cases and promises: the Service page reads them (and the customers)
OUTCOMES = "outcomes"         # outcomes (deals, revenue, referrals): the Outcomes page reads them
# Opinions and stage entries: what the final opinion is made of (the opinions of the stages
# reached) and which stage each customer is in, so what Outcomes bands, the Trend and Movers of
# Opinion trends and the customers each stage's checklist gaps count.
OPINIONS = "opinions"
EVERYTHING = "everything"     # a write that did not say what it touched (a rebuild, a bulk load)


def customer_scope(customer_id: int) -> str:
    """The scope of everything about one customer (``customer:<id>``)."""
    return f"customer:{int(customer_id)}"


# Every customer's scope sorts from the first to before the second (";" follows ":").
CUSTOMER_SCOPES = ("customer:", "customer;")


def stage_scope(stage: str) -> str:
    """The scope of the portfolio's responses and opinions of one stage (``stage:<stage>``):
    what the analysis of what moves that stage's opinion reads."""
    return f"stage:{stage}"


def touch(db: Handle, *scopes: str) -> None:
    """Note that the write transaction in progress touches ``scopes`` (counted at its commit)."""
    db.transaction.scopes.update(scopes)


def _count_scopes(db: Handle, scopes) -> None:
    # In a fixed order, so two servers' writers never wait for each other's rows crosswise.
    for scope in sorted(scopes):
        db.conn.execute(db.dialect.COUNT_SCOPE, {"scope": scope})


def change_versions(location: str | os.PathLike | None, scopes) -> dict[str, int]:
    """{scope: how many committed write transactions touched it} for each of ``scopes``
    (0 for one never touched): one statement, the cache keys of a page run."""
    marks, params = in_list("scope", scopes)
    with connect(location) as db:
        found = dict(db.conn.execute(
            f"SELECT scope, SUM(n) FROM change_scopes WHERE scope IN ({marks}) GROUP BY scope", params).fetchall())
    return {scope: int(found.get(scope) or 0) for scope in scopes}


def table_names(db: Handle) -> set[str]:
    """The names of the database's tables."""
    return db.dialect.table_names(db.conn)
