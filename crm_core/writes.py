"""Every write of the product. Each function validates (raising
``ValidationError`` that names the field), then writes in one transaction that
also keeps the summary tables up to date. ``today`` can be given for tests;
it defaults to the real date.
"""

from __future__ import annotations

import datetime as dt

from . import validation
from .catalogue import STAGES
from .storage import commands, transaction
from .validation import ValidationError


def _customer(db, customer_id) -> dict:
    found = commands.customer(db, customer_id) if isinstance(customer_id, int) else None
    if found is None:
        raise ValidationError("customer_id", f"unknown customer {customer_id!r}")
    return found


def _check_name_free(db, name_key: str, customer_id: int | None = None) -> None:
    holder = commands.customer_id_by_name_key(db, name_key)
    if holder is not None and holder != customer_id:
        raise ValidationError("name", "another customer already has this name")


def add_customer(db, values: dict, contacts: list[dict] | None = None, *,
                 today: dt.date | None = None) -> int:
    """Create a customer (profile dict + contact dicts) who enters ``pre_deal`` on
    its ``created_on`` date. Returns the new customer id."""
    today = today or dt.date.today()
    with transaction(db):
        cleaned = validation.check_customer(values, today=today)
        _check_name_free(db, cleaned["name_key"])
        return commands.insert_customer(db, cleaned, validation.check_contacts(contacts), STAGES[0])


def update_customer(db, customer_id: int, values: dict, contacts: list[dict] | None = None, *,
                    today: dt.date | None = None) -> None:
    """Change a customer's profile (``created_on`` stays); ``contacts`` replace the old ones."""
    today = today or dt.date.today()
    with transaction(db):
        before = _customer(db, customer_id)
        cleaned = validation.check_customer({**values, "created_on": before["created_on"]}, today=today)
        _check_name_free(db, cleaned["name_key"], customer_id)
        commands.update_customer(db, customer_id, cleaned,
                                 None if contacts is None else validation.check_contacts(contacts))


def move_stage(db, customer_id: int, stage: str, entered_on, *, kind: str = "forward",
               reason: str | None = None, author: str | None = None,
               today: dt.date | None = None) -> int:
    """Record that a customer entered ``stage`` (forward to the next stage, or a
    ``correction`` with a reason). Returns the stage entry id."""
    today = today or dt.date.today()
    with transaction(db):
        customer = _customer(db, customer_id)
        current, last_on = commands.last_stage_entry(db, customer_id)
        cleaned = validation.check_stage_entry(
            {"stage": stage, "entered_on": entered_on, "kind": kind, "reason": reason, "author": author},
            current_stage=current, last_entered_on=last_on,
            created_on=dt.date.fromisoformat(customer["created_on"]), today=today)
        return commands.insert_stage_entry(db, {**cleaned, "customer_id": customer_id})


def _check_response(db, values: dict, today: dt.date) -> dict:
    customer = _customer(db, values.get("customer_id"))
    cleaned = validation.check_response(
        values, stage_on_date=lambda day: commands.stage_on(db, customer["id"], day),
        created_on=dt.date.fromisoformat(customer["created_on"]), today=today,
        stage_items=commands.item_stages(db))
    return {**cleaned, "customer_id": customer["id"]}


def log_response(db, customer_id: int, stage: str, responded_on, mode: str, items: list[str],
                 quality: int, completeness: int, summary: str, author: str | None = None, *,
                 today: dt.date | None = None) -> int:
    """Log one response given to a customer. Returns the response id."""
    values = {"customer_id": customer_id, "stage": stage, "responded_on": responded_on, "mode": mode,
              "items": items, "quality": quality, "completeness": completeness, "summary": summary,
              "author": author}
    with transaction(db):
        return commands.insert_response(db, _check_response(db, values, today or dt.date.today()))


def update_response(db, response_id: int, changes: dict, *, today: dt.date | None = None) -> None:
    """Change fields of a response (same names as ``log_response``)."""
    with transaction(db):
        before = commands.row(db, "responses", response_id)
        if before is None:
            raise ValidationError("response_id", f"unknown response {response_id!r}")
        before["items"] = commands.response_items(db, response_id)
        cleaned = _check_response(db, {**before, **changes}, today or dt.date.today())
        commands.update_response(db, response_id, before, cleaned)


def delete_response(db, response_id: int) -> dict:
    """Delete a response; returns what it was (with ``items``)."""
    with transaction(db):
        before = commands.row(db, "responses", response_id)
        if before is None:
            raise ValidationError("response_id", f"unknown response {response_id!r}")
        before["items"] = commands.response_items(db, response_id)
        commands.delete_response(db, before)
        return before


def _check_opinion(db, values: dict, today: dt.date) -> dict:
    customer = _customer(db, values.get("customer_id"))
    cleaned = validation.check_opinion(
        values, stage_on_date=lambda day: commands.stage_on(db, customer["id"], day),
        created_on=dt.date.fromisoformat(customer["created_on"]), today=today)
    return {**cleaned, "customer_id": customer["id"]}


def record_opinion(db, customer_id: int, stage: str, opinion_on, score: int, *,
                   source: str | None = None, note: str | None = None, author: str | None = None,
                   today: dt.date | None = None) -> int:
    """Record the customer's opinion of a stage (-2..+2). Returns the opinion id."""
    values = {"customer_id": customer_id, "stage": stage, "opinion_on": opinion_on, "score": score,
              "source": source, "note": note, "author": author}
    with transaction(db):
        return commands.insert_opinion(db, _check_opinion(db, values, today or dt.date.today()))


def update_opinion(db, opinion_id: int, changes: dict, *, today: dt.date | None = None) -> None:
    """Change fields of an opinion (same names as ``record_opinion``)."""
    with transaction(db):
        before = commands.row(db, "opinions", opinion_id)
        if before is None:
            raise ValidationError("opinion_id", f"unknown opinion {opinion_id!r}")
        commands.update_opinion(db, opinion_id, _check_opinion(db, {**before, **changes},
                                                               today or dt.date.today()))


def delete_opinion(db, opinion_id: int) -> dict:
    """Delete an opinion; returns what it was."""
    with transaction(db):
        before = commands.row(db, "opinions", opinion_id)
        if before is None:
            raise ValidationError("opinion_id", f"unknown opinion {opinion_id!r}")
        commands.delete_opinion(db, before)
        return before


def rebuild_summaries(db) -> None:
    """Recompute every summary table from the base rows, in one transaction."""
    with transaction(db):
        commands.rebuild_summaries(db)
