import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fixtures  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def postgresql_cluster():
    """On PostgreSQL (``CRM_TEST_BACKEND=postgresql``): the session's throwaway server."""
    if not fixtures.ON_POSTGRESQL:
        yield None
        return
    fixtures.CLUSTER = fixtures.Cluster().start()
    yield fixtures.CLUSTER
    fixtures.CLUSTER.stop()


@pytest.fixture(autouse=True)
def _close_postgresql_pools():
    """Each test's databases are its own: their pooled connections go with it."""
    yield
    if fixtures.ON_POSTGRESQL:
        from crm_core.storage.dialects import postgresql

        postgresql.close_all()


@pytest.fixture
def empty_db(tmp_path):
    return fixtures.empty_database(tmp_path / "empty.db")


@pytest.fixture
def demo_db(tmp_path, tmp_path_factory):
    return fixtures.demo_database(tmp_path / "demo.db", tmp_path_factory.getbasetemp())


@pytest.fixture
def story_db(tmp_path):
    return fixtures.story_database(tmp_path / "story.db")


@pytest.fixture
def locked_db(story_db):
    return fixtures.locked_database(story_db)


@pytest.fixture
def outcomes_db(story_db):
    return fixtures.outcomes_database(story_db)


@pytest.fixture
def open_page(monkeypatch):
    """``open_page("pages/1_Customer_journey.py", db, customer="1")``: run a page file
    (path from the repository root) with Streamlit's AppTest on the database ``db``
    with those query parameters; returns the AppTest after its first run. Caches are
    cleared first, so each test sees its own database."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()

    def run(page_file: str, db, **params):
        monkeypatch.setenv("CRM_DB", str(db))
        page = AppTest.from_file(str(ROOT / page_file), default_timeout=60)
        for key, value in params.items():
            page.query_params[key] = value
        return page.run()

    return run


@pytest.fixture
def chart_data():
    """``chart_data(element)``: the rows an Altair chart drawn by a page plots (its first
    dataset), from an AppTest element such as ``page.get("vega_lite_chart")[0]``."""
    import pyarrow as pa

    def rows(element):
        # Streamlit ships a chart's data as an Arrow IPC stream (the public Arrow format).
        return pa.ipc.open_stream(element.proto.datasets[0].data.data).read_pandas()

    return rows


@pytest.fixture
def capture_db(tmp_path):
    return fixtures.capture_database(tmp_path / "capture.db")


@pytest.fixture
def deferred_downloads(monkeypatch):
    """The callables the pages hand to Streamlit for a download made on click, by file name."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found = {}
    add = MediaFileManager.add_deferred

    def record(self, callable_, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = callable_
        return add(self, callable_, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found
