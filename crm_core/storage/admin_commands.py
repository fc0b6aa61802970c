"""Statements of the checklist's admin (items added, reworded per language, moved,
retired, restored) and of the team's settings. Each runs inside the caller's
``transaction``; retiring or restoring an item refreshes the summaries it counts in.
"""

from __future__ import annotations

import pandas as pd

from . import Handle, frame, summaries


def items(db: Handle) -> pd.DataFrame:
    """Every checklist item, retired ones too: ``id, key, stage, position, label, active``
    (in no particular order: ``checklist.items`` puts them in the stages' order)."""
    return frame(db, "SELECT id, key, stage, position, label, active FROM checklist_items")


def item_id(db: Handle, key: str) -> int | None:
    found = db.conn.execute("SELECT id FROM checklist_items WHERE key = :key", {"key": key}).fetchone()
    return found[0] if found else None


def wordings(db: Handle, language: str | None = None) -> pd.DataFrame:
    """The rewordings an admin made: ``item_key, language, label`` (of one ``language`` when given)."""
    where = "WHERE language = :language" if language is not None else ""
    return frame(db, f"SELECT item_key, language, label FROM checklist_item_wordings {where}"
                     " ORDER BY item_key, language", {"language": language})


def item_wordings(db: Handle, key: str) -> dict[str, str]:
    """One item's rewordings, language -> label (for its audit snapshot)."""
    return dict(db.conn.execute("SELECT language, label FROM checklist_item_wordings WHERE item_key = :key"
                                " ORDER BY language", {"key": key}).fetchall())


def insert_item(db: Handle, key: str, stage: str, label: str) -> int:
    """Add an active item at the end of ``stage``; returns its id (after every id ever
    given: items are retired, never deleted, so none is reused)."""
    item = db.conn.execute(
        "SELECT COALESCE(MAX(id), 0) + 1,"
        " COALESCE((SELECT MAX(position) FROM checklist_items WHERE stage = :stage), 0) + 1 FROM checklist_items",
        {"stage": stage}).fetchone()
    db.conn.execute("INSERT INTO checklist_items (id, key, stage, position, label, active)"
                    " VALUES (:id, :key, :stage, :position, :label, 1)",
                    {"id": item[0], "key": key, "stage": stage, "position": item[1], "label": label})
    return item[0]


def set_wording(db: Handle, key: str, language: str, label: str | None) -> None:
    """Store ``key``'s wording in ``language`` (None: back to the catalogue's)."""
    db.conn.execute("DELETE FROM checklist_item_wordings WHERE item_key = :key AND language = :language",
                    {"key": key, "language": language})
    if label is not None:
        db.conn.execute("INSERT INTO checklist_item_wordings (item_key, language, label)"
                        " VALUES (:key, :language, :label)", {"key": key, "language": language, "label": label})


def swap_positions(db: Handle, key: str, other: str) -> None:
    """Give the items ``key`` and ``other`` each other's position; the summaries that name
    items by position follow, for their stage (``summaries.refresh_from_coverage``, in the
    caller's transaction)."""
    found = db.conn.execute("SELECT key, position, stage FROM checklist_items WHERE key IN (:key, :other)",
                            {"key": key, "other": other}).fetchall()
    positions = {item: position for item, position, _stage in found}
    for moved, to in ((key, positions[other]), (other, positions[key])):
        db.conn.execute("UPDATE checklist_items SET position = :position WHERE key = :key",
                        {"key": moved, "position": to})
    # Bits name positions within each stage's own items: the other stages' rows keep theirs.
    for stage in sorted({stage for _item, _position, stage in found}):
        summaries.refresh_from_coverage(db, stage=stage)


def set_active(db: Handle, key: str, active: bool) -> None:
    """Retire (or restore) an item: new work no longer counts it (or counts it again), so
    its coverage rows go (or come back from the responses that addressed it) and every
    customer's summary is recomputed, all in the caller's transaction."""
    db.conn.execute("UPDATE checklist_items SET active = :active WHERE key = :key",
                    {"key": key, "active": int(active)})
    summaries.refresh_item(db, key)


def setting(db: Handle, name: str) -> str | None:
    found = db.conn.execute("SELECT value FROM settings WHERE name = :name", {"name": name}).fetchone()
    return found[0] if found else None


def setting_id(db: Handle, name: str) -> int | None:
    found = db.conn.execute("SELECT id FROM settings WHERE name = :name", {"name": name}).fetchone()
    return found[0] if found else None


def put_setting(db: Handle, name: str, value: str) -> int:
    """Set ``name`` to ``value``; returns the setting's id."""
    db.conn.execute("INSERT INTO settings (name, value) VALUES (:name, :value)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value", {"name": name, "value": value})
    return setting_id(db, name)
