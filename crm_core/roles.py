"""Who is making a change, and whether their role allows it.

* Roles: ``viewer`` reads; ``editor`` also writes data; ``admin`` also manages
  users, targets and checklist items.
* With no account in the database the product runs open (the local demo):
  anyone may read and write, and the author of a change is the name they typed.
  As soon as one account exists, every write needs an author whose active
  account's role allows it (``require``).
* The author is resolved once (``resolve_author``) to the name the audit trail
  and undo use: an account's own spelling, so "eddie editor" and "Eddie Editor"
  are one person.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_
from .storage import users as store
from .validation import MAX_NAME, check_text, name_key

ROLES = ("viewer", "editor", "admin")
CAN_WRITE = ("editor", "admin")


class AccessDenied(PermissionError):
    """The author may not do this (unknown, disabled, or role too low). Like
    ``ValidationError`` it keeps its ``template`` and ``values`` for translation."""

    def __init__(self, template: str, **values):
        self.template = template
        self.values = values
        super().__init__(template.format(**values) if values else template)


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in CAN_WRITE

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def accounts_exist(db) -> bool:
    """True once at least one account exists (then login is required)."""
    return store.count_users(db) > 0


def active_user(db, name: str) -> User | None:
    """The account ``name`` as it is now (its own spelling and current role), or None
    when it was removed or disabled: a signed-in session checks this on every page."""
    account = store.user_by_key(db, name_key(name or ""))
    return None if account is None or account["disabled"] else User(account["name"], account["role"])


def resolve_author(db, name: str | None) -> str | None:
    """The person ``name`` stands for, as changes record them: with accounts, the
    active account's own spelling of its name (None when no active account has
    that name, in any case or spacing); in open mode, the typed text stripped (None
    when blank). Raises ``ValidationError`` (field ``author``) for text no name can be."""
    if not accounts_exist(db):
        return check_text("author", name, limit=MAX_NAME)
    user = active_user(db, name) if isinstance(name, str) else None
    return user.name if user else None


def require(db, author: str | None, role_needed: str = "editor") -> str | None:
    """Refuse (``AccessDenied``) unless ``author`` may act with ``role_needed``.
    Returns the author resolved (``resolve_author``). Open mode allows everything."""
    if not accounts_exist(db):
        return check_text("author", author, limit=MAX_NAME)
    account = store.user_by_key(db, name_key(author)) if isinstance(author, str) and author else None
    if account is None or account["disabled"]:
        raise AccessDenied(N_("sign in with an active account to make changes"))
    allowed = CAN_WRITE if role_needed == "editor" else ROLES if role_needed == "viewer" else ("admin",)
    if account["role"] not in allowed:
        raise AccessDenied(N_("{name} is a {role} and may not do this"), name=account["name"], role=account["role"])
    return account["name"]
