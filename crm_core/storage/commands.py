"""Write statements. Each function runs inside the caller's ``transaction`` and
leaves the summary tables consistent with the rows it touched.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pandas as pd

from . import Handle, admin_commands, frame, in_list, summaries
from .bulk import insert_rows
from .entities import (CUSTOMER_COLUMNS, ENTITIES, ENTRY_COLUMNS, OPINION_COLUMNS,  # noqa: F401  (re-exported)
                       RESPONSE_COLUMNS, RISK_ENTITIES, UNDOABLE)
from .summaries import rebuild_summaries  # noqa: F401  (re-exported)


def _insert(db: Handle, table: str, columns: Iterable[str], values: dict) -> int:
    columns = tuple(columns)
    return db.conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) RETURNING id",
        {c: values.get(c) for c in columns},
    ).fetchall()[0][0]


def _update(db: Handle, table: str, row_id: int, columns: Iterable[str], values: dict) -> None:
    columns = tuple(columns)
    db.conn.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :row_id",
        {**{c: values.get(c) for c in columns}, "row_id": row_id},
    )


# --- summary refreshes: after each write, or once at the end of a bulk import ----

@dataclass
class DeferredRefresh:
    """What the writes inside ``deferred_refresh`` noted to refresh at its end."""

    customers: set[int] = field(default_factory=set)       # to recompute whole
    added: dict[int, int] = field(default_factory=dict)    # new response id -> its customer
    cells: set[tuple[str, str, str]] = field(default_factory=set)   # (stage, mode, month)


def _deferred(db: Handle) -> DeferredRefresh | None:
    """The refreshes the transaction in progress defers (None: refresh now)."""
    return db.transaction.deferred if db.transaction is not None else None


def refresh_customer(db: Handle, customer_id: int) -> None:
    """Recompute one customer's summaries now, or at the end of ``deferred_refresh``."""
    pending = _deferred(db)
    if pending is None:
        summaries.refresh_customer(db, customer_id)
    else:
        pending.customers.add(customer_id)


def refresh_risk(db: Handle, entity: str, state: dict) -> None:
    """After a write of one service case, promise or follow-up (``state``: its columns):
    its customer's ``risk_summary`` now, or the customer whole at the end of
    ``deferred_refresh``. A service target judges every open case: all customers."""
    if entity == "service_target":
        summaries.refresh_risk_summary(db)
        return
    pending = _deferred(db)
    if pending is None:
        summaries.refresh_risk_summary(db, ":c", {"c": state["customer_id"]})
    else:
        pending.customers.add(state["customer_id"])


def _response_added(db: Handle, response_id: int, customer_id: int) -> None:
    """Bring the summaries up to date with a new response: its customer's now, or at
    the end of ``deferred_refresh`` by adding it to what they already count."""
    pending = _deferred(db)
    if pending is None:
        summaries.refresh_customer(db, customer_id)
    else:
        pending.added[response_id] = customer_id


def refresh_mode_month(db: Handle, stage: str, mode: str, day: str) -> None:
    """Recompute one (stage, mode, month) cell now, or at the end of ``deferred_refresh``."""
    pending = _deferred(db)
    if pending is None:
        summaries.refresh_mode_month(db, stage, mode, day)
    else:
        pending.cells.add((stage, mode, day[:7]))


@contextlib.contextmanager
def deferred_refresh(db: Handle) -> Iterator[None]:
    """Inside the caller's ``transaction``, let writes note the customers, new responses
    and (stage, mode, month) cells they touch instead of refreshing their summaries
    each time (the transaction carries them: ``Transaction.deferred``); on leaving
    without error, refresh them all at once. The summaries end as if refreshed after
    every write, but a file of thousands of rows costs a few statements. Reads of
    summary tables inside see them stale. A nested use joins the outer one."""
    if db.transaction is None:
        raise RuntimeError("deferred_refresh runs inside a transaction")
    if db.transaction.deferred is not None:
        yield
        return
    pending = db.transaction.deferred = DeferredRefresh()
    try:
        yield
    finally:
        db.transaction.deferred = None
    recompute = pending.customers
    # A customer with any other change is recomputed whole, its new responses included.
    added = {response: customer for response, customer in pending.added.items() if customer not in recompute}
    if recompute:
        summaries.refresh_customers(db, _id_set(db, "touched_customers", recompute), {})
    if added:
        summaries.add_responses(db, _id_set(db, "added_responses", added))
        touched = _id_set(db, "touched_customers", set(added.values()))
        summaries.refresh_from_coverage(db, touched, {})
        summaries.refresh_customer_summary(db, touched, {})
    for stage, mode, month in sorted(pending.cells):
        summaries.refresh_mode_month(db, stage, mode, f"{month}-01")


def _id_set(db: Handle, name: str, ids) -> str:
    """Put ``ids`` in the temporary table ``name`` (this connection's own, emptied first;
    no permanent table has such a name); returns the SQL set ``SELECT id FROM <name>``
    for a summary statement's ``IN``."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY)")
    db.execute(f"DELETE FROM {name}")
    db.conn.executemany(f"INSERT INTO {name} (id) VALUES (:id)", ({"id": i} for i in ids))
    return f"SELECT id FROM {name}"


# --- facts the validators need -------------------------------------------------

def customer(db: Handle, customer_id: int) -> dict | None:
    row = db.conn.execute(
        f"SELECT id, {', '.join(CUSTOMER_COLUMNS)} FROM customers WHERE id = :c", {"c": customer_id}
    ).fetchone()
    return dict(zip(("id", *CUSTOMER_COLUMNS), row)) if row else None


def customer_id_by_name_key(db: Handle, name_key: str) -> int | None:
    row = db.conn.execute("SELECT id FROM customers WHERE name_key = :key", {"key": name_key}).fetchone()
    return row[0] if row else None


def stage_on(db: Handle, customer_id: int, day: str) -> str | None:
    """The customer's stage at the end of ``day`` (latest entry on or before it)."""
    row = db.conn.execute(
        "SELECT stage FROM stage_entries WHERE customer_id = :c AND entered_on <= :d"
        " ORDER BY entered_on DESC, id DESC LIMIT 1",
        {"c": customer_id, "d": day},
    ).fetchone()
    return row[0] if row else None


def last_stage_entry(db: Handle, customer_id: int) -> tuple[str, str] | tuple[None, None]:
    row = db.conn.execute(
        "SELECT stage, entered_on FROM stage_entries WHERE customer_id = :c"
        " ORDER BY entered_on DESC, id DESC LIMIT 1",
        {"c": customer_id},
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def item_stages(db: Handle, kept: tuple[str, ...] = ()) -> dict[str, str]:
    """Checklist item key -> stage, for the active items and those of ``kept`` (the items
    a response already has: editing it keeps an item retired since). Read once per batch."""
    memo = db.transaction.memo if db.transaction is not None and not kept else None
    if memo is not None and "item_stages" in memo:
        return dict(memo["item_stages"])
    marks, names = in_list("kept", kept)
    found = dict(db.conn.execute(f"SELECT key, stage FROM checklist_items WHERE active = 1 OR key IN ({marks})",
                                 names).fetchall())
    if memo is not None:
        memo["item_stages"] = dict(found)
    return found


def row(db: Handle, table: str, row_id: int, columns: tuple[str, ...] | None = None) -> dict | None:
    """One row of ``table`` as a dict of ``columns`` (default: all), or None."""
    cursor = db.conn.execute(f"SELECT {', '.join(columns or ('*',))} FROM {table} WHERE id = :id", {"id": row_id})
    found = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], found)) if found else None


# --- customers and stages ------------------------------------------------------

def insert_customer(db: Handle, values: dict, contacts: list[dict], first_stage: str) -> int:
    customer_id = _insert(db, "customers", CUSTOMER_COLUMNS, values)
    _replace_contacts(db, customer_id, contacts)
    _insert(db, "stage_entries", ENTRY_COLUMNS,
            {"customer_id": customer_id, "stage": first_stage, "entered_on": values["created_on"],
             "kind": "forward"})
    refresh_customer(db, customer_id)
    return customer_id


def update_customer(db: Handle, customer_id: int, values: dict, contacts: list[dict] | None) -> None:
    _update(db, "customers", customer_id, [c for c in CUSTOMER_COLUMNS if c != "created_on"], values)
    if contacts is not None:
        _replace_contacts(db, customer_id, contacts)


def _replace_contacts(db: Handle, customer_id: int, contacts: list[dict]) -> None:
    db.conn.execute("DELETE FROM contacts WHERE customer_id = :c", {"c": customer_id})
    for contact in contacts:
        _insert(db, "contacts", ("customer_id", "name", "role", "email", "phone"),
                {**contact, "customer_id": customer_id})


def stage_entry_ids(db: Handle, customer_id: int) -> list[int]:
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM stage_entries WHERE customer_id = :c ORDER BY id", {"c": customer_id})]


def insert_stage_entry(db: Handle, values: dict) -> int:
    entry_id = _insert(db, "stage_entries", ENTRY_COLUMNS, values)
    refresh_customer(db, values["customer_id"])
    return entry_id


# --- responses -----------------------------------------------------------------

def _insert_items(db: Handle, response_id: int, values: dict) -> None:
    """The checklist items ``values`` names, for a response that has none yet."""
    db.conn.executemany(
        "INSERT INTO response_items (response_id, item_key, customer_id, stage, responded_on)"
        " VALUES (:response_id, :item_key, :customer_id, :stage, :responded_on)",
        [{"response_id": response_id, "item_key": key, "customer_id": values["customer_id"],
          "stage": values["stage"], "responded_on": values["responded_on"]} for key in values["items"]],
    )


def _replace_items(db: Handle, response_id: int, values: dict) -> None:
    db.conn.execute("DELETE FROM response_items WHERE response_id = :r", {"r": response_id})
    _insert_items(db, response_id, values)


def insert_response(db: Handle, values: dict) -> int:
    response_id = _insert(db, "responses", RESPONSE_COLUMNS, values)
    _insert_items(db, response_id, values)
    _response_added(db, response_id, values["customer_id"])
    refresh_mode_month(db, values["stage"], values["mode"], values["responded_on"])
    return response_id


def update_response(db: Handle, response_id: int, before: dict, values: dict) -> None:
    _update(db, "responses", response_id, RESPONSE_COLUMNS, values)
    _replace_items(db, response_id, values)
    refresh_customer(db, values["customer_id"])
    refresh_mode_month(db, before["stage"], before["mode"], before["responded_on"])
    refresh_mode_month(db, values["stage"], values["mode"], values["responded_on"])


def delete_response(db: Handle, before: dict) -> None:
    db.conn.execute("DELETE FROM responses WHERE id = :id", {"id": before["id"]})
    refresh_customer(db, before["customer_id"])
    refresh_mode_month(db, before["stage"], before["mode"], before["responded_on"])


def response_items(db: Handle, response_id: int) -> list[str]:
    return [r[0] for r in db.conn.execute(
        "SELECT item_key FROM response_items WHERE response_id = :r ORDER BY item_key", {"r": response_id})]


# --- opinions ------------------------------------------------------------------

def insert_opinion(db: Handle, values: dict) -> int:
    opinion_id = _insert(db, "opinions", OPINION_COLUMNS, values)
    refresh_customer(db, values["customer_id"])
    return opinion_id


def update_opinion(db: Handle, opinion_id: int, values: dict) -> None:
    _update(db, "opinions", opinion_id, OPINION_COLUMNS, values)
    refresh_customer(db, values["customer_id"])


def delete_opinion(db: Handle, before: dict) -> None:
    db.conn.execute("DELETE FROM opinions WHERE id = :id", {"id": before["id"]})
    refresh_customer(db, before["customer_id"])


# --- bulk loading (demo and benchmark) ------------------------------------------

def bulk_load(db: Handle, customers: list[dict], contacts: list[dict], entries: list[dict],
              responses: list[dict], opinions: list[dict]) -> None:
    """Insert pre-validated rows with explicit ids, then rebuild the summaries.

    ``responses`` carry their checklist items in ``items``. Used by the demo
    and benchmark generators, whose rows obey the same rules as the forms.
    """
    insert_rows(db, "customers", ("id", *CUSTOMER_COLUMNS), customers)
    insert_rows(db, "contacts", ("customer_id", "name", "role", "email", "phone"), contacts)
    insert_rows(db, "stage_entries", ENTRY_COLUMNS, entries)
    insert_rows(db, "responses", ("id", *RESPONSE_COLUMNS), responses)
    insert_rows(db, "response_items", ("response_id", "item_key", "customer_id", "stage", "responded_on"),
                ((r["id"], key, r["customer_id"], r["stage"], r["responded_on"])
                 for r in responses for key in r["items"]))
    insert_rows(db, "opinions", OPINION_COLUMNS, opinions)
    rebuild_summaries(db)


# --- audit trail and undo --------------------------------------------------------

CONTACT_COLUMNS = ("name", "role", "email", "phone")


def snapshot(db: Handle, entity: str, entity_id: int) -> dict | None:
    """The full state of one entity (a customer with its contacts, a response with
    its items), or None when it does not exist."""
    state = row(db, ENTITIES[entity].table, entity_id, ENTITIES[entity].audited)
    if state is None:
        return None
    if entity == "customer":
        state["contacts"] = [dict(zip(CONTACT_COLUMNS, r)) for r in db.conn.execute(
            "SELECT name, role, email, phone FROM contacts WHERE customer_id = :c ORDER BY id", {"c": entity_id})]
    elif entity == "response":
        state["items"] = response_items(db, entity_id)
    elif entity == "checklist_item":
        state["wordings"] = admin_commands.item_wordings(db, state["key"])
    return state


def restore(db: Handle, entity: str, entity_id: int, state: dict | None) -> None:
    """Make one entity equal to ``state`` (None deletes it) and refresh the summaries
    it feeds. Used by undo; the state is one the entity had before."""
    table = ENTITIES[entity].table
    current = snapshot(db, entity, entity_id)
    if state is None:
        db.conn.execute(f"DELETE FROM {table} WHERE id = :id", {"id": entity_id})
    else:
        columns = [c for c in state if c not in ("contacts", "items")]
        db.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
            f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns if c != 'id')}",
            {c: state[c] for c in columns},
        )
        if entity == "customer":
            _replace_contacts(db, entity_id, state["contacts"])
        elif entity == "response":
            _replace_items(db, entity_id, state)
    if not ENTITIES[entity].feeds_summaries:
        return
    for version in (current, state):
        if version is not None and entity in RISK_ENTITIES:
            refresh_risk(db, entity, version)
        elif version is not None:
            refresh_customer(db, version["customer_id"])
            if entity == "response":
                refresh_mode_month(db, version["stage"], version["mode"], version["responded_on"])


def change_id(db: Handle) -> int:
    """The number of the write transaction in progress (see ``storage.transaction``)."""
    return db.transaction.change_id


def append_audit(db: Handle, change: int, at: str, author: str | None, action: str, entity: str,
                 entity_id: int, customer_id: int | None, before: str | None, after: str | None,
                 undoes: int | None = None) -> None:
    db.conn.execute(
        "INSERT INTO audit (change_id, at, author, action, entity, entity_id, customer_id, before, after,"
        " undoes) VALUES (:change_id, :at, :author, :action, :entity, :entity_id, :customer_id, :before, :after,"
        " :undoes)",
        {"change_id": change, "at": at, "author": author, "action": action, "entity": entity,
         "entity_id": entity_id, "customer_id": customer_id, "before": before, "after": after, "undoes": undoes},
    )


def last_undoable_change(db: Handle, author: str | None) -> list[dict]:
    """The audit rows of ``author``'s latest change of undoable entities that is not an
    undo and not undone."""
    marks, entities = in_list("entity_", UNDOABLE)
    found = db.conn.execute(
        "SELECT MAX(a.change_id) FROM audit a WHERE a.author IS NOT DISTINCT FROM :author AND a.action <> 'undo'"
        f" AND a.entity IN ({marks})"
        " AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.undoes = a.change_id)",
        {"author": author, **entities}).fetchone()[0]
    if found is None:
        return []
    cursor = db.conn.execute("SELECT * FROM audit WHERE change_id = :change ORDER BY id", {"change": found})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def audit_rows(db: Handle, customer_id: int | None = None) -> pd.DataFrame:
    """The audit trail in order (of one customer when given)."""
    where = "WHERE customer_id = :c" if customer_id is not None else ""
    return frame(db, f"SELECT * FROM audit {where} ORDER BY id", {"c": customer_id})
