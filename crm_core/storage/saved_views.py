"""SQL of saved views (table ``saved_views``, m016): the views one person sees, the
facts a write checks, and the writes themselves, each inside the caller's transaction.
"""

from __future__ import annotations

from . import Handle, rows, value
from .commands import _insert, _update
from .entities import ENTITIES, SAVED_VIEW_COLUMNS

_TABLE = ENTITIES["saved_view"].table


def visible(db: Handle, owner: str | None) -> list[dict]:
    """The views ``owner`` sees: their own (personal or shared) and every team view, by
    name; none of their own when ``owner`` is None. Each row has ``id`` and the columns."""
    return rows(db, f"SELECT id, {', '.join(SAVED_VIEW_COLUMNS)} FROM {_TABLE}"
                    " WHERE shared = 1 OR owner = :owner ORDER BY name_key, id", {"owner": owner})


def name_taken(db: Handle, owner: str, name_key: str, other_than: int | None = None) -> bool:
    """Whether ``owner`` already has a view whose name is ``name_key`` (not counting the
    view ``other_than``, the one being renamed)."""
    return value(db, f"SELECT EXISTS (SELECT 1 FROM {_TABLE} WHERE owner = :owner AND name_key = :key"
                     " AND id <> COALESCE(:other, 0))",
                 {"owner": owner, "key": name_key, "other": other_than}) == 1


def insert(db: Handle, values: dict) -> int:
    """Store a new view (``SAVED_VIEW_COLUMNS``); returns its id."""
    return _insert(db, _TABLE, SAVED_VIEW_COLUMNS, values)


def rename(db: Handle, view_id: int, name: str, name_key: str) -> None:
    """Give the view ``view_id`` the ``name`` (and its ``name_key``)."""
    _update(db, _TABLE, view_id, ("name", "name_key"), {"name": name, "name_key": name_key})


def delete(db: Handle, view_id: int) -> None:
    """Remove the view ``view_id``."""
    db.execute(f"DELETE FROM {_TABLE} WHERE id = :id", {"id": view_id})
