"""The login gate every page goes through (called by ``setup``).

With no account in the database the app is open and says so discreetly. Once
an account exists, a page shows only the sign-in form until the person signs
in; the URL's query parameters are left alone, so after signing in the shared
link shows exactly the view it names. Roles are enforced again in crm_core.
"""

from __future__ import annotations

import streamlit as st

import crm_core
from crm_core import accounts

from . import _, field_label, n_, plain


def signed_in() -> crm_core.User | None:
    """The user of this browser session, if signed in."""
    return st.session_state.get("user")


def gate(path: str) -> crm_core.User | None:
    """Stop the page with a sign-in form unless the session may read. Returns the
    signed-in user (None in open mode)."""
    try:
        with crm_core.connect(path) as db:
            required = crm_core.accounts_exist(db)
            # Re-read every run: a disabled account is signed out, a new role applies at once.
            user = accounts.active_user(db, signed_in().name) if signed_in() else None
    except crm_core.StorageError as error:   # the file went bad after this process first opened it
        st.error(_("The database cannot be opened: {error}", error=error))
        st.stop()
    if not required:
        st.sidebar.caption("🔓 " + _("Open mode: no accounts yet, so anyone with the link can read and edit. "
                                    "Create an admin with `python -m crm_core user add` to require sign-in."))
        return None
    if user is not None:
        st.session_state["user"] = user
        _account_box(path, user)
        return user
    if signed_in() is not None:   # disabled or removed since: nothing of theirs stays in the session
        forget_session()
    _sign_in_form(path)
    st.stop()


def forget_session() -> None:
    """Drop everything this browser session holds: the user, and all it prepared or typed
    (forms, results, uploads), so the next person on this tab starts from nothing."""
    st.session_state.clear()


def _sign_in_form(path: str) -> None:
    st.title("🔒 " + _("Sign in"))
    st.caption(_("This dashboard holds customers' opinions. Sign in to see the page this link opens."))
    with st.form("sign_in"):
        name = st.text_input(_("Name"), key="sign_in_name")
        password = st.text_input(_("Password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        st.session_state.pop("sign_in_password", None)
        try:
            with crm_core.connect(path) as db:
                wait = accounts.locked_for(db, name)
                user = None if wait else crm_core.authenticate(db, name, password)
                wait = wait or accounts.locked_for(db, name)
        except crm_core.StorageError as error:   # e.g. a read-only file cannot count a failed attempt
            st.error(str(error))
            return
        if user is not None:
            st.session_state["user"] = user
            st.rerun()
        elif wait:
            st.error(n_("Too many failed attempts. Try again in {n} second.",
                        "Too many failed attempts. Try again in {n} seconds.", wait))
        else:
            st.error(_("Wrong name or password, or the account is disabled."))


def _account_box(path: str, user: crm_core.User) -> None:
    with st.sidebar.expander(f"👤 {plain(user.name)} · {_(user.role)}"):
        with st.form("change_password", clear_on_submit=True):
            old = st.text_input(_("Current password"), type="password", key="own_password")
            new = st.text_input(_("New password"), type="password", key="own_new_password")
            if st.form_submit_button(_("Change password")):
                try:
                    with crm_core.connect(path) as db:
                        accounts.change_password(db, user.name, old, new)
                    st.success(_("Password changed."))
                except crm_core.ValidationError as error:
                    st.error(f"{field_label(error.field)}: {_(error.template, **error.values)}")
                except crm_core.StorageError as error:
                    st.error(str(error))
        st.button(_("Sign out"), on_click=forget_session)
