"""The login gate every page goes through (called by ``setup``).

With no account in the database the app is open and says so discreetly. Once
an account exists, a page shows only the sign-in form until the person signs
in; the URL's query parameters are left alone, so after signing in the shared
link shows exactly the view it names. Roles are enforced again in crm_core.

A sign-in (in open mode: the name typed in "You are") is remembered by this
browser in the cookie ``COOKIE``, which holds only the random token of
``crm_core.accounts.remember``; a reload or a new tab reads it back
(``st.context.cookies``, sent with the page's WebSocket). Streamlit 1.67 answers
the browser only over that WebSocket, so no response can carry a ``Set-Cookie``
header: the cookie is written by a one-line script (``st.html`` with JavaScript)
and therefore cannot be HttpOnly. It is ``SameSite=Strict`` (``Secure`` over
HTTPS) and the token is worth nothing once revoked.

With ``CRM_TRUSTED_HEADER`` set, an authenticating reverse proxy signs people
in: the header it sets (``st.context.headers``, from the WebSocket handshake)
names the account; a request without it, or naming no active account, gets a
refusal and nothing else. No password, no cookie and no sign-out then: the
proxy owns the sign-in.
"""

from __future__ import annotations

import json

import streamlit as st

import crm_core
from crm_core import accounts

from . import _, escape_markdown, expander, field_label, n_

COOKIE = "crm_sign_in"


def signed_in() -> crm_core.User | None:
    """The user of this browser session, if signed in."""
    return st.session_state.get("user")


def admins_only(path: str, refusal: str) -> crm_core.User | None:
    """Stop the page with ``refusal`` unless an admin is signed in or no account exists yet
    (the app runs open). Returns the signed-in user (None in open mode)."""
    user = signed_in()
    with crm_core.connect(path) as db:
        team = crm_core.accounts_exist(db)
    if team and (user is None or not user.is_admin):
        st.warning(refusal)
        st.stop()
    return user


def request_cookie(name: str) -> str | None:
    """The cookie ``name`` the browser sent when this session connected (None if none)."""
    value = st.context.cookies.get(name)
    # A browser's cookies are text; AppTest's stand-in runtime answers with mock objects.
    return value if isinstance(value, str) else None


def request_header(name: str) -> str | None:
    """The header ``name`` of the request that opened this session (None if absent)."""
    value = st.context.headers.get(name)
    return value if isinstance(value, str) else None   # see request_cookie


def gate(path: str) -> crm_core.User | None:
    """Stop the page with a sign-in form (or, behind a trusted proxy, a refusal)
    unless the session may read. Returns the signed-in user (None in open mode)."""
    header = accounts.trusted_header()
    if header:
        return _proxy_gate(path, header)
    try:
        with crm_core.connect(path) as db:
            required = crm_core.accounts_exist(db)
            # Re-read every run: a disabled account is signed out, a new role applies at once.
            user = accounts.active_user(db, signed_in().name) if signed_in() else None
            if signed_in() is None:
                _recall(db, required)
                user = signed_in()
    except crm_core.StorageError as error:   # the file went bad after this process first opened it
        st.error(_("The database cannot be opened: {error}", error=error))
        st.stop()
    _keep_cookie()
    if not required:
        _open_mode_banner()
        return None
    if user is not None:
        st.session_state["user"] = user
        _account_box(path, user)
        return user
    if signed_in() is not None:   # disabled or removed since: nothing of theirs stays in the session
        forget_session()
    _sign_in_form(path)
    st.stop()


def _proxy_gate(path: str, header: str) -> crm_core.User:
    """The account the trusted proxy's ``header`` names; stops the page with a refusal
    when the header is missing or names no active account."""
    name = (request_header(header) or "").strip()
    try:
        with crm_core.connect(path) as db:
            user = accounts.active_user(db, name) if name else None
    except crm_core.StorageError as error:
        st.error(_("The database cannot be opened: {error}", error=error))
        st.stop()
    if user is None or (signed_in() is not None and signed_in().name != user.name):
        forget_session()   # another person behind the same browser session: start from nothing
    if user is None:
        st.title("🔒 " + _("Access refused"))
        st.error(_("Open this app through your company's sign-on; it did not say who you are.") if not name else
                 _("{name} has no active account here. Ask an admin to add it.", name=escape_markdown(name)))
        st.stop()
    st.session_state["user"] = user
    st.sidebar.caption(f"👤 {escape_markdown(user.name)} · {_(user.role)} · "
                       + _("signed in by your company's sign-on"))
    return user


def _open_mode_banner() -> None:
    """Say, in open mode, who can reach the app (from the address the server listens on)."""
    address = st.get_option("server.address")
    if accounts.only_this_computer(address):
        who = _("Only this computer can reach the app.")
    elif address and address.strip() not in ("0.0.0.0", "::"):
        who = _("Anyone on the network who can reach {address} can open it.", address=escape_markdown(address))
    else:
        who = _("Anyone on the network who can reach this computer can open it.")
    st.sidebar.caption("🔓 " + _("Open mode: no accounts, so everyone who opens the app reads and edits.") + " "
                       + who + " " + _("Create an admin with `python -m crm_core user add` to require sign-in."))


def _recall(db, required: bool) -> None:
    """Sign this new session in again from the browser's cookie, once per session: as
    the account it names, or (open mode) with the author name typed before."""
    if st.session_state.get("recalled"):
        return
    st.session_state["recalled"] = True
    token = request_cookie(COOKIE)
    who = accounts.recall(db, token)
    if who is None:
        return
    st.session_state["remembered"] = accounts.Remembered(token, 0)   # the browser has it already
    if required:
        st.session_state["user"] = who
    else:
        st.session_state["author"] = who


def remember(path: str, *, user: crm_core.User | None = None, author: str | None = None) -> None:
    """Let this browser remember ``user`` (or the open-mode ``author``), replacing what
    it remembered before. A database that cannot be written just does not remember."""
    try:
        with crm_core.connect(path) as db:
            accounts.forget(db, _remembered_token())
            st.session_state["remembered"] = accounts.remember(db, user=user, author=author)
    except (crm_core.StorageError, ValueError) as error:
        st.session_state.pop("remembered", None)
        st.session_state["remember:error"] = str(error)


def _remembered_token() -> str | None:
    remembered = st.session_state.get("remembered")
    return remembered.token if remembered else None


def _keep_cookie() -> None:
    """Make the browser's cookie match what this session remembers: write a new token,
    or delete one that no longer signs anybody in (signed out, revoked, expired)."""
    if "remember:error" in st.session_state:
        st.sidebar.warning(_("This browser will not stay signed in: {error}",
                             error=st.session_state.pop("remember:error")), icon="⚠️")
    remembered = st.session_state.get("remembered")
    sent = request_cookie(COOKIE)
    if remembered is not None and remembered.token != sent:
        value, max_age = remembered.token, remembered.max_age
    elif remembered is None and sent:
        value, max_age = "", 0
    else:
        return
    cookie = json.dumps(f"{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict")
    with st.sidebar:
        st.html(f'<script>document.cookie = {cookie} + (location.protocol === "https:" ? "; Secure" : "");</script>',
                unsafe_allow_javascript=True)


def sign_out(path: str) -> None:
    """Revoke this browser's remembered sign-in and drop everything the session holds."""
    try:
        with crm_core.connect(path) as db:
            accounts.forget(db, _remembered_token())
    except crm_core.StorageError:
        pass   # a read-only file: the token then lives until it expires; the session still ends
    forget_session()


def forget_session() -> None:
    """Drop everything this browser session holds: the user, and all it prepared or typed
    (forms, results, uploads), so the next person on this tab starts from nothing. The
    session is not recalled from the cookie again."""
    st.session_state.clear()
    st.session_state["recalled"] = True


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
            remember(path, user=user)
            st.rerun()
        elif wait:
            st.error(n_("Too many failed attempts. Try again in {n} second.",
                        "Too many failed attempts. Try again in {n} seconds.", wait))
        else:
            st.error(_("Wrong name or password, or the account is disabled."))


ACCOUNT_BOX = "account_box"   # the sidebar's expander of the signed-in account


def _account_box(path: str, user: crm_core.User) -> None:
    """The signed-in account's expander: change the password, sign out (built only while open)."""
    box = expander(f"👤 {escape_markdown(user.name)} · {_(user.role)}", ACCOUNT_BOX, into=st.sidebar)
    if not box.open:
        return
    with box:
        with st.form("change_password", clear_on_submit=True):
            old = st.text_input(_("Current password"), type="password", key="own_password")
            new = st.text_input(_("New password"), type="password", key="own_new_password")
            if st.form_submit_button(_("Change password")):
                try:
                    with crm_core.connect(path) as db:
                        accounts.change_password(db, user.name, old, new)
                    remember(path, user=user)   # the change revoked every browser's, this one's too
                    st.success(_("Password changed."))
                except crm_core.ValidationError as error:
                    st.error(f"{field_label(error.field)}: {_(error.template, **error.values)}")
                except crm_core.StorageError as error:
                    st.error(str(error))
        st.button(_("Sign out"), on_click=sign_out, args=(path,))
