"""Backup and restore of the whole database.

``backup`` copies a live database online, so the app can keep writing
meanwhile. ``restore`` puts a backup in place only after checking it is a
sound CRM database this version can read, swaps it in atomically, and keeps
the database it replaced. Both are the storage's (``crm_core.storage.files``);
``snapshot`` adds who may download one.

Restoring replaces the database under any open connection: stop the app (or
accept that a write in flight at that moment is lost) before restoring.
"""

from __future__ import annotations

import os

from . import accounts
from .storage import connect, files
from .storage.files import backup, restore  # noqa: F401  (the public backup and restore)


def snapshot(path: str | os.PathLike, author: str | None) -> bytes:
    """The database at ``path`` as the bytes of one consistent backup file (taken
    like ``backup``, safe while others write), for ``author`` to download. Raises
    ``AccessDenied`` unless accounts do not exist yet or ``author`` is an admin:
    the file holds every customer and every account's password hash."""
    with connect(path) as db:
        accounts.require(db, author, "admin")
    return files.backup_bytes(path)
