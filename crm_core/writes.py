"""The writes of customers, stages, responses and opinions, and undo. Each
function validates (raising ``ValidationError`` that names the field) inside one
``funnel.change``, which checks the author's role, keeps the summary tables up
to date and appends the audit trail. ``author`` names who is writing; once
accounts exist it must be an active editor or admin (see ``roles``). ``today``
can be given for tests (default: the real date).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from . import followups, funnel, validation
from .catalogue import STAGES
from .funnel import existing
from .i18n import N_
from .storage import commands
from .validation import ValidationError


def _check_name_free(db, name_key: str, customer_id: int | None = None) -> None:
    holder = commands.customer_id_by_name_key(db, name_key)
    if holder is not None and holder != customer_id:
        raise ValidationError("name", N_("another customer already has this name"))


def add_customer(db, values: dict, contacts: list[dict] | None = None, *, author: str | None = None,
                 today: dt.date | None = None) -> int:
    """Create a customer (profile dict + contact dicts) who enters ``pre_deal`` on
    its ``created_on`` date. Returns the new customer id."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        cleaned = validation.check_customer(values, today=today)
        _check_name_free(db, cleaned["name_key"])
        customer_id = commands.insert_customer(db, cleaned, validation.check_contacts(contacts), STAGES[0])
        change.record("create", "customer", customer_id, None)
        for entry_id in commands.stage_entry_ids(db, customer_id):
            change.record("create", "stage_entry", entry_id, None)
        return customer_id


def update_customer(db, customer_id: int, values: dict, contacts: list[dict] | None = None, *,
                    author: str | None = None, today: dt.date | None = None) -> None:
    """Change a customer's profile (``created_on`` stays); ``contacts`` replace the old ones."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        before = existing(db, "customer", customer_id)
        cleaned = validation.check_customer({**values, "created_on": before["created_on"]}, today=today)
        _check_name_free(db, cleaned["name_key"], customer_id)
        commands.update_customer(db, customer_id, cleaned,
                                 None if contacts is None else validation.check_contacts(contacts))
        change.record("update", "customer", customer_id, before)


def move_stage(db, customer_id: int, stage: str, entered_on, *, kind: str = "forward",
               reason: str | None = None, author: str | None = None,
               today: dt.date | None = None) -> int:
    """Record that a customer entered ``stage`` (forward to the next stage, or a
    ``correction`` with a reason). Returns the stage entry id."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        customer = funnel.customer(db, customer_id)
        current, last_on = commands.last_stage_entry(db, customer_id)
        cleaned = validation.check_stage_entry(
            {"stage": stage, "entered_on": entered_on, "kind": kind, "reason": reason, "author": change.author},
            current_stage=current, last_entered_on=last_on,
            created_on=dt.date.fromisoformat(customer["created_on"]), today=today)
        entry_id = commands.insert_stage_entry(db, {**cleaned, "customer_id": customer_id})
        change.record("create", "stage_entry", entry_id, None)
        return entry_id


def check_response(db, values: dict, today: dt.date, kept: tuple[str, ...] = (),
                   stage_items: dict[str, str] | None = None) -> dict:
    """A response's ``values`` cleaned against its customer (stage reached on its day,
    dates, active checklist items and the items of ``kept``); refuses with ``ValidationError``.
    ``stage_items``: the checklist as ``commands.item_stages(db, kept)`` reads it, from a caller
    that checks many rows against one read of it (an import's preview)."""
    customer = funnel.customer(db, values.get("customer_id"))
    cleaned = validation.check_response(
        values, stage_on_date=lambda day: commands.stage_on(db, customer["id"], day),
        created_on=dt.date.fromisoformat(customer["created_on"]), today=today,
        stage_items=commands.item_stages(db, kept) if stage_items is None else stage_items)
    return {**cleaned, "customer_id": customer["id"]}


def log_response(db, customer_id: int, stage: str, responded_on, mode: str, items: list[str],
                 quality: int, completeness: int, summary: str, author: str | None = None, *,
                 today: dt.date | None = None) -> int:
    """Log one response given to a customer; in the same change, the customer's open
    follow-ups of the items it addresses are done (``followups.close_by_response``;
    ``followups.closed_by`` names them). Returns the response id."""
    with funnel.change(db, author) as change:
        values = {"customer_id": customer_id, "stage": stage, "responded_on": responded_on, "mode": mode,
                  "items": items, "quality": quality, "completeness": completeness, "summary": summary,
                  "author": change.author}
        cleaned = check_response(db, values, today or dt.date.today())
        response_id = commands.insert_response(db, cleaned)
        change.record("create", "response", response_id, None)
        followups.close_by_response(db, change, response_id, cleaned)
        return response_id


def update_response(db, response_id: int, changes: dict, *, author: str | None = None,
                    today: dt.date | None = None) -> None:
    """Change fields of a response (same names as ``log_response``)."""
    with funnel.change(db, author) as change:
        before = existing(db, "response", response_id)
        # Items retired since the response was logged stay on it when it is edited.
        cleaned = check_response(db, {**before, **changes}, today or dt.date.today(), tuple(before["items"]))
        commands.update_response(db, response_id, before, cleaned)
        change.record("update", "response", response_id, before)


def delete_response(db, response_id: int, *, author: str | None = None) -> dict:
    """Delete a response; returns what it was (with ``items``). Undoable. The follow-ups
    it closed stay done, no longer naming it."""
    with funnel.change(db, author) as change:
        before = existing(db, "response", response_id)
        closed = followups.closed_by(db, response_id)
        commands.delete_response(db, before)
        # The database cut their link (ON DELETE SET NULL); recorded before the response, so
        # that undo, going backwards, brings the response back before linking them to it again.
        for state in closed:
            change.record("update", "follow_up", state["id"], state)
        change.record("delete", "response", response_id, before)
        return before


def check_opinion(db, values: dict, today: dt.date) -> dict:
    """An opinion's ``values`` cleaned against its customer; refuses with ``ValidationError``."""
    customer = funnel.customer(db, values.get("customer_id"))
    cleaned = validation.check_opinion(
        values, stage_on_date=lambda day: commands.stage_on(db, customer["id"], day),
        created_on=dt.date.fromisoformat(customer["created_on"]), today=today)
    return {**cleaned, "customer_id": customer["id"]}


def record_opinion(db, customer_id: int, stage: str, opinion_on, score: int, *,
                   source: str | None = None, note: str | None = None, author: str | None = None,
                   today: dt.date | None = None) -> int:
    """Record the customer's opinion of a stage (-2..+2). Returns the opinion id."""
    with funnel.change(db, author) as change:
        values = {"customer_id": customer_id, "stage": stage, "opinion_on": opinion_on, "score": score,
                  "source": source, "note": note, "author": change.author}
        opinion_id = commands.insert_opinion(db, check_opinion(db, values, today or dt.date.today()))
        change.record("create", "opinion", opinion_id, None)
        return opinion_id


def update_opinion(db, opinion_id: int, changes: dict, *, author: str | None = None,
                   today: dt.date | None = None) -> None:
    """Change fields of an opinion (same names as ``record_opinion``)."""
    with funnel.change(db, author) as change:
        before = existing(db, "opinion", opinion_id)
        commands.update_opinion(db, opinion_id, check_opinion(db, {**before, **changes},
                                                               today or dt.date.today()))
        change.record("update", "opinion", opinion_id, before)


def delete_opinion(db, opinion_id: int, *, author: str | None = None) -> dict:
    """Delete an opinion; returns what it was. Undoable."""
    with funnel.change(db, author) as change:
        before = existing(db, "opinion", opinion_id)
        commands.delete_opinion(db, before)
        change.record("delete", "opinion", opinion_id, before)
        return before


def undo(db, author: str | None) -> list[dict]:
    """Undo ``author``'s latest change that is not already undone.

    Restores every entity that change touched to its state before it, as one
    new change (action ``undo``) in the audit trail. Refuses, naming ``undo``,
    when there is nothing to undo or when someone changed an entity since.
    Returns the audit rows that were undone."""
    # The summaries are refreshed once at the end: an import's change restores thousands of rows.
    with funnel.change(db, author) as change, commands.deferred_refresh(db):
        rows = commands.last_undoable_change(db, change.author)
        if not rows:
            raise ValidationError("undo", N_("there is nothing of yours to undo"))
        for row in reversed(rows):
            current = commands.snapshot(db, row["entity"], row["entity_id"])
            if funnel.recorded(current) != row["after"]:
                raise ValidationError("undo", N_("the {entity} was changed since; undo it by hand"),
                                      entity=row["entity"].replace("_", " "))
        for row in reversed(rows):
            before = commands.snapshot(db, row["entity"], row["entity_id"])
            commands.restore(db, row["entity"], row["entity_id"],
                             json.loads(row["before"]) if row["before"] else None)
            change.record("undo", row["entity"], row["entity_id"], before, undoes=row["change_id"])
        return rows


def history(db, customer_id: int | None = None) -> pd.DataFrame:
    """The audit trail (of one customer when given): ``id, change_id, at, author,
    action, entity, entity_id, customer_id, before, after, undoes``."""
    return commands.audit_rows(db, customer_id)


def rebuild_summaries(db) -> None:
    """Recompute every summary table from the base rows, in one transaction."""
    with funnel.unaudited(db):
        commands.rebuild_summaries(db)
