"""The one way a write reaches the database: every function of crm_core that
changes data opens a ``change`` (or, for the few writes that change no fact,
``unaudited``), and nothing else opens a storage transaction (a test scans for it).

A change, in one transaction: checks the author's role (``roles.require``,
which also resolves the author to the name the audit trail uses), lets the
write validate and store its rows (the storage commands keep the summary tables
up to date in the same transaction), and appends one audit row per entity it
touched: who, when, what, and the entity's full state before and after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Iterator

from . import roles
from .i18n import N_
from .catalogue import STAGES
from .storage import (ACCOUNTS, CUSTOMERS, EVERYTHING, OPINIONS, OUTCOMES, PORTFOLIO, SAVED_VIEWS, SERVICE, SETTINGS,
                      commands, customer_scope, stage_scope, touch, transaction)
from .validation import ValidationError


class Change:
    """One write transaction by ``author`` (resolved): records what it did in the audit trail."""

    def __init__(self, db, author: str | None):
        self.db, self.author = db, author
        self.id = commands.change_id(db)
        self.at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    def record(self, action: str, entity: str, entity_id: int, before: dict | None,
               undoes: int | None = None) -> None:
        """Append the audit row of ``action`` on one entity of the registry
        (``storage.entities``): its state ``before`` and, read now, after. Actions:
        ``create``, ``update``, ``delete``, ``undo``, and ``password`` (an account's
        password changed; the trail holds neither it nor its hash)."""
        after = commands.snapshot(self.db, entity, entity_id)
        state = after or before
        customer_id = state["id"] if entity == "customer" else state.get("customer_id")
        commands.append_audit(self.db, self.id, self.at, self.author, action, entity, entity_id,
                              customer_id, recorded(before), recorded(after), undoes)
        touch(self.db, *touched(entity, customer_id, (before, after)))


# What a change of an entity that names no customer touches (``storage.touch``): the caches
# of what it shows refresh, the others stay warm. One not listed touches everything.
_TOUCHES = {"checklist_item": SETTINGS, "setting": SETTINGS, "service_target": SETTINGS,
            "account": ACCOUNTS, "saved_view": SAVED_VIEWS}
# The scopes of the reads of a few kinds of a customer's facts (and the customers' profiles,
# ``CUSTOMERS``): a write of another kind, most often a response, leaves them warm.
_PAGE_SCOPES = {"service_case": SERVICE, "promise": SERVICE, "opinion": OPINIONS, "stage_entry": OPINIONS,
                "outcome": OUTCOMES}


def touched(entity: str, customer_id: int | None, states: tuple[dict | None, ...]) -> tuple[str, ...]:
    """The change scopes a change of ``entity`` (of the customer ``customer_id``, or None;
    its ``states`` before and after) touches: the customer's and the portfolio's, and
    for a response or an opinion its stage's (before and after: an edit may move it),
    for the customer itself the customers' and every stage's (the analyses filter on its
    profile), and the scope of the page that reads its kind (``_PAGE_SCOPES``); else its
    kind's (``_TOUCHES``)."""
    if customer_id is None:
        return (_TOUCHES.get(entity, EVERYTHING),)
    scopes = [customer_scope(customer_id), PORTFOLIO]
    if entity == "customer":
        scopes += [CUSTOMERS, *map(stage_scope, STAGES)]
    elif entity in ("response", "opinion"):
        scopes += [stage_scope(state["stage"]) for state in states if state]
    if entity in _PAGE_SCOPES:
        scopes.append(_PAGE_SCOPES[entity])
    return tuple(scopes)


def recorded(state: dict | None) -> str | None:
    """An entity's state as the audit trail stores it (JSON text; None for none)."""
    return None if state is None else json.dumps(state, ensure_ascii=False, sort_keys=True)


@contextlib.contextmanager
def change(db, author: str | None, role: str = "editor") -> Iterator[Change]:
    """A write transaction by ``author``, refused (``AccessDenied``) when accounts
    exist and ``author`` is not an active account with ``role`` (``editor``:
    editors and admins; ``admin``; ``viewer``: any active account). Yields the
    ``Change`` to record entities on. Inside an open ``batch`` it is a savepoint."""
    with transaction(db):
        memo = db.transaction.memo
        granted = memo is not None and memo.get("author") == (author, role)
        yield Change(db, memo["resolved"] if granted else roles.require(db, author, role))


@contextlib.contextmanager
def batch(db, author: str | None, role: str = "editor") -> Iterator[str | None]:
    """Many writes as one transaction and one change (an import) by ``author``: each
    ``change`` inside rolls back alone when refused, and what they recorded is one change
    in the audit trail, so one ``undo`` takes all of it back; the summary tables are
    refreshed once at the end instead of after every write. The author's
    role is checked once, at the start (``AccessDenied`` as in ``change``), and the
    checklist read once (``commands.item_stages``): no write of an import changes either.
    Yields the author resolved."""
    with transaction(db), commands.deferred_refresh(db):
        resolved = roles.require(db, author, role)
        db.transaction.memo = {"author": (author, role), "resolved": resolved}
        yield resolved


@contextlib.contextmanager
def unaudited(db, *touches: str) -> Iterator[None]:
    """A write transaction that leaves no audit row, for the writes that change no
    fact anyone made: recomputing the summary tables, loading generated demo or
    benchmark data into an empty database, and sign-in bookkeeping (failed-login
    counts and locks, which anyone typing a name can cause; a browser's remembered
    sign-in made or revoked). The test of the funnel names every caller. ``touches``: the
    change scopes it touches (``storage.touch``); none named touches everything."""
    with transaction(db):
        touch(db, *touches)
        yield


def customer(db, customer_id) -> dict:
    """The customer a write names (``customers`` columns and ``id``); refuses
    (field ``customer_id``) an unknown one."""
    found = commands.customer(db, customer_id) if isinstance(customer_id, int) else None
    if found is None:
        raise ValidationError("customer_id", N_("unknown customer {id!r}"), id=customer_id)
    return found


def existing(db, entity: str, entity_id) -> dict:
    """The state of the ``entity`` a write changes (``commands.snapshot``); refuses
    (field ``<entity>_id``) an unknown one."""
    found = commands.snapshot(db, entity, entity_id) if isinstance(entity_id, int) else None
    if found is None:
        raise ValidationError(f"{entity}_id", N_("unknown {entity} {id!r}"), entity=entity.replace("_", " "),
                              id=entity_id)
    return found
