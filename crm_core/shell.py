"""How a page tells people the exact command to run on the server (``python -m crm_core``)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from .storage import describe
from .storage.dialects import is_url

CODE = Path(__file__).resolve().parents[1]


def command_line(location: str | os.PathLike, *arguments: str) -> str:
    """The shell command that runs ``python -m crm_core --db <location> <arguments>`` on the
    database at ``location`` from any folder: this Python, this code, every part quoted;
    a file's path absolute, a PostgreSQL URL without its password (the server's user finds
    it in ``PGPASSWORD`` or ``~/.pgpass``, never on a page)."""
    database = describe(location) if is_url(str(location)) else str(Path(location).resolve())
    words = [sys.executable, "-m", "crm_core", "--db", database, *arguments]
    return f"cd {shlex.quote(str(CODE))} && {shlex.join(words)}"
