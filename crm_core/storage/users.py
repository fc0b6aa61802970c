"""Statements on accounts (the ``users`` table)."""

from __future__ import annotations


from . import Handle, rows, value

USER_COLUMNS = ("id", "name", "role", "password_hash", "disabled", "failed_logins", "locked_until")


def count_users(db: Handle) -> int:
    return value(db, "SELECT COUNT(*) FROM users")


def user_by_key(db: Handle, name_key: str) -> dict | None:
    found = rows(db, f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE name_key = :key", {"key": name_key})
    return found[0] if found else None


def list_users(db: Handle) -> list[dict]:
    return rows(db, "SELECT id, name, role, disabled, failed_logins, created_at FROM users ORDER BY name")


def insert_user(db: Handle, name: str, name_key: str, role: str, password_hash: str, created_at: str) -> int:
    return db.conn.execute(
        "INSERT INTO users (name, name_key, role, password_hash, created_at)"
        " VALUES (:name, :name_key, :role, :password_hash, :created_at) RETURNING id",
        {"name": name, "name_key": name_key, "role": role, "password_hash": password_hash,
         "created_at": created_at}).fetchall()[0][0]


def set_user_fields(db: Handle, user_id: int, **fields) -> None:
    db.conn.execute(f"UPDATE users SET {', '.join(f'{k} = :{k}' for k in fields)} WHERE id = :user_id",
                    {**fields, "user_id": user_id})


def insert_remembered_sign_in(db: Handle, token_digest: str, user_id: int | None, author: str | None,
                              created_at: str, expires_at: str) -> None:
    db.conn.execute(
        "INSERT INTO remembered_sign_ins (token_digest, user_id, author, created_at, expires_at) "
        "VALUES (:token_digest, :user_id, :author, :created_at, :expires_at)",
        {"token_digest": token_digest, "user_id": user_id, "author": author, "created_at": created_at,
         "expires_at": expires_at})


def remembered_sign_in(db: Handle, token_digest: str) -> dict | None:
    """The remembered sign-in with this digest: its author or account (name, role, disabled) and expiry."""
    found = rows(db, "SELECT s.user_id, s.author, s.expires_at, u.name, u.role, u.disabled "
                     "FROM remembered_sign_ins s LEFT JOIN users u ON u.id = s.user_id "
                     "WHERE s.token_digest = :token_digest", {"token_digest": token_digest})
    return found[0] if found else None


def delete_remembered_sign_in(db: Handle, token_digest: str) -> None:
    db.conn.execute("DELETE FROM remembered_sign_ins WHERE token_digest = :token_digest",
                    {"token_digest": token_digest})


def delete_expired_sign_ins(db: Handle, now: str) -> None:
    db.conn.execute("DELETE FROM remembered_sign_ins WHERE expires_at <= :now", {"now": now})
