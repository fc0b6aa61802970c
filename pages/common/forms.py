"""Data entry helpers: who is writing, running a write, and showing its error
next to the field while everything typed stays in the form.

A form's save button runs ``save`` as its ``on_click`` callback, before the
page is drawn again: on success the form's widgets are reset for the next
entry and a confirmation is shown; on a ``ValidationError`` the message is
stored under the form and ``field_error`` draws it below the field it names.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Callable

import streamlit as st

import crm_core

from . import _, escape_markdown, expander, field_label, fmt_date, item_label, params, stage_label
from .auth import remember, signed_in


def session_author() -> str | None:
    """The author of this session's changes: the signed-in user (the account's own
    spelling), or (in open mode) a name typed in the sidebar, which this browser
    remembers (``auth.remember``)."""
    user = signed_in()
    if user is not None:
        if not user.can_write:
            st.info(_("You are signed in as a viewer: you can read but not change data."))
        return user.name
    return st.sidebar.text_input(
        _("You are"), key="author", persist_state="session", placeholder=_("Your name"),
        on_change=lambda: remember(str(crm_core.database_location()), author=st.session_state.get("author")),
        help=_("Stamped on every change you make and in the history. This browser remembers it."),
    ) or None


def save(form: str, path: str, write: Callable, *args, reset: dict | None = None,
         done: str | None = None, **kwargs):
    """Run ``crm_core.<write>``-like ``write(db, *args, **kwargs)``; remember its
    outcome for ``form``. ``reset`` maps widget keys to the values they return to
    after a successful save; ``done`` is the confirmation (default "Saved.").
    Returns what ``write`` returned (e.g. the new record's id), None when it was refused."""
    st.session_state.pop(f"{form}:error", None)
    try:
        with crm_core.connect(path) as db:
            result = write(db, *args, **kwargs)
    except crm_core.ValidationError as error:
        st.session_state[f"{form}:error"] = (error.field, error_text(error))
        return None
    except (crm_core.StorageError, crm_core.AccessDenied) as error:
        st.session_state[f"{form}:error"] = ("", error_text(error))
        return None
    for key, value in (reset or {}).items():
        st.session_state[key] = value
    st.session_state[f"{form}:done"] = done or _("Saved.")
    return result


def error_text(error: Exception) -> str:
    """Why a write was refused, in the session's language: a ``ValidationError``'s or
    ``AccessDenied``'s template translated, then filled with its values (other errors
    as they are)."""
    if isinstance(error, (crm_core.ValidationError, crm_core.AccessDenied)):
        return _(error.template, **{name: _shown(value) for name, value in error.values.items()})
    return str(error)


def _shown(value):
    """A value a refusal names, in a person's words: a stage or checklist key as its label, an
    ISO day as a date, a negative number with a real minus sign; anything else as it is."""
    if isinstance(value, str) and value in crm_core.STAGE_LABELS:
        return stage_label(value)
    if isinstance(value, str) and value in crm_core.CHECKLIST_LABELS:
        return item_label(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return fmt_date(dt.date.fromisoformat(value))
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return "−" + str(-value)
    return value


def _names(field: str, fields: tuple[str, ...]) -> bool:
    """Whether an error's ``field`` is one of ``fields``; ``"contacts["`` names every contact field."""
    return any(field == f or (f.endswith("[") and field.startswith(f)) for f in fields)


def field_error(form: str, *fields: str) -> None:
    """Draw the stored error of ``form`` if it names one of ``fields``."""
    error = st.session_state.get(f"{form}:error")
    if error and _names(error[0], fields):
        # Always with the field's name: a refusal such as "must not be empty" needs its subject.
        st.error(f"{field_label(error[0])}: {error[1]}", icon="⚠️")


def other_error(form: str, known: tuple[str, ...]) -> None:
    """Draw the stored error of ``form`` when no field of the form shows it."""
    error = st.session_state.get(f"{form}:error")
    if error and not _names(error[0], known):
        st.error(f"{field_label(error[0])}: {error[1]}" if error[0] else error[1], icon="⚠️")


def has_news(*forms: str) -> bool:
    """Whether one of ``forms`` has a confirmation or an error still to show (what ``save``
    left for ``confirmation``, ``field_error`` and ``other_error``)."""
    return any(f"{form}:{outcome}" in st.session_state for form in forms for outcome in ("done", "error"))


def form_box(label: str, key: str, icon: str, form: Callable, *args, open_now: bool = False) -> None:
    """``form(*args)`` in an expander labelled ``label`` (``pages.common.expander``, key
    ``key``) built only while it is open: closed, a run builds and ships none of the form's
    widgets, and a click on it reruns the page to build them. ``open_now``: open it (the
    page has nothing to show before the first entry)."""
    box = expander(label, key, open_now=open_now, icon=icon)
    if box.open:
        with box:
            form(*args)


def for_customer(form: Callable, ctx, customer_id: int | None, *args) -> None:
    """``form(ctx, customer_id, *args)``, or a hint to pick the customer first when none is."""
    if customer_id is None:
        st.caption(_("Pick the customer above first."))
    else:
        form(ctx, customer_id, *args)


def confirmation(form: str) -> None:
    """Show (once) the confirmation of the last successful save of ``form``."""
    message = st.session_state.pop(f"{form}:done", None)
    if message:
        st.success(message, icon="✅")


# The most customers a choice box offers: every run ships its options to the browser, and
# 10,000 names made each run of a page with a customer choice slow on both sides. Past it,
# a search box narrows the box to the names containing what was typed.
PICKER_OPTIONS = 200


def _narrowed(labels: dict[int, str], typed: str | None, chosen: int | None) -> list[int]:
    """The ids of ``labels`` whose name contains ``typed`` (ignoring case), at most
    ``PICKER_OPTIONS`` of them, in name order, the ``chosen`` one always among them."""
    needle = (typed or "").strip().casefold()
    # Nothing typed: the first names, without reading every one (100,000 of them cost 40 ms a run).
    found = list(itertools.islice(labels if not needle else (i for i, name in labels.items()
                                                             if needle in name.casefold()), PICKER_OPTIONS))
    return found if chosen is None or chosen in found else [chosen, *found[:PICKER_OPTIONS - 1]]


def customer_options(labels: dict[int, str], chosen: int | None, search_key: str) -> list[int]:
    """The customer ids a choice box offers: every one of ``labels`` (id -> name), or past
    ``PICKER_OPTIONS`` those a search box (keyed ``search_key``, drawn here) narrows them
    to, ``chosen`` always among them."""
    if len(labels) <= PICKER_OPTIONS:
        return list(labels)
    return _narrowed(labels, st.text_input(_("Find the customer"), key=search_key,
                                           placeholder=_("Type part of the name…")), chosen)


def customer_picker(labels: dict[int, str]) -> int | None:
    """A searchable customer choice kept in the URL as ``?customer=<id>``, among ``labels``
    (id -> name, by name: ``customer_labels``). An unknown or malformed id in the URL is
    dropped with a note, never a traceback."""
    wanted_id, wanted = params.record_id("customer")
    chosen = wanted_id if wanted_id in labels else None
    if wanted and chosen is None:
        st.warning(_("There is no customer {id}; pick one below.", id=escape_markdown(repr(wanted))))
    # Streamlit drops a widget's state when another page is opened: the box must be
    # seeded from the URL again then, or it would come back empty and clear the URL.
    # A rerun whose query string comes without ``customer`` (the browser can send one that
    # predates the server's last URL update when a click lands right after a tab change)
    # keeps the choice; a link naming another customer (or a bad one) still wins.
    if (wanted is not None and wanted != st.session_state.get("customer_synced")) \
            or "customer_pick" not in st.session_state:
        # The URL changed from outside (a shared link, a link from another page): it wins.
        st.session_state["customer_pick"] = chosen
    else:
        # Set again, so the browser is told the value: a run that stopped before the box (a
        # snapshot on the log page) made it forget it, and drawn again the box would come
        # back empty and send None with the next click, clearing the customer everywhere.
        st.session_state["customer_pick"] = st.session_state["customer_pick"]
    options = customer_options(labels, st.session_state.get("customer_pick"), "customer_search")
    picked = st.selectbox(_("Customer"), options, format_func=labels.get, key="customer_pick",
                          index=None, placeholder=_("Type to search a customer…"))
    if picked is None:
        st.query_params.pop("customer", None)
    else:
        st.query_params["customer"] = str(picked)
    st.session_state["customer_synced"] = st.query_params.get("customer")
    return picked
