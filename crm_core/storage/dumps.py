"""Backups of a PostgreSQL database with PostgreSQL's own tools: ``pg_dump`` writes one
consistent snapshot (custom format) while others keep writing, ``pg_restore`` puts one
back. The counterpart of ``files`` (what a SQLite file does), with its names.

A dump is checked before it replaces anything: ``pg_restore`` must read it, it must
hold the CRM's tables, and no migration this code does not know. The database it
replaces is dumped first and kept beside the backup.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from . import StorageError, describe, schema
from .dialects import postgresql as dialect

SUFFIX = ".dump"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StorageError(f"{name} is not installed here; install PostgreSQL's client programs "
                           "(Debian: postgresql-client) to back up or restore a PostgreSQL database")
    return found


def _run(url: str, *command: str) -> str:
    """Run one of PostgreSQL's programs; its output, or ``StorageError`` with its words
    (never the URL, which may hold a password)."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        words = " ".join(done.stderr.replace(url, describe(url)).split())
        raise StorageError(f"{Path(command[0]).name} failed: {words}")
    return done.stdout


def backup(url: str, path_to: str | os.PathLike) -> Path:
    """Dump the database at ``url`` into ``path_to`` (replaced if it exists; it appears
    only once complete). Returns ``path_to``."""
    target = Path(path_to)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _run(url, _tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={url}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def problems(dump: Path) -> list[str]:
    """Why the dump at ``dump`` is not a CRM backup this code can restore (empty when it is)."""
    try:
        listing = _run("", _tool("pg_restore"), "--list", str(dump))
    except StorageError as error:
        return [f"it is not a PostgreSQL dump pg_restore can read ({error})"]
    if not all(f"TABLE DATA public {table} " in listing for table in ("customers", dialect.MIGRATIONS_TABLE)):
        return ["it is a PostgreSQL dump but not of a customer-response database"]
    rows = _run("", _tool("pg_restore"), "--data-only", f"--table={dialect.MIGRATIONS_TABLE}", "--file=-", str(dump))
    applied = [line.split("\t")[2] for line in rows.splitlines() if line.count("\t") >= 3]
    newer = [name for name in applied if name not in schema.MIGRATIONS]
    if newer:
        return [f"it was written by a newer version (unknown migrations: {', '.join(newer)})"]
    return []


def restore(backup_file: str | os.PathLike, url: str) -> Path:
    """Replace the contents of the database at ``url`` with the dump ``backup_file``, in
    one transaction, once it passed ``problems``. Returns the dump kept of what it
    replaced (``<name>.before-restore-<time>.dump`` beside the backup). Raises
    ``StorageError``, leaving the database untouched, when the dump is refused."""
    source = Path(backup_file)
    if not source.is_file():
        raise StorageError(f"there is no backup at {source}")
    refused = problems(source)
    if refused:
        raise StorageError(f"{source} is refused: {'; '.join(refused)}")
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    kept = backup(url, source.with_name(f"{source.stem}.before-restore-{stamp}{SUFFIX}"))
    dialect.close_all()   # no pooled session of this process holds a lock the restore waits for
    _run(url, _tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         f"--dbname={url}", str(source))
    return kept
