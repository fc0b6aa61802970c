"""Saved views: a page's link (its filters, customer, tab and snapshot day) kept under a
name, personal or shared with the team, listed in every page's sidebar.

Rules, all here:

* What a view keeps: per page, the query parameters that page reads (``PAGE_PARAMS``,
  the table of the README), plus the snapshot day ``as_of`` when it is one. Anything
  else in the URL is dropped: unknown parameters, and so anything secret (no page reads
  a secret from its URL). The language is not kept: a view opens in the language of
  whoever opens it.
* Who: the owner is the person saving it (``roles.resolve_author``, through
  ``funnel.change``). Any active account saves personal views, viewers too (a view is
  a link to what they may read anyway, and opening it still meets the sign-in gate);
  sharing one with the team needs an editor or admin, as it appears in everyone's
  sidebar. In open mode everyone may do everything, as with data, but a view still
  needs its owner's name.
* A personal view is seen, renamed and deleted by its owner only; a team view is seen
  by everyone and renamed or deleted by its owner or an admin (``may_change``).
* A name: 1 to ``MAX_NAME`` characters, distinct (ignoring case and spacing) among its
  owner's views.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable, Mapping

from . import funnel, roles
from .i18n import N_
from .snapshot import SnapshotDay
from .storage import saved_views as store
from .validation import ValidationError, check_text, name_key

FILTERS = ("sector", "region", "account_manager")
# The query parameters each page reads (keys as the pages' ``PAGES``), the snapshot day aside.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "overview": ("period", *FILTERS),
    "journey": ("customer", "tab"),
    "gaps": ("stage", *FILTERS),
    "trends": ("view", "by", "period", *FILTERS),
    "quality": ("stage", "since"),
    "log": ("customer",),
    "customers": ("q", "stage", *FILTERS, "at_risk", "sort", "customer"),
    "service": ("customer", "tab", *FILTERS),
    "outcomes": ("by", "customer", *FILTERS),
    "drivers": ("stage", *FILTERS),
    "import": FILTERS,
    "admin": (),
    "settings": ("stage",),
}
MAX_NAME = 80
# A value longer than this, or more values of one parameter, is no choice a page offers.
MAX_VALUE = 200
MAX_VALUES = 50


@dataclass(frozen=True)
class SavedView:
    """One saved view as one person sees it: ``params`` maps each kept parameter to its
    values; ``mine``: they own it; ``changeable``: they may rename or delete it."""

    id: int
    name: str
    owner: str
    shared: bool
    page: str
    params: dict[str, list[str]]
    mine: bool
    changeable: bool


def kept(page: str, query: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """What a view of ``page`` keeps of the URL's ``query`` (name -> values): the page's
    parameters (``PAGE_PARAMS``) with their non-blank values, and ``as_of`` when it is a
    past snapshot day; everything else dropped. Refuses (field ``page``) an unknown page."""
    names = PAGE_PARAMS.get(page)
    if names is None:
        raise ValidationError("page", N_("unknown page {page!r}"), page=page)
    params = {}
    for name in names:
        values = [v for v in _values(query, name) if isinstance(v, str) and v.strip() and len(v) <= MAX_VALUE]
        if values and len(values) <= MAX_VALUES:
            params[name] = values
    day = _values(query, "as_of")[-1:]
    try:
        snapshot = SnapshotDay.of(day[0]).day if day else None
    except ValidationError:
        snapshot = None   # a malformed day: the page showed live, so the view is live
    if snapshot is not None and snapshot <= dt.date.today():   # a future day, too, the page shows live
        params["as_of"] = [snapshot.isoformat()]
    return params


def _values(query: Mapping[str, Iterable[str]], name: str) -> list:
    """The values of ``name`` in ``query`` (one text counts as one value)."""
    values = query.get(name, ())
    return [values] if isinstance(values, str) else list(values)


def may_change(owner: str, shared: bool, author: str | None, admin: bool) -> bool:
    """Whether ``author`` (resolved) may rename or delete a view of ``owner``: its owner
    always; anyone ``admin`` (an admin, or everyone in open mode) a team view."""
    return author == owner or (shared and admin)


def _is_admin(db, author: str | None) -> bool:
    """Whether ``author`` acts as an admin: an active admin account, or anyone in open mode."""
    if not roles.accounts_exist(db):
        return True
    user = roles.active_user(db, author) if author else None
    return user is not None and user.is_admin


def views_for(db, author: str | None) -> list[SavedView]:
    """The views ``author`` (a name as typed or signed in) sees, by name: their own and
    the team's. An author no account or name stands for sees the team's only."""
    try:
        owner = roles.resolve_author(db, author)
    except ValidationError:
        owner = None
    admin = _is_admin(db, owner)
    return [SavedView(row["id"], row["name"], row["owner"], bool(row["shared"]), row["page"],
                      json.loads(row["params"]), row["owner"] == owner,
                      may_change(row["owner"], bool(row["shared"]), owner, admin))
            for row in store.visible(db, owner)]


def _checked_name(db, owner: str, name, other_than: int | None = None) -> tuple[str, str]:
    """``(name, key)`` of a view name ``owner`` gives; refuses (field ``name``) an empty,
    over-long or already used one."""
    text = check_text("name", name, required=True, limit=MAX_NAME)
    key = name_key(text)
    if store.name_taken(db, owner, key, other_than):
        raise ValidationError("name", N_("you already have a view named “{name}”"), name=text)
    return text, key


def _owner(author: str | None) -> str:
    """The owner of a view saved by ``author`` (resolved); refuses (field ``author``) none."""
    if author is None:
        raise ValidationError("author", N_("type your name first: a saved view belongs to someone"))
    return author


def save_view(db, name, page: str, query: Mapping[str, Iterable[str]], *, shared: bool = False,
              author: str | None = None) -> int:
    """Save the view of ``page`` whose URL has ``query`` (name -> values; what it keeps:
    ``kept``) as ``name``, personal or ``shared`` with the team, owned by ``author``.
    Returns the new view's id."""
    with funnel.change(db, author, role="editor" if shared else "viewer") as change:
        owner = _owner(change.author)
        text, key = _checked_name(db, owner, name)
        values = {"name": text, "name_key": key, "owner": owner, "shared": int(bool(shared)), "page": page,
                  "params": json.dumps(kept(page, query), ensure_ascii=False, sort_keys=True),
                  "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        view_id = store.insert(db, values)
        change.record("create", "saved_view", view_id, None)
    return view_id


def _changeable(db, view_id, author: str | None) -> dict:
    """The view ``view_id`` when ``author`` may rename or delete it (``may_change``);
    refuses an unknown one (field ``saved_view_id``) and one that is not theirs
    (``AccessDenied``; a personal view of someone else is not even said to exist)."""
    view = funnel.existing(db, "saved_view", view_id)
    if not view["shared"] and view["owner"] != author:
        raise ValidationError("saved_view_id", N_("unknown {entity} {id!r}"), entity="saved view", id=view_id)
    if not may_change(view["owner"], bool(view["shared"]), author, _is_admin(db, author)):
        raise roles.AccessDenied(N_("only its owner or an admin may change the team view “{name}”"),
                                 name=view["name"])
    return view


def rename_view(db, view_id: int, name, *, author: str | None = None) -> None:
    """Rename the view ``view_id`` to ``name`` (its owner, or an admin for a team view)."""
    with funnel.change(db, author, role="viewer") as change:
        view = _changeable(db, view_id, change.author)
        text, key = _checked_name(db, view["owner"], name, other_than=view_id)
        store.rename(db, view_id, text, key)
        change.record("update", "saved_view", view_id, view)


def delete_view(db, view_id: int, *, author: str | None = None) -> None:
    """Delete the view ``view_id`` (its owner, or an admin for a team view)."""
    with funnel.change(db, author, role="viewer") as change:
        view = _changeable(db, view_id, change.author)
        store.delete(db, view_id)
        change.record("delete", "saved_view", view_id, view)
