"""Statements on accounts (the ``users`` table)."""

from __future__ import annotations

from sqlite_utils import Database

from . import rows, value

USER_COLUMNS = ("id", "name", "role", "password_hash", "disabled", "failed_logins", "locked_until")


def count_users(db: Database) -> int:
    return value(db, "SELECT COUNT(*) FROM users")


def user_by_key(db: Database, name_key: str) -> dict | None:
    found = rows(db, f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE name_key = :key", {"key": name_key})
    return found[0] if found else None


def list_users(db: Database) -> list[dict]:
    return rows(db, "SELECT id, name, role, disabled, failed_logins, created_at FROM users ORDER BY name")


def insert_user(db: Database, name: str, name_key: str, role: str, password_hash: str, created_at: str) -> int:
    return db.conn.execute(
        "INSERT INTO users (name, name_key, role, password_hash, created_at)"
        " VALUES (:name, :name_key, :role, :password_hash, :created_at) RETURNING id",
        {"name": name, "name_key": name_key, "role": role, "password_hash": password_hash,
         "created_at": created_at}).fetchall()[0][0]


def set_user_fields(db: Database, user_id: int, **fields) -> None:
    db.conn.execute(f"UPDATE users SET {', '.join(f'{k} = :{k}' for k in fields)} WHERE id = :user_id",
                    {**fields, "user_id": user_id})
