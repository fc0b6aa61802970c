import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fixtures  # noqa: E402


@pytest.fixture
def empty_db(tmp_path):
    return fixtures.empty_database(tmp_path / "empty.db")


@pytest.fixture
def demo_db(tmp_path, tmp_path_factory):
    return fixtures.demo_database(tmp_path / "demo.db", tmp_path_factory.getbasetemp())


@pytest.fixture
def story_db(tmp_path):
    return fixtures.story_database(tmp_path / "story.db")
