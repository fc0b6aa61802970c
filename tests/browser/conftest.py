"""Real-browser tests: a real ``streamlit run app.py`` driven by Debian's Chromium.

* Every test here is skipped (with the reason) when ``/usr/bin/chromium`` is
  missing; ``.ci/run`` installs it with apt. Browsers are never downloaded.
* ``fresh_server`` starts a new server for one test (nothing has run a page
  on it yet: only the health endpoint was asked); ``server`` is one server
  shared by the tests of a module.
* Both serve a fresh copy of the demo database (``fixtures.demo_database``,
  fixed anchor day, so names and figures are stable) through ``CRM_DB``.
  ``fresh_team_server`` is ``fresh_server`` with the accounts of ``TEAM`` in
  that copy before the server starts, so every page asks for a login.
  ``fresh_proxied_server`` is that server set to trust ``PROXY_HEADER`` (single
  sign-on behind a reverse proxy: ``fixtures.PROXY_HEADER``), as ``CRM_TRUSTED_HEADER`` configures it.
* Every wait is bounded: the server must answer within ``SERVER_START_S``;
  page waits use ``WAIT_MS``. Streamlit renders asynchronously, so tests wait
  for text, never sleep.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import fixtures
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_START_S = 60
WAIT_MS = 30_000
# name: (role, password) of the accounts ``fresh_team_server`` creates
TEAM = {"Ada Admin": ("admin", "ada-pass-7f3k2q"), "Vera Viewer": ("viewer", "vera-pass-9x4m1z")}

_SKIP_REASON = None
if not CHROMIUM.exists():
    _SKIP_REASON = (f"browser tests need Debian's Chromium at {CHROMIUM} "
                    "(`.ci/run` installs it with apt; browsers are never downloaded)")
else:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - requirements.txt pins it
        _SKIP_REASON = "browser tests need the playwright package (requirements.txt)"


def pytest_collection_modifyitems(config, items):
    """Skip every test of this folder (and only this folder) without Chromium."""
    if _SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=_SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(marker)


# --- the Streamlit server ----------------------------------------------------------

@dataclass
class Server:
    url: str          # http://127.0.0.1:<port>, no trailing slash
    db: Path | str    # the database it serves (CRM_DB: a file, or a PostgreSQL URL)
    log: Path         # its stdout + stderr

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200 and answer.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """End the server's whole process group: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _start_server(workdir: Path, cache_dir: Path, team: dict | None = None, settings: dict | None = None,
                  db: Path | str | None = None):
    """Start ``streamlit run app.py`` on a fresh demo copy (with the accounts of
    ``team``, the first one an admin, and the environment ``settings``), or on the
    database ``db`` another server serves; return (process, Server)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = db or fixtures.demo_database(workdir / "demo.db", cache_dir)
    if team:
        import crm_core

        with crm_core.connect(db) as conn:
            admin = next(iter(team))
            for name, (role, password) in team.items():
                crm_core.add_user(conn, name, password, role, author=None if name == admin else admin)
    log = workdir / "streamlit.log"
    port = _free_port()
    env = dict(os.environ, CRM_DB=str(db), PYTHONUNBUFFERED="1", **(settings or {}))
    command = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               # the page files may change while tests run: never rerun on edits
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", db=db, log=log)
    deadline = time.monotonic() + SERVER_START_S
    while not _healthy(server.url):
        exited = process.poll() is not None
        if exited or time.monotonic() > deadline:
            _stop(process)
            why = f"exited ({process.returncode})" if exited else f"did not answer in {SERVER_START_S} s"
            pytest.fail(f"streamlit {why}; its log:\n{server.log_tail()}")
        time.sleep(0.25)
    return process, server


def _serve(workdir: Path, cache_dir: Path, team: dict | None = None, settings: dict | None = None):
    process, server = _start_server(workdir, cache_dir, team, settings)
    try:
        yield server
    finally:
        _stop(process)
        # shown by pytest under "Captured stdout teardown" when a test failed
        print(f"--- streamlit log ({server.log}) ---\n{server.log_tail()}")


@pytest.fixture
def fresh_server(tmp_path, tmp_path_factory):
    """A server started for this test only: no page has been requested from it."""
    yield from _serve(tmp_path / "server", tmp_path_factory.getbasetemp())


@pytest.fixture
def fresh_team_server(tmp_path, tmp_path_factory):
    """``fresh_server`` whose database holds the accounts of ``TEAM``."""
    yield from _serve(tmp_path / "server", tmp_path_factory.getbasetemp(), TEAM)


@pytest.fixture
def fresh_proxied_server(tmp_path, tmp_path_factory):
    """``fresh_team_server`` that trusts the header ``fixtures.PROXY_HEADER`` to name the signed-in account."""
    yield from _serve(tmp_path / "server", tmp_path_factory.getbasetemp(), TEAM,
                      {"CRM_TRUSTED_HEADER": fixtures.PROXY_HEADER})


@pytest.fixture
def two_servers(tmp_path, tmp_path_factory):
    """Two servers on one database (a fresh demo copy), as a team runs several app servers
    behind a proxy on one PostgreSQL database (in the SQLite run, on one file)."""
    first, one = _start_server(tmp_path / "one", tmp_path_factory.getbasetemp())
    try:
        second, two = _start_server(tmp_path / "two", tmp_path_factory.getbasetemp(), db=one.db)
        try:
            yield one, two
        finally:
            _stop(second)
            print(f"--- second streamlit log ({two.log}) ---\n{two.log_tail()}")
    finally:
        _stop(first)
        print(f"--- first streamlit log ({one.log}) ---\n{one.log_tail()}")


@pytest.fixture
def team() -> dict:
    """The accounts of ``fresh_team_server``: name -> (role, password)."""
    return TEAM


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server shared by the tests of a module (they must not depend on a cold start)."""
    yield from _serve(tmp_path_factory.mktemp("server"), tmp_path_factory.getbasetemp())


# --- the browser ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if _SKIP_REASON is not None:
        pytest.skip(_SKIP_REASON)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    """``new_page()`` opens a page in a new browser context (no shared cookies or storage);
    ``new_page(headers)`` sends ``headers`` with every request, as a reverse proxy would."""
    contexts = []

    def open_page(headers: dict | None = None):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, extra_http_headers=headers)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_portfolio(tmp_path, tmp_path_factory):
    """``crm_core.portfolio`` of the demo database the servers serve."""
    import crm_core

    db = fixtures.demo_database(tmp_path / "portfolio.db", tmp_path_factory.getbasetemp())
    with crm_core.connect(db) as conn:
        return crm_core.portfolio(conn, today=fixtures.TODAY)
