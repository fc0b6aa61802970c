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
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os

from . import funnel
from .i18n import N_
from .roles import ROLES, AccessDenied, User, accounts_exist, active_user, require  # noqa: F401  (re-exported)
from .storage import users as store
from .validation import ValidationError, check_choice, check_text, name_key

FREE_ATTEMPTS = 3
LOCK_SECONDS = 2
MAX_LOCK_SECONDS = 300
MIN_PASSWORD = 8
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


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
            with funnel.unaudited(db):
                store.set_user_fields(db, account["id"], failed_logins=0, locked_until=None)
        return User(account["name"], account["role"])
    with funnel.unaudited(db):
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
