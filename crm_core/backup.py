"""Backup and restore of the whole database.

``backup`` copies a live database online, so the app can keep writing
meanwhile. ``restore`` puts a backup in place only after checking it is a
sound CRM database this version can read, swaps it in atomically, and keeps
the database it replaced. A SQLite file is the storage's ``files``' to copy; a
PostgreSQL database is dumped and restored with ``pg_dump`` and ``pg_restore``
(the storage's ``dumps``). ``command_lines`` says how to run them on the
server, the only place a backup is taken (the browser never receives one).

Restoring replaces the database under any open connection: stop the app (or
accept that a write in flight at that moment is lost) before restoring.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .shell import command_line
from .storage import DEFAULT_PATH, dumps, files
from .storage.dialects import is_url


def backup(location: str | os.PathLike, path_to: str | os.PathLike) -> Path:
    """Back the database at ``location`` (a file or a PostgreSQL URL) up into the file
    ``path_to``; returns it. Raises ``StorageError`` in words when it cannot."""
    return dumps.backup(location, path_to) if is_url(str(location)) else files.backup(location, path_to)


def restore(backup_file: str | os.PathLike, location: str | os.PathLike) -> Path | None:
    """Replace the database at ``location`` with the checked backup ``backup_file``;
    returns the copy kept of what it replaced (None when there was nothing)."""
    return dumps.restore(backup_file, location) if is_url(str(location)) else files.restore(backup_file, location)


def command_lines(location: str | os.PathLike, day: dt.date) -> list[str]:
    """The shell commands that, run on the server from any folder, back the database at
    ``location`` up into ``crm-backup-<day>.db`` beside it (``.dump`` in ``data/`` for a
    PostgreSQL database) and restore that file (the latter with the app stopped): this
    Python, this code, every path absolute, a URL without its password.

    Backups are taken on the server only: a file offered to a browser would sit at a
    URL anyone can fetch while the page is open (see the Import and export page)."""
    if is_url(str(location)):
        file = str(DEFAULT_PATH.with_name(f"crm-backup-{day.isoformat()}{dumps.SUFFIX}"))
    else:
        file = str(Path(location).resolve().with_name(f"crm-backup-{day.isoformat()}.db"))
    return [command_line(location, "backup", file), command_line(location, "restore", file)]
