"""Moving a team's data between databases: every row of every table, from a SQLite file
into an empty PostgreSQL database or back (``python -m crm_core copy --to …``).

Both databases are first brought to this code's schema, so the copy is table for table,
column for column. The target must be empty: nothing in it but what a new database
starts with (the checklist, the change counter). The rows go over in one write
transaction of the target; then each table is compared: its row count and a checksum
of its rows read back from each side (the sum of each row's SHA-256, so the order the
two databases return rows in does not matter, while any changed, lost or doubled row does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import Handle, StorageError, connect, files, table_names, transaction, value
from .dialects import is_url
from .entities import ENTITIES

# Rows a new database starts with (m001's checklist, the counter's slots): replaced by the
# source's. Neither hands out ids from a sequence (a new checklist item takes the highest + 1).
_SEEDED = ("checklist_items", "change_counter")
# Parents first, so every foreign key finds its row.
_PARENTS = ("checklist_items", "customers", "users", "responses")
_BATCH = 5_000


@dataclass(frozen=True)
class TableCheck:
    """One table after a copy: its rows and checksum on each side."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def same(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


def copy_database(source: str | os.PathLike, target: str | os.PathLike) -> list[TableCheck]:
    """Copy every row of the database ``source`` into the empty database ``target`` (a
    file path or a PostgreSQL URL each) and compare them; returns one ``TableCheck`` per
    table. Raises ``StorageError`` when ``target`` is not empty, or (having rolled back)
    when the copy does not compare equal."""
    with connect(source) as origin, connect(target) as into:
        tables = _tables(origin)
        filled = [t for t in tables if t not in _SEEDED and value(into, f"SELECT COUNT(*) FROM {t}")]
        if filled:
            raise StorageError(f"the target database is not empty ({', '.join(filled)} hold rows); "
                               "copy only into a new, empty database")
        with transaction(into):
            for table in tables:
                into.execute(f"DELETE FROM {table}")
                columns = _columns(origin, table)
                into.dialect.load_rows(into.conn, table, columns, _rows(origin, table, columns))
            checks = [_check(origin, into, table) for table in tables]
            different = [c.table for c in checks if not c.same]
            if different:
                raise StorageError(f"the copy differs from the source in {', '.join(different)}; "
                                   "nothing was kept in the target")
            # After the comparison: a file's counter keeps its count in one slot.
            _continue_numbers(into, [t for t in tables if "id" in _columns(into, t) and t not in _SEEDED])
            into.dialect.refresh_statistics(into.conn)
        return checks


@contextlib.contextmanager
def scratch_copy(location: str | os.PathLike, folder: Path) -> Iterator[Path | str]:
    """A copy of the database at ``location`` to write on and throw away (benchmarks):
    a file in ``folder`` (SQLite's online backup), or a new database on the same server
    (``postgresql.clone``); removed afterwards."""
    if is_url(str(location)):
        from .dialects import postgresql

        copy = postgresql.clone(str(location), "scratch")
        try:
            yield copy
        finally:
            postgresql.drop(copy)
        return
    copy = files.backup(location, Path(folder) / f"{Path(location).stem}-scratch.db")
    try:
        yield copy
    finally:
        files.remove(copy)


def size_bytes(location: str | os.PathLike) -> int:
    """How much disk the database at ``location`` takes."""
    with connect(location) as db:
        return db.dialect.size_bytes(db.conn)


def _tables(db: Handle) -> list[str]:
    """The CRM tables to copy, parents first (not the migrations record: both databases
    have their own, already at this code's schema)."""
    names = sorted(t for t in table_names(db) if t != db.dialect.MIGRATIONS_TABLE and not t.startswith("sqlite_"))
    return [t for t in _PARENTS if t in names] + [t for t in names if t not in _PARENTS]


def _columns(db: Handle, table: str) -> tuple[str, ...]:
    cursor = db.execute(f"SELECT * FROM {table} LIMIT 0")
    return tuple(d[0] for d in cursor.description)


def _rows(db: Handle, table: str, columns: tuple[str, ...]) -> Iterator[tuple]:
    """Every row of ``table``, its values in ``columns`` order, read in batches."""
    cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _checksum(db: Handle, table: str) -> tuple[int, str]:
    """Row count and checksum of the rows of ``table`` read back: the sum, modulo 2**256,
    of the SHA-256 of each row as JSON in column order."""
    total, count = 0, 0
    for row in _rows(db, table, _columns(db, table)):
        total += int.from_bytes(hashlib.sha256(json.dumps(row, default=str).encode()).digest(), "big")
        count += 1
    return count, f"{total % 2**256:064x}"


def _check(origin: Handle, into: Handle, table: str) -> TableCheck:
    (source_rows, source_sum), (target_rows, target_sum) = _checksum(origin, table), _checksum(into, table)
    return TableCheck(table, source_rows, target_rows, source_sum, target_sum)


def _continue_numbers(db: Handle, with_ids: list[str]) -> None:
    """Ids (of the tables ``with_ids``) and change numbers continue after the copied ones,
    never reusing one the audit trail names, as they would have in the source."""
    audited = dict(db.execute("SELECT entity, MAX(entity_id) FROM audit GROUP BY entity").fetchall())
    entity_of = {entity.table: name for name, entity in ENTITIES.items()}
    for table in with_ids:
        highest = max(value(db, f"SELECT COALESCE(MAX(id), 0) FROM {table}"), audited.get(entity_of.get(table)) or 0)
        db.dialect.continue_ids_after(db.conn, table, highest)
    db.dialect.start_change_numbers(db.conn, value(db, "SELECT COALESCE(MAX(change_id), 0) FROM audit"))
