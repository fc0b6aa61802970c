"""Backup and restore of the whole database file.

``backup`` copies a live database with SQLite's online backup API, so the app
can keep writing meanwhile. ``restore`` puts a backup in place only after
checking it is a sound CRM database this version can read, swaps it in
atomically, and keeps the file it replaced.

Restoring replaces the file under any open connection: stop the app (or
accept that a write in flight at that moment is lost) before restoring.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from .shell import command_line
from .storage import StorageError, io_queries


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
        io_queries.copy_database(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def command_lines(path: str | os.PathLike, day: dt.date) -> list[str]:
    """The shell commands that, run on the server from any folder, back the database at
    ``path`` up into ``crm-backup-<day>.db`` beside it and restore that file (the latter
    with the app stopped): this Python, this code, every path absolute.

    Backups are taken on the server only: a file offered to a browser would sit at a
    URL anyone can fetch while the page is open (see the Import and export page)."""
    file = str(Path(path).resolve().with_name(f"crm-backup-{day.isoformat()}.db"))
    return [command_line(path, "backup", file), command_line(path, "restore", file)]


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
        io_queries.copy_database(source, candidate, read_only=True)
        problems = io_queries.database_problems(candidate)
        if problems:
            raise StorageError(f"{source} is refused: {'; '.join(problems)}")
        kept = None
        if target.exists():
            kept = backup(target, _kept_name(target))
            # Empty the write-ahead log, then drop it: a log left beside the new
            # file would be replayed into it.
            io_queries.checkpoint(target)
        os.replace(candidate, target)
        for side_file in io_queries.side_files(target):
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
    kept, copy = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}"), 1
    while kept.exists():
        copy += 1
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}-{copy}{target.suffix}")
    return kept
