"""What only a database that is one file can do: copy it online, check a copy, swap
it in, checkpoint its write-ahead log, name and remove its side files, tell the
built-in demo file. Here for SQLite; PostgreSQL's counterpart is ``dumps`` (backups
with its own tools) beside its ``dialects.postgresql``, and nothing outside
``crm_core.storage`` tells them apart.

Restoring replaces the file under any open connection: stop the app (or accept
that a write in flight at that moment is lost) before restoring.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from pathlib import Path


from . import DEFAULT_PATH, Handle, StorageError, schema
from .dialects import sqlite as dialect


def is_demo(path: str | os.PathLike) -> bool:
    """Whether ``path`` is the built-in demo database (``data/demo.db``)."""
    return Path(path) == DEFAULT_PATH


def create_if_missing(path: Path) -> None:
    """Make ``path`` a new, empty SQLite database when no file is there, atomically: it is
    written beside it and linked into place, so no other process ever sees the file empty
    (``connect`` refuses a 0-byte file: there, that is a failed copy or a wrong path)."""
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = _temporary(path, "new")
    except OSError as error:
        raise StorageError(f"{path} cannot be created: {error}") from error
    try:
        with contextlib.closing(sqlite3.connect(scratch)) as conn:
            conn.execute("PRAGMA user_version = 0")   # writes the header: a database, not an empty file
            conn.commit()
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass   # another process made it first: use theirs
    finally:
        scratch.unlink(missing_ok=True)


def side_files(path: Path) -> list[Path]:
    """The write-ahead log and shared-memory files that belong with ``path``."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def remove(path: str | os.PathLike) -> None:
    """Delete the database at ``path`` with its side files (those that exist)."""
    path = Path(path)
    for file in (path, *side_files(path)):
        file.unlink(missing_ok=True)


def copy(source: Path, target: Path, *, read_only: bool = False) -> None:
    """Copy the database at ``source`` into a new file ``target`` with SQLite's online
    backup API: one consistent snapshot even while others write (WAL readers do
    not block writers). ``target`` is left in rollback-journal mode, a single
    self-contained file. ``read_only`` opens ``source`` without ever writing to it.
    Raises ``StorageError`` when ``source`` cannot be read as SQLite."""
    uri = f"{Path(source).resolve().as_uri()}{'?mode=ro' if read_only else ''}"
    try:
        origin = sqlite3.connect(uri, uri=True, timeout=dialect.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {source}: {error}") from error
    duplicate = sqlite3.connect(target)
    try:
        origin.backup(duplicate)   # all pages in one step: a single read transaction, one snapshot
        duplicate.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise StorageError(f"{source} is not a readable SQLite database: {error}") from error
    finally:
        duplicate.close()
        origin.close()


def problems(path: Path) -> list[str]:
    """Why the file at ``path`` is not a CRM database this code can use (empty list
    when it is): integrity, the CRM tables, and no migration the code does not know."""
    conn = sqlite3.connect(path)
    try:
        db = Handle(conn, dialect, path)
        checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if checks != ["ok"]:
            return [f"integrity check failed: {'; '.join(checks[:3])}"]
        if not {"customers", dialect.MIGRATIONS_TABLE} <= dialect.table_names(conn):
            return ["it is SQLite but not a customer-response database"]
        newer = schema.unknown(db)
        if newer:
            return [f"it was written by a newer version (unknown migrations: {', '.join(newer)})"]
        return []
    except sqlite3.DatabaseError as error:
        return [f"not a readable SQLite database: {error}"]
    finally:
        conn.close()


def checkpoint(path: Path) -> None:
    """Move everything in ``path``'s write-ahead log into the main file and empty the log."""
    conn = sqlite3.connect(path, timeout=dialect.BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def backup(path_from: str | os.PathLike, path_to: str | os.PathLike) -> Path:
    """Copy the database at ``path_from`` into ``path_to`` (replaced if it exists)
    as one consistent snapshot, safe while others write. The copy is a single
    self-contained file; it appears only once complete. Returns ``path_to``.
    Raises ``StorageError`` when the source is missing or not SQLite, or when
    both paths are the same file."""
    source, target = Path(path_from), Path(path_to)
    if not source.is_file():
        raise StorageError(f"there is no database at {source}")
    if target.exists() and target.resolve() == source.resolve():
        raise StorageError("the backup must go to another file than the database")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(target, "backup")
    try:
        copy(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def restore(backup_file: str | os.PathLike, target: str | os.PathLike) -> Path | None:
    """Replace the database ``target`` with the backup ``backup_file``.

    The backup is first copied next to ``target`` and checked there: SQLite
    integrity check ok, a customer-response database, and no migration newer
    than this code knows (older ones are applied on the next ``connect``).
    Only then is ``target`` replaced, atomically (``os.replace``). Returns the
    copy kept of the replaced database (``<name>.before-restore-<time>.db``),
    or None when ``target`` did not exist. Raises ``StorageError``, leaving
    ``target`` untouched, when the backup is refused."""
    source, target = Path(backup_file), Path(target)
    if not source.is_file():
        raise StorageError(f"there is no backup at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate = _temporary(target, "restore")
    try:
        copy(source, candidate, read_only=True)
        refused = problems(candidate)
        if refused:
            raise StorageError(f"{source} is refused: {'; '.join(refused)}")
        kept = None
        if target.exists():
            kept = backup(target, _kept_name(target))
            # Empty the write-ahead log, then drop it: a log left beside the new
            # file would be replayed into it.
            checkpoint(target)
        os.replace(candidate, target)
        for side_file in side_files(target):
            side_file.unlink(missing_ok=True)
        return kept
    finally:
        candidate.unlink(missing_ok=True)


def _temporary(target: Path, purpose: str) -> Path:
    """A new empty scratch file beside ``target`` (same file system, so ``os.replace``
    is atomic)."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{purpose}-", suffix=".tmp")
    os.close(handle)
    return Path(name)


def _kept_name(target: Path) -> Path:
    """``<stem>.before-restore-<time><suffix>`` beside ``target``, not yet taken."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    kept, number = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}"), 1
    while kept.exists():
        number += 1
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}-{number}{target.suffix}")
    return kept
