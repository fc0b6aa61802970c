"""Promises vs delivery.

A **promise** is what someone of ours promised a customer at a stage (on
performance, quality, price, a date, training or other), with the promised
value and/or a due date. Later it is **kept**, **broken** or **renegotiated**
on a date, with the actual value.

* **Kept rate** = kept ÷ resolved (kept + broken + renegotiated).
* **Slip** of a resolved promise with a due date = resolution day − due day,
  in days (positive = late); the **average slip** is over those promises.
* **Overdue**: still open at the reference day and past its due date.

At ``as_of`` a promise made later does not exist and one resolved later is
still open.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import funnel, validation
from .i18n import N_
from .storage import commands, relationship_commands, relationship_queries
from .validation import ValidationError
from .snapshot import SnapshotDay

KINDS: tuple[str, ...] = ("performance", "quality", "price", "date", "training", "other")
KIND_LABELS: dict[str, str] = {"performance": N_("Performance"), "quality": N_("Quality"), "price": N_("Price"),
                               "date": N_("Date"), "training": N_("Training"), "other": N_("Other")}
RESOLUTIONS: tuple[str, ...] = ("kept", "broken", "renegotiated")
STATUS_LABELS: dict[str, str] = {"open": N_("Open"), "kept": N_("Kept"), "broken": N_("Broken"),
                                 "renegotiated": N_("Renegotiated")}
GROUPS = ("customer", "account_manager")
SELECTIONS = ("open", "overdue")


def record_promise(db, customer_id: int, stage: str, made_on, kind: str, what: str, *,
                   made_by: str | None = None, promised_value: str | None = None, due_on=None,
                   author: str | None = None, today: dt.date | None = None) -> int:
    """Record a promise made to a customer at ``stage`` on ``made_on``. Returns its id."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        customer = funnel.customer(db, customer_id)
        made = validation.check_date("made_on", made_on, today=today,
                                     not_before=dt.date.fromisoformat(customer["created_on"]))
        values = {
            "customer_id": customer_id, "made_on": made,
            "stage": validation.check_stage_reached("stage", stage, commands.stage_on(db, customer_id, made)),
            "kind": validation.check_choice("kind", kind, KINDS),
            "what": validation.check_text("what", what, required=True),
            "made_by": validation.check_text("made_by", made_by, limit=validation.MAX_NAME),
            "promised_value": validation.check_text("promised_value", promised_value, limit=validation.MAX_NAME),
            "due_on": None if due_on in (None, "") else validation.parse_date("due_on", due_on).isoformat(),
            "status": "open", "author": change.author,
        }
        if values["due_on"] is not None and values["due_on"] < made:
            raise ValidationError("due_on", N_("is before the day the promise was made ({day})"), day=made)
        if values["kind"] == "date" and values["due_on"] is None:
            raise ValidationError("due_on", N_("a promised date needs its due date"))
        promise_id = relationship_commands.insert(db, "promise", values)
        change.record("create", "promise", promise_id, None)
        return promise_id


def resolve_promise(db, promise_id: int, status: str, resolved_on, *, actual_value: str | None = None,
                    author: str | None = None, today: dt.date | None = None) -> None:
    """Mark an open promise ``kept``, ``broken`` or ``renegotiated`` on ``resolved_on``."""
    today = today or dt.date.today()
    with funnel.change(db, author) as change:
        before = funnel.existing(db, "promise", promise_id)
        if before["status"] != "open":
            raise ValidationError("status", N_("the promise is already {status}; undo to change it"),
                                  status=before["status"])
        values = {**before,
                  "status": validation.check_choice("status", status, RESOLUTIONS),
                  "resolved_on": validation.check_date("resolved_on", resolved_on, today=today,
                                                       not_before=dt.date.fromisoformat(before["made_on"])),
                  "actual_value": validation.check_text("actual_value", actual_value, limit=validation.MAX_NAME)}
        relationship_commands.update(db, "promise", promise_id, values)
        change.record("update", "promise", promise_id, before)


def promise_list(db, as_of=None, customer_id: int | None = None, filters: dict | None = None,
                 today: dt.date | None = None, *, only: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Promises made by ``as_of``, newest first: ``promise_id, customer_id, name,
    sector, region, account_manager, stage, made_on, made_by, kind, what,
    promised_value, due_on, status, resolved_on, actual_value, author, slip_days``
    (resolved with a due date), ``overdue`` (bool), ``days_overdue``.
    ``only="open"`` keeps the open ones, ``only="overdue"`` the overdue ones, most
    overdue first; ``limit`` keeps the first rows, so a page fetches what it shows
    (``promise_count`` says how many there are)."""
    found = relationship_queries.promises(db, SnapshotDay.of(as_of).bound, SnapshotDay.of(as_of).reference(today).isoformat(),
                                          customer_id, filters, _selection(only), limit)
    return found.astype({"slip_days": "Int64", "overdue": bool, "days_overdue": "Int64"})


def promise_count(db, as_of=None, customer_id: int | None = None, filters: dict | None = None,
                  today: dt.date | None = None, *, only: str | None = None) -> int:
    """How many promises ``promise_list`` lists without a limit."""
    return relationship_queries.promise_total(db, SnapshotDay.of(as_of).bound, SnapshotDay.of(as_of).reference(today).isoformat(),
                                              customer_id, filters, _selection(only))


def _selection(only: str | None) -> str | None:
    return only if only is None else validation.check_choice("only", only, SELECTIONS)


def promise_record(db, as_of=None, by: str | None = None, filters: dict | None = None,
                   today: dt.date | None = None) -> pd.DataFrame:
    """Kept rate and average slip: one row for the portfolio (``by=None``, group
    ``all``), or per ``customer`` (with ``customer_id``) or ``account_manager``.
    Columns ``group, promises, open, kept, broken, renegotiated, overdue,
    kept_rate`` (0..1, None without resolved promises) ``, average_slip`` (days)."""
    if by is not None:
        validation.check_choice("by", by, GROUPS)
    found = relationship_queries.promise_counts(db, SnapshotDay.of(as_of).bound, SnapshotDay.of(as_of).reference(today).isoformat(),
                                                by, filters)
    columns = ["group", "promises", "open", *RESOLUTIONS, "overdue", "kept_rate", "average_slip"]
    if found.empty and by is None:
        found = pd.DataFrame([{"group": "all", **dict.fromkeys(("promises", "open", *RESOLUTIONS, "overdue",
                                                                 "resolved"), 0), "average_slip": None}])
    rows = [{**{k: row[k] for k in ("group", *(["customer_id"] if by == "customer" else []))},
             **{k: 0 if pd.isna(row[k]) else int(row[k]) for k in ("promises", "open", *RESOLUTIONS, "overdue")},
             "kept_rate": row["kept"] / row["resolved"] if row["resolved"] else None,
             "average_slip": None if pd.isna(row["average_slip"]) else float(row["average_slip"])}
            for row in found.to_dict("records")]
    return pd.DataFrame(rows, columns=columns + (["customer_id"] if by == "customer" else []))


def customers_with_broken_promises(db, as_of=None, since=None, today: dt.date | None = None) -> set[int]:
    """Customers with a promise broken on or after ``since`` (any, when None) or open and overdue."""
    since_day = validation.parse_date("since", since).isoformat() if since is not None else None
    return set(relationship_queries.customers_with_broken_promises(
        db, SnapshotDay.of(as_of).bound, SnapshotDay.of(as_of).reference(today).isoformat(), since_day))
