"""Page views the way users feel them: a real ``streamlit run`` driven by headless
Chromium, run by ``make bench-browser`` (and so by ``make bench``); pytest does not
collect this file.

For every page of ``pages.common.PAGES`` (journey and log open one customer from the
middle of the portfolio) it prints the time to idle (navigation start until the app's
script state is ``notRunning`` with the page's title drawn), the server CPU (user+sys of
the Streamlit process, all its threads, to the nanosecond: it runs as
``clocked_streamlit.py``, which answers ``time.process_time()`` on a socket) and the browser CPU
(user+sys of every Chromium process this script started, from ``/proc``; not CDP) of

* a first visit right after the server started (a fresh server per page),
* a warm reload (nothing changed),
* a reload right after another process saved one response (``python -c`` calling
  ``crm_core.log_response`` on the same database, to another customer);

the last two are each the mean of ``--repeat`` views per run;

then 1, 5 and 10 sessions (browser contexts) opening the overview, then the journey of
that customer, together right after a save (p50, p95 of their times to idle), spread in
turn over ``--servers`` servers on the same database (what several processes behind a
sticky proxy buy); then the servers' memory (RSS) idle after start, with the 10 journey sessions open, and
``--settle`` seconds after they closed. CPU is read before the navigation and
1 s after idle, so the drawing that follows the last message is counted.

A bare Streamlit page (one title, one line) runs through the same steps in the same run
(with the repository's ``.streamlit/config.toml``) and every figure is also printed as a
ratio to it (``×bare``), beside the load average at the start and end: on a shared
machine read the ratios, not the seconds. Each figure is the median of ``--runs`` runs
(the bare page and the app alternate within a run). The database given is copied first:
the harness saves responses, and the bench database must keep its counts.

    .venv/bin/python tests/benchmarks/browser_bench.py [--db data/bench.db] [--runs 3]
        [--pages overview,journey] [--servers 2] [--repeat 3] [--quick]

``--quick`` is a smoke run (one run, one server for all pages, 1 and 2 sessions, short
settle): its figures are not comparable. Every wait is bounded (``--timeout``); servers
run in their own process group and are stopped (SIGTERM, then SIGKILL) in ``finally``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import streamlit.logger  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

# pages.common (for page_url) is imported outside a script run: Streamlit's warnings about that are noise
streamlit.logger.set_log_level("error")

import crm_core  # noqa: E402
from browser.conftest import CHROMIUM, CHROMIUM_ARGS, SERVER_START_S, _free_port, _healthy, _stop  # noqa: E402
from crm_core.storage import describe, transfer  # noqa: E402
from crm_core.storage.dialects import is_url  # noqa: E402
from crm_core.catalogue import CHECKLIST  # noqa: E402
from pages.common import PAGES, page_url  # noqa: E402

CLOCKED_STREAMLIT = Path(__file__).with_name("clocked_streamlit.py")
BARE = "bare page"
BARE_SCRIPT = 'import streamlit as st\n\nst.title("Bare page")\nst.write("One line of text.")\n'
VIEWS = {"first": "first visit", "warm": "warm reload", "save": "after a save"}
FIGURES = {"idle": "idle s", "server": "server CPU s", "browser": "browser CPU s"}
SESSION_PAGES = ("overview", "journey")
POLL_MS = 25    # how often the page is asked whether it is idle (the resolution of time to idle)
TICKS = os.sysconf("SC_CLK_TCK")
# True once a run finished: the page's title is drawn and the script is not running.
IDLE_JS = ("() => !!document.querySelector('h1') && !!document.querySelector("
           "'[data-testid=\"stApp\"][data-test-script-state=\"notRunning\"]')")
SAVE = """
import datetime, sys
import crm_core
path, customer, stage, item, summary = sys.argv[1:]
with crm_core.connect(path) as db:
    crm_core.log_response(db, int(customer), stage, datetime.date.today(), "phone", [item], 4, 3, summary)
"""


@dataclass(frozen=True)
class Settings:
    """How ``measure`` runs: from the command line (``main``)."""

    runs: int
    pages: list[str]
    levels: tuple[int, ...]
    settle_s: float
    after_idle_s: float     # CPU is read this long after idle: the drawing after the last message counts
    timeout_ms: int
    server_per_page: bool
    servers: int = 1        # servers on the same database the sessions are spread over (sticky: one each)
    repeat: int = 1         # warm reloads and reloads after a save averaged into one figure per run


# --- processes: CPU and memory from /proc ----------------------------------------------

def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_s(pids: list[int]) -> float:
    """User+sys seconds of ``pids``, their reaped children included (utime, stime, cutime, cstime)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` in MB."""
    total_kb = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def chromium_pids() -> list[int]:
    """Every Chromium process started by this script (through Playwright's driver)."""
    binary = os.path.realpath("/usr/lib/chromium")
    ours = []
    for pid in _tree(os.getpid()):
        with contextlib.suppress(OSError):
            if os.path.realpath(f"/proc/{pid}/exe").startswith(binary + os.sep):
                ours.append(pid)
    return ours


# --- the server and the colleague's save ------------------------------------------------

@dataclass(frozen=True)
class Server:
    """A running server: its loopback URL (no trailing slash), process id and the socket its CPU
    clock answers on (``clocked_streamlit.py``)."""

    url: str
    pid: int
    clock: Path

    def cpu_s(self) -> float:
        """The server's CPU seconds so far (user+sys, every thread, nanosecond resolution)."""
        with socket.socket(socket.AF_UNIX) as asking:
            asking.settimeout(SERVER_START_S)
            asking.connect(str(self.clock))
            return float(asking.makefile().read())

    def rss_mb(self) -> float:
        return rss_mb(_tree(self.pid))


@contextlib.contextmanager
def serving(script: Path, db: Path, logs: Path):
    """A ``streamlit run script`` on a free loopback port serving ``db``, with its CPU clock
    (``clocked_streamlit.py``) on a socket in ``logs``; stopped on exit."""
    port = _free_port()
    clock = logs / f"cpu-{port}.sock"
    command = [sys.executable, str(CLOCKED_STREAMLIT), str(clock), "run", str(script),
               "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    log = logs / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ, CRM_DB=str(db), PYTHONUNBUFFERED="1"),
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; {log}:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield Server(url, process.pid, clock)
    finally:
        _stop(process)


class Colleague:
    """Saves one response at a time from another process, to customers other than ``skip`` in turn."""

    def __init__(self, db: Path, skip: int):
        self.db = db
        with crm_core.connect(db) as conn:
            table = crm_core.portfolio(conn)[["customer_id", "stage"]]
        self.customers = [(int(c), str(s)) for c, s in table.itertuples(index=False) if c != skip]
        self.turn = 0

    def save(self) -> None:
        customer, stage = self.customers[self.turn % len(self.customers)]
        self.turn += 1
        item = next(item.key for item in CHECKLIST if item.stage == stage)
        subprocess.run([sys.executable, "-c", SAVE, str(self.db), str(customer), stage, item,
                        f"Browser bench colleague call {self.turn} at {time.time():.3f}"],
                       cwd=ROOT, check=True, timeout=120, capture_output=True)


def middle_customer(db: Path) -> int:
    """A customer from the middle of the portfolio (by id)."""
    with crm_core.connect(db) as conn:
        ids = sorted(int(c) for c in crm_core.portfolio(conn)["customer_id"])
    return ids[len(ids) // 2]


# --- one view in the browser ------------------------------------------------------------

async def until_idle(page, timeout_ms: int) -> None:
    """Wait (at most ``timeout_ms``) until ``page`` has drawn its title and its script is not running."""
    await page.wait_for_function(IDLE_JS, polling=POLL_MS, timeout=timeout_ms)


async def timed_view(page, server: Server, navigate, settings: Settings) -> dict[str, float]:
    """Run ``navigate()`` (a goto or reload) on ``page``; return its figures (``FIGURES``)
    and ``error`` (1 when the page shows an exception)."""
    browser_before, server_before = cpu_s(chromium_pids()), server.cpu_s()
    started = time.perf_counter()
    await navigate()
    await until_idle(page, settings.timeout_ms)
    idle = time.perf_counter() - started
    await asyncio.sleep(settings.after_idle_s)
    figures = {"idle": idle, "server": server.cpu_s() - server_before,
               "browser": cpu_s(chromium_pids()) - browser_before}
    figures["error"] = float(await page.get_by_test_id("stException").count() > 0)
    return figures


async def new_page(browser, timeout_ms: int):
    """(context, page): a page in a new browser context (a session of its own)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(timeout_ms)
    return context, await context.new_page()


async def three_views(browser, server: Server, path: str, colleague: Colleague, settings: Settings) -> dict:
    """{view: figures} of the first visit, warm reload and reload after a save of ``path``; the
    last two are the mean of ``settings.repeat`` views each."""
    context, page = await new_page(browser, settings.timeout_ms)
    try:
        reload = lambda: page.reload(wait_until="commit")  # noqa: E731
        views = {"first": await timed_view(page, server, lambda: page.goto(server.url + path, wait_until="commit"),
                                           settings)}
        views["warm"] = mean_figures([await timed_view(page, server, reload, settings)
                                      for _ in range(settings.repeat)])
        saved = []
        for _ in range(settings.repeat):
            colleague.save()
            saved.append(await timed_view(page, server, reload, settings))
        views["save"] = mean_figures(saved)
        return views
    finally:
        await context.close()


def mean_figures(views: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each figure of ``views`` (``error``: 1 when any of them showed one)."""
    return {name: (max if name == "error" else statistics.fmean)([view[name] for view in views]) for name in views[0]}


async def sessions(browser, servers: list[Server], path: str, count: int, colleague: Colleague, timeout_ms: int):
    """Times to idle of ``count`` sessions opening ``path`` together right after a save,
    session ``i`` on ``servers[i % len(servers)]`` (as a sticky proxy spreads them), and
    their contexts (still open: the caller closes them)."""
    opened = [await new_page(browser, timeout_ms) for _ in range(count)]
    colleague.save()

    async def one(page, server: Server) -> float:
        started = time.perf_counter()
        await page.goto(server.url + path, wait_until="commit")
        await until_idle(page, timeout_ms)
        return time.perf_counter() - started

    try:
        times = await asyncio.gather(*(one(page, servers[i % len(servers)]) for i, (_, page) in enumerate(opened)))
    except BaseException:
        await asyncio.gather(*(context.close() for context, _ in opened), return_exceptions=True)
        raise
    return list(times), [context for context, _ in opened]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0..1) quantile of ``values``, interpolated between the nearest two."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- one run of one target (the bare page or the app) ------------------------------------

async def run_target(browser, script: Path, paths: dict[str, str], session_paths: dict[str, str], db: Path,
                     colleague: Colleague, settings: Settings, logs: Path) -> dict:
    """One run: {"views": {page: {view: figures}}, "sessions": {(page, count): (p50, p95)},
    "memory": {"idle"|"open"|"closed": MB}}."""
    result = {"views": {}, "sessions": {}, "memory": {}}
    timeout = settings.timeout_ms
    with contextlib.ExitStack() as shared:
        server = None if settings.server_per_page else shared.enter_context(serving(script, db, logs))
        for page, path in paths.items():
            with contextlib.ExitStack() as own:
                here = server or own.enter_context(serving(script, db, logs))
                result["views"][page] = await three_views(browser, here, path, colleague, settings)
    with contextlib.ExitStack() as running:
        servers = [running.enter_context(serving(script, db, logs)) for _ in range(settings.servers)]
        memory = lambda: sum(server.rss_mb() for server in servers)  # noqa: E731
        result["memory"]["idle"] = memory()
        contexts = []
        try:
            for count in settings.levels:
                for page, path in session_paths.items():
                    await asyncio.gather(*(context.close() for context in contexts))
                    times, contexts = await sessions(browser, servers, path, count, colleague, timeout)
                    result["sessions"][page, count] = (percentile(times, 0.5), percentile(times, 0.95))
            result["memory"]["open"] = memory()
        finally:
            await asyncio.gather(*(context.close() for context in contexts), return_exceptions=True)
        await asyncio.sleep(settings.settle_s)
        result["memory"]["closed"] = memory()
    return result


# --- the report ----------------------------------------------------------------------------

def _median(runs: list[dict], *keys) -> float:
    """The median over ``runs`` of ``run[keys[0]][keys[1]]...``."""
    values = []
    for run in runs:
        for key in keys:
            run = run[key]
        values.append(run)
    return statistics.median(values)


def _cell(value: float, bare: float, digits: int = 2) -> str:
    ratio = f"{value / bare:.1f}×" if bare > 0 else "–"
    return f"{value:.{digits}f} ({ratio})"


def report(bare: list[dict], app: list[dict], settings: Settings, out) -> None:
    """Print the three tables: views, sessions, memory; every cell ``value (×bare)``."""
    header = [f"{VIEWS[view]}: {FIGURES[figure]} (×bare)" for view in VIEWS for figure in FIGURES]
    print("| page | " + " | ".join(header) + " |", file=out)
    print("|---" * (len(header) + 1) + "|", file=out)
    for name, runs, page in [(BARE, bare, BARE)] + [(page, app, page) for page in settings.pages]:
        cells = [_cell(_median(runs, "views", page, view, figure), _median(bare, "views", BARE, view, figure), 3)
                 for view in VIEWS for figure in FIGURES]
        errors = sum(run["views"][page][view]["error"] for run in runs for view in VIEWS)
        print(f"| {name}{' (EXCEPTION shown)' if errors else ''} | " + " | ".join(cells) + " |", file=out)
    print(file=out)
    on = f" (on {settings.servers} servers, each session on one in turn)" if settings.servers > 1 else ""
    print(f"| sessions together after a save{on} | page | p50 idle s (×bare) | p95 idle s (×bare) "
          "| p50 ×1 session | p95 ×1 session |", file=out)
    print("|---|---|---|---|---|---|", file=out)
    first = settings.levels[0]
    for count in settings.levels:
        for name, runs, page in [(BARE, bare, BARE)] + [(page, app, page) for page in SESSION_PAGES]:
            p50, p95 = (_median_of(runs, page, count, i) for i in (0, 1))
            b50, b95 = (_median_of(bare, BARE, count, i) for i in (0, 1))
            one50, one95 = (_median_of(runs, page, first, i) for i in (0, 1))
            print(f"| {count} | {name} | {_cell(p50, b50)} | {_cell(p95, b95)} | {p50 / one50:.1f}× "
                  f"| {p95 / one95:.1f}× |", file=out)
    print(file=out)
    last = settings.levels[-1]
    print(f"| server RSS MB (×bare{', all servers' if settings.servers > 1 else ''}) | idle after start "
          f"| {last} sessions open "
          f"| {settings.settle_s:g} s after they closed |", file=out)
    print("|---|---|---|---|", file=out)
    for name, runs in ((BARE, bare), ("app", app)):
        cells = [_cell(_median(runs, "memory", key), _median(bare, "memory", key), 0)
                 for key in ("idle", "open", "closed")]
        print(f"| {name} | " + " | ".join(cells) + " |", file=out)


def _median_of(runs: list[dict], page: str, count: int, index: int) -> float:
    """The median over ``runs`` of the p50 (``index`` 0) or p95 (1) of ``count`` sessions on ``page``."""
    return statistics.median(run["sessions"][page, count][index] for run in runs)


def _load() -> str:
    """The load average, e.g. ``3.1/2.5/2.0 (1/5/15 min) on 2 cores``."""
    return "/".join(f"{value:.1f}" for value in os.getloadavg()) + f" (1/5/15 min) on {os.cpu_count()} cores"


async def measure(db: Path | str, settings: Settings, out) -> None:
    """Run the bare page and the app ``settings.runs`` times on a copy of ``db``; print the report."""
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as work, \
            transfer.scratch_copy(db, Path(work)) as copy:
        work = Path(work)
        bare_script = work / "bare_page.py"
        bare_script.write_text(BARE_SCRIPT)
        customer = middle_customer(copy)
        colleague = Colleague(copy, skip=customer)
        paths = {page: page_url(page, customer=customer if page in ("journey", "log") else None)
                 for page in settings.pages}
        session_paths = {page: page_url(page, customer=customer if page == "journey" else None)
                         for page in SESSION_PAGES}
        print(f"Browser benchmark on {describe(db)} ({len(colleague.customers) + 1:,} customers; journey and log of "
              f"customer {customer}), median of {settings.runs} run(s), a warm reload and a reload after a save "
              f"each the mean of {settings.repeat} per run; load average at start: {_load()}",
              file=out, flush=True)
        bare, app = [], []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                       args=CHROMIUM_ARGS)
            try:
                for number in range(1, settings.runs + 1):
                    bare.append(await run_target(browser, bare_script, {BARE: "/"}, {BARE: "/"}, copy, colleague,
                                                 settings, work))
                    app.append(await run_target(browser, ROOT / "app.py", paths, session_paths, copy, colleague,
                                                settings, work))
                    print(f"run {number} of {settings.runs} done; load average {_load()}", file=out, flush=True)
            finally:
                await browser.close()
        print(f"\nTime to idle: navigation start until the title is drawn and the script is not running. "
              f"Server CPU: user+sys of the Streamlit process and children (/proc/<pid>/stat); browser CPU: "
              f"user+sys of all Chromium processes (/proc), both read before the navigation and "
              f"{settings.after_idle_s:g} s after idle. A save: another process logs one response to another "
              f"customer just before. "
              f"{'One server for all pages (--quick). ' if not settings.server_per_page else ''}"
              f"Sessions: browser contexts opening the page together.\n", file=out)
        report(bare, app, settings, out)
        print(f"\nload average at the end: {_load()}", file=out)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line (``argv``, default ``sys.argv``) and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(ROOT / "data" / "bench.db"),
                        help="database to copy and serve: a file or a PostgreSQL URL")
    parser.add_argument("--runs", type=int, default=3, help="runs; each figure is their median")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated subset of {', '.join(PAGES)} "
                        "(the sessions part always opens overview and journey)")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds to wait after the sessions close")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds any one wait may take")
    parser.add_argument("--servers", type=int, default=1,
                        help="servers on the same database for the sessions part, each session on one in turn, "
                             "as behind a sticky proxy (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="warm reloads and reloads after a save averaged per run (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: one run, one server, one view of each kind, 1 and 2 sessions")
    args = parser.parse_args(argv)
    pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    unknown = [page for page in pages if page not in PAGES]
    if unknown or not pages:
        parser.error(f"unknown pages {unknown}; choose from {', '.join(PAGES)}")
    if not CHROMIUM.exists():
        sys.exit(f"the browser benchmark needs Chromium at {CHROMIUM} (browsers are never downloaded)")
    if not is_url(args.db) and not Path(args.db).is_file():
        sys.exit(f"there is no database at {args.db} (make bench builds data/bench.db)")
    settings = Settings(runs=1 if args.quick else max(1, args.runs), pages=pages,
                        levels=(1, 2) if args.quick else (1, 5, 10), settle_s=1.0 if args.quick else args.settle,
                        after_idle_s=0.2 if args.quick else 1.0,
                        timeout_ms=int(args.timeout * 1000), server_per_page=not args.quick,
                        servers=max(1, args.servers), repeat=1 if args.quick else max(1, args.repeat))
    # SIGTERM (a killed make) ends through the finally blocks, which stop servers and the browser
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(measure(args.db, settings, sys.stdout))


if __name__ == "__main__":
    main()
