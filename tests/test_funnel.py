"""Every write goes through the one funnel (``crm_core.funnel``): nothing else
opens a storage transaction, the few writes that leave no audit row are named,
and account changes are audited without their passwords and never undone."""

import ast
import json
from pathlib import Path

import pytest
from fixtures import TODAY

import crm_core
from crm_core import accounts

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "crm_core"
# The writes that change no fact anyone made, so they leave no audit row (see funnel.unaudited).
UNAUDITED = {"accounts.authenticate", "accounts.remember", "accounts.forget", "writes.rebuild_summaries", "demo.load",
             "bench.build"}


def sources() -> dict[str, ast.Module]:
    """Every Python module of the product outside the storage door, parsed, by its dotted name."""
    files = [*CORE.rglob("*.py"), ROOT / "app.py", *(ROOT / "pages").rglob("*.py")]
    return {".".join(f.relative_to(ROOT).with_suffix("").parts): ast.parse(f.read_text(), str(f))
            for f in files if "storage" not in f.relative_to(CORE.parent).parts}


def names_used(tree: ast.Module) -> set[str]:
    """Every name and attribute a module mentions or imports."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.split(".")[-1])
    return found


def test_only_the_funnel_opens_a_storage_transaction():
    opening = {name for name, tree in sources().items() if "transaction" in names_used(tree)}
    assert opening == {"crm_core.funnel"}


def test_no_module_reaches_into_a_writing_modules_private_names():
    """``from .writes import _change`` was how writes bypassed a public funnel."""
    writing = {"writes", "funnel", "roles", "accounts", "service", "promises", "outcomes", "importer"}
    reaching = []
    for name, tree in sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in writing:
                reaching += [f"{name}: {alias.name}" for alias in node.names if alias.name.startswith("_")]
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                  and isinstance(node.value, ast.Name) and node.value.id in writing):
                reaching.append(f"{name}: {node.value.id}.{node.attr}")
    assert reaching == []


def test_only_the_named_writes_leave_no_audit_row():
    calling = set()
    for name, tree in sources().items():
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, ast.Attribute) and node.attr == "unaudited":
                        calling.add(f"{name.removeprefix('crm_core.')}.{function.name}")
    # A subset: the benchmark harness may live outside the product package.
    assert calling - UNAUDITED == set() and {"accounts.authenticate", "writes.rebuild_summaries"} <= calling


def test_account_changes_are_audited_without_passwords_or_hashes(empty_db):
    passwords = ("admin-pass-first", "editor-pass-first", "editor-pass-second")
    with crm_core.connect(empty_db) as db:
        crm_core.add_user(db, "Ada", passwords[0], "admin")
        crm_core.add_user(db, "Eddie", passwords[1], "editor", author="Ada")
        accounts.change_password(db, "eddie", passwords[1], passwords[2])
        accounts.set_role(db, "Eddie", "viewer", author="ada")
        accounts.set_disabled(db, "Eddie", True, author="Ada")
        hashes = [h for (h,) in db.conn.execute("SELECT password_hash FROM users")]
        trail = crm_core.history(db)
    assert list(zip(trail["author"].fillna(""), trail["action"], trail["entity"])) == [
        ("", "create", "account"), ("Ada", "create", "account"), ("Eddie", "password", "account"),
        ("Ada", "update", "account"), ("Ada", "update", "account")]
    assert [json.loads(a)["role"] for a in trail["after"]][-2:] == ["viewer", "viewer"]
    assert json.loads(trail["after"].iloc[-1])["disabled"] == 1
    text = trail.to_json()
    for secret in (*passwords, *hashes, "scrypt", "password_hash"):
        assert secret not in text


def test_undo_never_takes_back_an_account_change(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        opinion = crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Ada", today=TODAY)
        crm_core.add_user(db, "Vera", "viewer-pass-1", "viewer", author="Ada")
        undone = crm_core.undo(db, "Ada")
        assert [(r["entity"], r["entity_id"]) for r in undone] == [("opinion", opinion)]
        assert accounts.active_user(db, "Vera") == crm_core.User("Vera", "viewer")
        with pytest.raises(crm_core.ValidationError, match="nothing of yours"):
            crm_core.undo(db, "Ada")


def test_the_author_is_resolved_to_one_person_whatever_the_spelling(story_db):
    with crm_core.connect(story_db) as db:
        assert crm_core.resolve_author(db, "  open mode  ") == "open mode"
        assert crm_core.resolve_author(db, "   ") is None
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        crm_core.add_user(db, "Eddie Editor", "editor-pass-1", "editor", author="Ada")
        assert [crm_core.resolve_author(db, n) for n in ("eddie  editor", " EDDIE EDITOR", "Eddie Editor")] == \
            ["Eddie Editor"] * 3
        assert crm_core.resolve_author(db, "Nobody") is None and crm_core.resolve_author(db, None) is None
        opinion = crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="eddie editor", today=TODAY)
        assert crm_core.journey(db, 2).opinions.set_index("id").loc[opinion, "author"] == "Eddie Editor"
        undone = crm_core.undo(db, "Eddie Editor")
        assert [(r["entity"], r["entity_id"], r["author"]) for r in undone] == [("opinion", opinion, "Eddie Editor")]
        accounts.set_disabled(db, "Eddie Editor", True, author="Ada")
        assert crm_core.resolve_author(db, "eddie editor") is None
