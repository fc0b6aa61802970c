"""Rules about the code itself that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_modules_import_shared_helpers_from_fixtures_only():
    offenders = []
    for module in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{module.relative_to(TESTS)} imports {name}" for name in names
                          if name.split(".")[0].startswith(("test_", "conftest"))]
    assert offenders == []
