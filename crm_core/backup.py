"""Backup and restore of the whole database.

``backup`` copies a live database online, so the app can keep writing
meanwhile. ``restore`` puts a backup in place only after checking it is a
sound CRM database this version can read, swaps it in atomically, and keeps
the database it replaced. Both are the storage's (``crm_core.storage.files``);
``command_lines`` says how to run them on the server, the only place a backup
is taken (the browser never receives one).

Restoring replaces the database under any open connection: stop the app (or
accept that a write in flight at that moment is lost) before restoring.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .shell import command_line
from .storage.files import backup, restore  # noqa: F401  (the public backup and restore)


def command_lines(path: str | os.PathLike, day: dt.date) -> list[str]:
    """The shell commands that, run on the server from any folder, back the database at
    ``path`` up into ``crm-backup-<day>.db`` beside it and restore that file (the latter
    with the app stopped): this Python, this code, every path absolute.

    Backups are taken on the server only: a file offered to a browser would sit at a
    URL anyone can fetch while the page is open (see the Import and export page)."""
    file = str(Path(path).resolve().with_name(f"crm-backup-{day.isoformat()}.db"))
    return [command_line(path, "backup", file), command_line(path, "restore", file)]
