"""How a page tells people the exact command to run on the server (``python -m crm_core``)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

CODE = Path(__file__).resolve().parents[1]


def command_line(path: str | os.PathLike, *arguments: str) -> str:
    """The shell command that runs ``python -m crm_core --db <path> <arguments>`` on the
    database at ``path`` from any folder: this Python, this code, every part quoted."""
    database = str(Path(path).resolve())
    words = [sys.executable, "-m", "crm_core", "--db", database, *arguments]
    return f"cd {shlex.quote(str(CODE))} && {shlex.join(words)}"
