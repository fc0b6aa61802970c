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
  sign-on behind a reverse proxy: ``fixtures.PROXY_HEADER``), as ``CRM_TRUSTED_HEADER`` configures it;
  ``signing_proxy`` puts such a proxy in front of a server (a real one: browsers do
  not send extra HTTP headers on the WebSocket handshake, which the app reads).
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
import threading
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
WAIT_MS = fixtures.BROWSER_WAIT_MS
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


# --- the reverse proxy ---------------------------------------------------------------

PROXY_MAX_HEAD = 64 * 1024   # bytes: a longer request head closes the connection


class SigningProxy:
    """A tiny authenticating reverse proxy on a free loopback port in front of ``upstream``
    (a ``Server``): every connection is forwarded to it, and the head of every request
    on it gets ``header: value`` (any copy the client sent is dropped first, as a real
    proxy must: a client could otherwise name anyone). Request bodies (Content-Length),
    the responses and, after an Upgrade request, WebSocket frames pass untouched.

    It exists because browsers do not send Playwright's extra HTTP headers on the
    WebSocket handshake, and that handshake is the request the app reads the signed-in
    person from (``st.context.headers``); a real proxy adds its header there too."""

    def __init__(self, upstream: Server, header: str, value: str):
        host, _, port = upstream.url.removeprefix("http://").rpartition(":")
        self._upstream = (host, int(port))
        self._header = header.encode("ascii")
        self._value = value.encode("latin-1")
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.25)          # accept() wakes up to notice stop()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads = [threading.Thread(target=self._accept, name="proxy-accept", daemon=True)]
        self._threads[0].start()

    def stop(self) -> None:
        """Stop accepting, cut every open connection and wait (bounded) for the threads."""
        self._stopping.set()
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # wakes a thread blocked in recv()
            except OSError:
                pass
        self._threads[0].join(timeout=10)      # then no connection is added any more
        for thread in self._threads[1:]:
            thread.join(timeout=10)
        self._listener.close()
        for sock in open_sockets:
            sock.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self._upstream, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._stopping.is_set():
                    client.close()
                    upstream.close()
                    return
                self._sockets.update((client, upstream))
            pending = [2]   # directions of this connection still forwarding; the last one closes it
            for target, source, sink in ((self._requests, client, upstream), (self._copy, upstream, client)):
                thread = threading.Thread(target=self._direction, args=(target, source, sink, pending), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _direction(self, target, source: socket.socket, sink: socket.socket, pending: list[int]) -> None:
        """Run ``target(source, sink)``; then end ``sink``'s stream, and close both sockets
        once the other direction has ended too."""
        try:
            target(source, sink)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            with self._lock:
                pending[0] -= 1
                last = pending[0] == 0
                if last:
                    self._sockets.difference_update((source, sink))
            if last:
                source.close()
                sink.close()

    @staticmethod
    def _copy(source: socket.socket, sink: socket.socket, data: bytes = b"") -> None:
        while True:
            if data:
                sink.sendall(data)
            data = source.recv(65536)
            if not data:
                return

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        """Forward request after request of a keep-alive connection, each head signed."""
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                if len(data) > PROXY_MAX_HEAD:
                    return
                chunk = client.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, data = data.split(b"\r\n\r\n", 1)
            request_line, *lines = head.split(b"\r\n")
            fields = {}
            kept = []
            for line in lines:
                name, _, field_value = line.partition(b":")
                name = name.strip().lower()
                # X_Forwarded_User too: some servers read an underscore as a dash
                if name.replace(b"_", b"-") != self._header.lower():
                    kept.append(line)
                    fields[name] = field_value.strip()
            if b"transfer-encoding" in fields:     # chunked: browsers do not send it; not worth parsing
                return
            upstream.sendall(b"\r\n".join([request_line, *kept, self._header + b": " + self._value]) + b"\r\n\r\n")
            if b"upgrade" in fields:               # a WebSocket: its frames follow, untouched
                self._copy(client, upstream, data)
                return
            body = int(fields.get(b"content-length", b"0"))
            while body:
                if not data:
                    data = client.recv(min(body, 65536))
                    if not data:
                        return
                part, data = data[:body], data[body:]
                upstream.sendall(part)
                body -= len(part)


@pytest.fixture
def signing_proxy():
    """``signing_proxy(server, name)`` starts a ``SigningProxy`` in front of ``server`` that
    names ``name`` in ``fixtures.PROXY_HEADER`` and returns its URL (``http://127.0.0.1:<port>``,
    no trailing slash). Every proxy started stops at teardown."""
    proxies = []

    def start(server: Server, name: str) -> str:
        proxies.append(SigningProxy(server, fixtures.PROXY_HEADER, name))
        return proxies[-1].url

    yield start
    for proxy in proxies:
        proxy.stop()


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
    """``new_page()`` opens a page in a new browser context (no shared cookies or storage)."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        fixtures.count_runs(page)
        return page

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
