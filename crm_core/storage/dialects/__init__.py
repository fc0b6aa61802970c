"""The databases the storage runs on, one module each with the same names: ``sqlite``
(a file; the embedded default) and ``postgresql`` (a server, for teams). ``of`` picks
the one a ``CRM_DB`` value names."""

from __future__ import annotations

import os
from types import ModuleType

URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: str | os.PathLike) -> bool:
    """Whether ``target`` names a PostgreSQL database (a URL) rather than a file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def of(target: str | os.PathLike) -> ModuleType:
    """The dialect module of the database ``target`` (a PostgreSQL URL or a file path).
    PostgreSQL's driver is imported only when a URL asks for it."""
    if is_url(target):
        from . import postgresql
        return postgresql
    from . import sqlite
    return sqlite
