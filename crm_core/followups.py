"""Follow-ups of the advice "give next".

A **follow-up** says who (``owner``, a person's name: by default the customer's
account manager) is to give which expected response (a checklist item) to which
customer by when (``due_on``, by default ``DEFAULT_DUE_DAYS`` after the day it is
made). It is **open** until it is

* **done** — by hand, or by itself when a response addressing its item is logged
  for its customer on or after the day the follow-up was made (in the same
  transaction as the response: ``close_by_response``; closed on the response's day,
  naming it in ``closed_by_response``);
* **cancelled** — by hand.

An open follow-up can be reassigned, re-dated and annotated. A follow-up is
**overdue** on a day when it is open and its due day is before that day. At
``as_of`` a follow-up made later does not exist and one closed later is still
open (its owner and due day are the current ones: reassigning is not dated).
Every change is audited and undoable like any other entity's.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import funnel, roles, validation
from .i18n import N_
from .snapshot import SnapshotDay
from .storage import commands, followup_queries, relationship_commands
from .validation import ValidationError

DEFAULT_DUE_DAYS = 7
STATUSES: tuple[str, ...] = ("open", "done", "cancelled")
STATUS_LABELS: dict[str, str] = {"open": N_("Open"), "done": N_("Done"), "cancelled": N_("Cancelled")}
CLOSINGS: tuple[str, ...] = ("done", "cancelled")
# The parts of a person's follow-ups (``my_follow_ups``), in the order they are shown.
GROUPS: tuple[str, ...] = ("overdue", "due", "done")


def _owner(db, owner) -> str:
    """``owner`` as follow-ups store it: an active account's own spelling when it names
    one, else the name as typed (stripped); refuses an empty or over-long one."""
    typed = validation.check_text("owner", owner, required=True, limit=validation.MAX_NAME)
    return roles.resolve_author(db, typed) or typed


def _not_before_made(field: str, value, made_on: str) -> str:
    """``value`` (a date) as ISO text; refuses (``field``) a day before the follow-up was made."""
    day = validation.parse_date(field, value).isoformat()
    if day < made_on:
        raise ValidationError(field, N_("is before the follow-up was made ({day})"), day=made_on)
    return day


def _open(db, follow_up_id) -> dict:
    """The state of the follow-up a write changes; refuses an unknown or closed one."""
    before = funnel.existing(db, "follow_up", follow_up_id)
    if before["status"] != "open":
        raise ValidationError("status", N_("the follow-up is already {status}; undo to change it"),
                              status=before["status"])
    return before


def create_follow_up(db, customer_id: int, item_key: str, *, owner: str | None = None, due_on=None,
                     note: str | None = None, author: str | None = None, today: dt.date | None = None) -> int:
    """Make a follow-up: ``owner`` is to give the customer the checklist item
    ``item_key`` by ``due_on``. Defaults: the customer's account manager (else the
    author), and ``DEFAULT_DUE_DAYS`` after ``today``. Refuses an inactive item, a due
    day before today, and a second open follow-up of the same customer and item.
    Returns the follow-up's id."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        customer = funnel.customer(db, customer_id)
        validation.check_choice("item_key", item_key, commands.item_stages(db))
        if followup_queries.open_ids(db, customer["id"], [item_key]):
            raise ValidationError("item_key", N_("this customer already has an open follow-up of this item"))
        made = today.isoformat()
        values = {"customer_id": customer["id"], "item_key": item_key,
                  "owner": _owner(db, owner if owner not in (None, "") else customer["account_manager"]
                                  or change.author),
                  "due_on": _not_before_made("due_on", today + dt.timedelta(days=DEFAULT_DUE_DAYS)
                                             if due_on in (None, "") else due_on, made),
                  "created_on": made, "created_by": change.author, "status": "open",
                  "note": validation.check_text("note", note)}
        follow_up_id = relationship_commands.insert(db, "follow_up", values)
        change.record("create", "follow_up", follow_up_id, None)
        return follow_up_id


def update_follow_up(db, follow_up_id: int, *, owner: str | None = None, due_on=None, note: str | None = None,
                     author: str | None = None) -> None:
    """Reassign (``owner``), re-date (``due_on``, not before the day it was made) or
    annotate (``note``) an open follow-up; what is None stays as it is."""
    with funnel.change(db, author) as change:
        before = _open(db, follow_up_id)
        values = {**before,
                  "owner": before["owner"] if owner is None else _owner(db, owner),
                  "due_on": before["due_on"] if due_on is None else _not_before_made("due_on", due_on,
                                                                                     before["created_on"]),
                  "note": before["note"] if note is None else validation.check_text("note", note)}
        relationship_commands.update(db, "follow_up", follow_up_id, values)
        change.record("update", "follow_up", follow_up_id, before)


def close_follow_up(db, follow_up_id: int, status: str = "done", closed_on=None, *, author: str | None = None,
                    today: dt.date | None = None) -> None:
    """Close an open follow-up by hand: ``done`` or ``cancelled`` on ``closed_on``
    (default ``today``; not in the future nor before the day it was made)."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        before = _open(db, follow_up_id)
        day = validation.check_date("closed_on", today if closed_on in (None, "") else closed_on,
                                    not_before=None, today=today)
        values = {**before, "status": validation.check_choice("status", status, CLOSINGS),
                  "closed_on": _not_before_made("closed_on", day, before["created_on"])}
        relationship_commands.update(db, "follow_up", follow_up_id, values)
        change.record("update", "follow_up", follow_up_id, before)


def close_by_response(db, change: funnel.Change, response_id: int, response: dict) -> list[int]:
    """Inside the ``change`` that logged the response ``response_id`` (its cleaned
    values: ``customer_id, responded_on, items``): mark done, on the response's day,
    the customer's open follow-ups of its items made on or before that day. Returns
    their ids (none when it closes nothing)."""
    closed = []
    for follow_up_id in followup_queries.open_ids(db, response["customer_id"], list(response["items"])):
        before = commands.snapshot(db, "follow_up", follow_up_id)
        # A response dated before the follow-up was made (a call logged late) did not answer it.
        if before["created_on"] > response["responded_on"]:
            continue
        relationship_commands.update(db, "follow_up", follow_up_id, {
            **before, "status": "done", "closed_on": response["responded_on"], "closed_by_response": response_id})
        change.record("update", "follow_up", follow_up_id, before)
        closed.append(follow_up_id)
    return closed


def closed_by(db, response_id: int) -> list[dict]:
    """The follow-ups the response ``response_id`` closed, as they are now (the entity's
    columns and ``id``), oldest first: what a confirmation names, and what deleting the
    response unlinks."""
    return [commands.snapshot(db, "follow_up", follow_up_id)
            for follow_up_id in followup_queries.closed_by(db, response_id)]


# --- reads --------------------------------------------------------------------------

def _days(as_of, today: dt.date | None) -> tuple[str, str]:
    """The snapshot's bound and the day overdue is judged on (the snapshot day, or today)."""
    day = SnapshotDay.of(as_of)
    return day.bound, day.reference(today).isoformat()


def follow_up_list(db, as_of=None, customer_id: int | None = None, *, owner: str | None = None,
                   today: dt.date | None = None) -> pd.DataFrame:
    """Follow-ups made by ``as_of`` (of one customer and/or one ``owner``, any spelling
    of the name), by due day: ``follow_up_id, customer_id, name, account_manager,
    item_key, stage, label, owner, due_on, created_on, created_by, status`` (as of),
    ``closed_on, closed_by_response, note, overdue`` (bool) ``, days_overdue``."""
    found = followup_queries.follow_ups(db, *_days(as_of, today), customer_id)
    if owner is not None:
        key = validation.name_key(owner)
        # A boolean Series, not a list: an empty list would select no columns instead of no rows.
        mine = found["owner"].map(lambda name: validation.name_key(name) == key).astype(bool)
        found = found[mine].reset_index(drop=True)
    return found.astype({"overdue": bool, "days_overdue": "Int64", "closed_by_response": "Int64"})


def my_follow_ups(db, owner: str, as_of=None, today: dt.date | None = None) -> pd.DataFrame:
    """``owner``'s follow-ups at ``as_of`` in ``GROUPS``: ``overdue`` (open, past due,
    most overdue first), ``due`` (open, by due day) and ``done`` this week (closed done
    from the Monday of the reference day's week on). ``follow_up_list``'s columns and
    ``group``; cancelled ones and older done ones are left out."""
    found = follow_up_list(db, as_of, owner=owner, today=today)
    day = SnapshotDay.of(as_of).reference(today)
    monday = (day - dt.timedelta(days=day.weekday())).isoformat()
    group = pd.Series(None, index=found.index, dtype=object)
    group[(found["status"] == "open") & found["overdue"]] = "overdue"
    group[(found["status"] == "open") & ~found["overdue"]] = "due"
    group[(found["status"] == "done") & (found["closed_on"] >= monday)] = "done"
    found = found.assign(group=group).dropna(subset=["group"])
    order = found["group"].map(GROUPS.index)
    return found.assign(order=order).sort_values(["order", "due_on", "follow_up_id"]).drop(
        columns="order").reset_index(drop=True)


def customers_with_overdue_follow_ups(db, as_of=None, today: dt.date | None = None) -> set[int]:
    """Customers with at least one follow-up overdue at ``as_of`` (made on or before the
    snapshot day, not closed by its end, due before it; live: before ``today``)."""
    return set(followup_queries.customers_with_overdue(db, *_days(as_of, today)))
