"""The storage door is the only one: outside ``crm_core/storage`` no module imports
the database's libraries (type hints included) or holds SQL text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STORAGE = ROOT / "crm_core" / "storage"
DATABASE_LIBRARIES = ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool")
# The start of a statement: a keyword in capitals followed by what only SQL puts after it.
SQL_STATEMENT = re.compile(
    r"\b(SELECT\s.+?\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s"
    r"|CREATE\s+(TEMP\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s|DROP\s+(TABLE|INDEX)\s|PRAGMA\s+\w+)", re.DOTALL)


def modules_outside_storage() -> list[Path]:
    """Every Python file of the product outside the storage package: crm_core, pages, app.py."""
    found = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "crm_core").rglob("*.py")]
    return sorted(path for path in found if STORAGE not in path.parents)


def imported_modules(tree: ast.AST) -> set[str]:
    """The top-level names of the modules ``tree`` imports, anywhere in it."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def string_texts(tree: ast.AST) -> list[str]:
    """The text of every string literal in ``tree`` (the literal parts of f-strings too)."""
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("path", modules_outside_storage(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_outside_storage_imports_the_database_libraries(path):
    # Every import counts, those only for type hints (under ``if TYPE_CHECKING``) too: the
    # handle's type is storage's own name (``crm_core.storage.Handle``).
    assert not imported_modules(ast.parse(path.read_text(encoding="utf-8"))) & set(DATABASE_LIBRARIES)


@pytest.mark.parametrize("path", modules_outside_storage(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_sql_text_lives_outside_storage(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = [text for text in string_texts(tree) if SQL_STATEMENT.search(text)]
    assert statements == []


def test_only_the_dialects_import_a_database_driver():
    """Within storage too, a driver is its dialect's (and the file tools' for SQLite): the
    other modules hold portable SQL and reach the driver through the handle."""
    allowed = {STORAGE / "dialects" / "sqlite.py": {"sqlite3"}, STORAGE / "files.py": {"sqlite3"},
               STORAGE / "dialects" / "postgresql.py": {"psycopg", "psycopg_pool"}}
    for path in sorted(STORAGE.rglob("*.py")):
        drivers = imported_modules(ast.parse(path.read_text(encoding="utf-8"))) & set(DATABASE_LIBRARIES)
        assert drivers <= allowed.get(path, set()), path


def test_the_sql_pattern_finds_statements_and_leaves_plain_words():
    for statement in ("SELECT COUNT(*) FROM customers", "SELECT id, name FROM users", "SELECT * FROM audit",
                      "INSERT INTO audit (id) VALUES (1)", "UPDATE users SET role = 'admin'",
                      "DELETE FROM opinions", "CREATE TEMP TABLE touched (id INTEGER)", "PRAGMA journal_mode"):
        assert SQL_STATEMENT.search(statement), statement
    for words in ("Select a customer", "SELECT", "Update the stage", "Delete from the list", "DELETE"):
        assert not SQL_STATEMENT.search(words), words
