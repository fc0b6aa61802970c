"""Accounts, enforced here rather than only by hiding buttons (roles, and who
may act, are in ``roles``; the names are re-exported here).

* With no account in the database the product runs open (the local demo).
  As soon as one account exists, every write needs an author whose role
  allows it, and the app asks for a login on every page.
* Creating an account, disabling or enabling it, changing its role or its
  password are changes like any other: audited (never the password or its
  hash; see ``storage.entities``), but not undone.
* Passwords are stored as salted ``hashlib.scrypt`` hashes (n=2**14, r=8,
  p=1): slow to guess, standard library only. They are never logged or stored
  in the audit trail.
* Failed logins slow guessing down: after ``FREE_ATTEMPTS`` failures in a row,
  each further failure locks the account for ``LOCK_SECONDS`` × 2^k (capped),
  and a correct password is refused while locked.
* A sign-in (or, in open mode, the typed author name) can be remembered by the
  browser for ``remember_hours()``: ``remember`` returns a random token for a
  cookie and keeps only its SHA-256 digest; ``recall`` turns the token back into
  the account as it is now. Signing out (``forget``), expiry, and disabling the
  account or changing its role or password revoke it (the last three in the
  database itself, see migration m013).
* Behind an authenticating reverse proxy (single sign-on) the proxy names the
  person in the header ``trusted_header()`` (``$CRM_TRUSTED_HEADER``, off unless
  set); that name must be an active account here, which gives the role.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass

from . import funnel
from .i18n import N_
from .roles import ROLES, AccessDenied, User, accounts_exist, active_user, require  # noqa: F401  (re-exported)
from .storage import ACCOUNTS, users as store
from .validation import ValidationError, check_choice, check_text, name_key

FREE_ATTEMPTS = 3
LOCK_SECONDS = 2
MAX_LOCK_SECONDS = 300
MIN_PASSWORD = 8
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
REMEMBER_HOURS = 12   # default of $CRM_REMEMBER_HOURS; 0 turns remembering off


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt>$<hash>`` (base64) for ``password``."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` result (constant-time compare)."""
    try:
        _, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32, **SCRYPT)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def trusted_header() -> str | None:
    """The request header in which an authenticating reverse proxy names the signed-in
    person (``$CRM_TRUSTED_HEADER``, e.g. ``X-Forwarded-User``), or None: proxy sign-on off."""
    return os.environ.get("CRM_TRUSTED_HEADER", "").strip() or None


def only_this_computer(address: str | None) -> bool:
    """Whether a server listening on ``address`` (Streamlit's ``server.address``; None
    or "" = every interface) can be reached from this computer only: a loopback
    address or ``localhost``. Open mode is meant for that case."""
    host = (address or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError("password", N_("must have at least {n} characters"), n=MIN_PASSWORD)
    return password


def add_user(db, name: str, password: str, role: str, *, author: str | None = None) -> User:
    """Create an account. The first account must be an admin and needs no author;
    later ones need an admin as ``author``. Returns the new ``User``."""
    with funnel.change(db, author, role="admin") as change:
        if role != "admin" and not accounts_exist(db):
            raise ValidationError("role", N_("the first account must be an admin"))
        clean = check_text("name", name, required=True, limit=100)
        check_choice("role", role, ROLES)
        if store.user_by_key(db, name_key(clean)):
            raise ValidationError("name", N_("an account with this name exists"))
        user_id = store.insert_user(db, clean, name_key(clean), role, hash_password(_check_password(password)),
                                    dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        change.record("create", "account", user_id, None)
        return User(clean, role)


def authenticate(db, name: str, password: str, *, now: dt.datetime | None = None) -> User | None:
    """The ``User`` if ``name``/``password`` are right and the account is active and
    not locked; otherwise None (and the failure counts towards the lock).

    The slow hash is checked outside any transaction (other writers never wait on
    it), and a clean sign-in writes nothing, so people can still read a database
    file that has become read-only."""
    now = now or dt.datetime.now(dt.timezone.utc)
    key = name_key(name or "")
    account = store.user_by_key(db, key)
    if account is None:
        hash_password(password or "")   # same cost as a real check: no user enumeration by timing
        return None
    if (not _locked(account, now) and not account["disabled"]
            and verify_password(password or "", account["password_hash"])):
        if account["failed_logins"] or account["locked_until"]:
            with funnel.unaudited(db, ACCOUNTS):
                store.set_user_fields(db, account["id"], failed_logins=0, locked_until=None)
        return User(account["name"], account["role"])
    with funnel.unaudited(db, ACCOUNTS):
        # Read again under the write lock, so failures made at the same time all count.
        account = store.user_by_key(db, key) or account
        locked = _locked(account, now)
        failures = account["failed_logins"] + (0 if locked else 1)
        fields = {"failed_logins": failures}
        if failures >= FREE_ATTEMPTS and not locked:
            seconds = min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** (failures - FREE_ATTEMPTS))
            fields["locked_until"] = (now + dt.timedelta(seconds=seconds)).isoformat()
        store.set_user_fields(db, account["id"], **fields)
        return None


def _locked(account: dict, now: dt.datetime) -> bool:
    return bool(account["locked_until"]) and dt.datetime.fromisoformat(account["locked_until"]) > now


def locked_for(db, name: str, *, now: dt.datetime | None = None) -> int:
    """Seconds until ``name`` may try again (0 when not locked or unknown)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    account = store.user_by_key(db, name_key(name or ""))
    if not account or not _locked(account, now):
        return 0
    return max(0, int((dt.datetime.fromisoformat(account["locked_until"]) - now).total_seconds() + 0.999))


def change_password(db, name: str, old: str, new: str) -> None:
    """A user changes their own password (the old one must be right). The audit row
    (action ``password``) says that it changed, never what to."""
    if authenticate(db, name, old) is None:
        raise ValidationError("old_password", N_("is not right"))
    with funnel.change(db, name, role="viewer") as change:
        account = store.user_by_key(db, name_key(name))
        before = funnel.existing(db, "account", account["id"])
        store.set_user_fields(db, account["id"], password_hash=hash_password(_check_password(new)))
        change.record("password", "account", account["id"], before)


def set_disabled(db, name: str, disabled: bool, *, author: str | None) -> None:
    """An admin disables (or enables again) an account; the last active admin stays."""
    _set_account(db, name, author, disabled=int(bool(disabled)))


def set_role(db, name: str, role: str, *, author: str | None) -> None:
    """An admin gives an account another role; the last active admin stays one."""
    _set_account(db, name, author, role=check_choice("role", role, ROLES))


def _set_account(db, name: str, author: str | None, **fields) -> None:
    with funnel.change(db, author, role="admin") as change:
        account = store.user_by_key(db, name_key(name or ""))
        if account is None:
            raise ValidationError("name", N_("no account named {name!r}"), name=name)
        before = funnel.existing(db, "account", account["id"])
        store.set_user_fields(db, account["id"], **fields)
        change.record("update", "account", account["id"], before)
        # Checked after the change, inside the transaction: nobody could manage accounts any more.
        if not any(u["role"] == "admin" and not u["disabled"] for u in store.list_users(db)):
            raise ValidationError("name", N_("at least one active admin must remain"))


def users(db) -> list[dict]:
    """Every account without its password hash: id, name, role, disabled, failed_logins, created_at."""
    return store.list_users(db)


@dataclass(frozen=True)
class Remembered:
    """A remembered sign-in as the browser keeps it: the token (the cookie's value)
    and how many seconds the cookie may live."""

    token: str
    max_age: int


def remember_hours() -> float:
    """How long a browser stays signed in: ``$CRM_REMEMBER_HOURS`` (hours, 0 = never
    remembered), else ``REMEMBER_HOURS``. Raises ``ValueError`` with a sentence
    naming the setting when it is not a number of hours."""
    text = os.environ.get("CRM_REMEMBER_HOURS", "").strip()
    try:
        hours = float(text) if text else REMEMBER_HOURS
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 * 366:
        raise ValueError(f"CRM_REMEMBER_HOURS must be a number of hours from 0 to {24 * 366}, not {text!r}")
    return hours


def _digest(token: str) -> str:
    # The token is 256 random bits: a fast hash suffices, nobody can guess it back.
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def remember(db, *, user: User | None = None, author: str | None = None,
             now: dt.datetime | None = None) -> Remembered | None:
    """A new remembered sign-in for the account ``user`` or, in open mode, the typed
    ``author`` name: a random token for the browser's cookie, valid
    ``remember_hours()``. Only its digest is stored. Returns None when remembering
    is off, or for an author once accounts exist or a name that is empty."""
    hours = remember_hours()
    now = now or dt.datetime.now(dt.timezone.utc)
    account = store.user_by_key(db, name_key(user.name)) if user is not None else None
    author = None if user is not None or accounts_exist(db) else (author or "").strip()[:100] or None
    if hours == 0 or (account is None and author is None):
        return None
    token = secrets.token_urlsafe(32)
    with funnel.unaudited(db, ACCOUNTS):
        store.delete_expired_sign_ins(db, _utc(now))
        store.insert_remembered_sign_in(db, _digest(token), account["id"] if account else None, author,
                                        _utc(now), _utc(now + dt.timedelta(hours=hours)))
    return Remembered(token, int(hours * 3600))


def recall(db, token: str | None, *, now: dt.datetime | None = None) -> User | str | None:
    """Who the remembered ``token`` signs in: the account's ``User`` with its role as
    it is now, or (in open mode) the author name typed; None when the token is
    unknown, revoked or expired, the account is disabled, or an author's token
    meets a database that has accounts now. Writes nothing."""
    found = store.remembered_sign_in(db, _digest(token)) if token else None
    if found is None or found["expires_at"] <= _utc(now):
        return None
    if found["user_id"] is None:
        return None if accounts_exist(db) else found["author"]
    return None if found["disabled"] else User(found["name"], found["role"])


def forget(db, token: str | None) -> None:
    """Revoke the remembered sign-in ``token`` (signing out); nothing when there is none."""
    if token:
        with funnel.unaudited(db, ACCOUNTS):
            store.delete_remembered_sign_in(db, _digest(token))
