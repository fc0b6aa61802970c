"""Server-side run time of every page on the bench database, run by ``make bench``
after ``tests/benchmarks/bench.py`` (pytest does not collect this file).

Each page (``app.py`` and ``pages/[0-9]*.py``) runs with Streamlit's AppTest on
``$CRM_DB`` (default ``data/bench.db``):

* cold — ``st.cache_data``, ``st.cache_resource`` and the kept reads
  (``crm_core.storage.kept``) cleared, a fresh AppTest (a new session), which shares the
  one scan of installed components a server makes once when it starts;
* warm — the same AppTest run again, its reads now cached.

Prints the median and min-max of ``--runs`` runs of each against the targets
(cold ≤ 150 ms, warm ≤ 45 ms). A page that raises is reported, not timed.

    CRM_DB=data/bench.db .venv/bin/python tests/benchmarks/page_times.py [--runs 5]

(Not named ``pages.py``: a module of that name would shadow the ``pages`` folder.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.components.v2.component_manager import BidiComponentManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import crm_core  # noqa: E402
from crm_core.storage import kept  # noqa: E402
import bench  # noqa: E402  (beside this file)

COLD_MS, WARM_MS = 150, 45
PAGES = ["app.py"] + sorted((str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[0-9]*.py")),
                            key=lambda page: int(re.search(r"(\d+)_", page).group(1)))
# Pages that show one customer get one from the middle of the portfolio.
CUSTOMER_PAGES = ("pages/1_Customer_journey.py", "pages/5_Log_response.py")


def _components() -> BidiComponentManager:
    """The registry of installed components, scanned once, as a server does at start."""
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    return components


COMPONENTS = _components()


def _page(page: str, customer: int) -> AppTest:
    app = AppTest.from_file(str(ROOT / page), default_timeout=120)
    # A new AppTest scans every installed package's metadata for components on its first
    # run (100-250 ms here, more than most pages' own work): a server scans once when it
    # starts, not per session, so the cold runs share one scan.
    app._bidi_component_manager = COMPONENTS
    if page in CUSTOMER_PAGES:
        app.query_params["customer"] = str(customer)
    return app


def _timed_run(app: AppTest) -> float:
    started = time.perf_counter()
    app.run()
    elapsed = (time.perf_counter() - started) * 1000
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return elapsed


def time_page(page: str, customer: int, runs: int) -> tuple[list[float], list[float]]:
    """(cold, warm) milliseconds of ``runs`` runs of ``page``."""
    cold, warm = [], []
    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        kept.forget()   # the live rows a process keeps between writes: cold is a process's first view
        app = _page(page, customer)
        cold.append(_timed_run(app))
        warm.append(_timed_run(app))
    return cold, warm


def _cell(times: list[float], target: float) -> str:
    median = statistics.median(times)
    mark = "pass" if median <= target else "FAIL"
    return f"{median:>7.0f} {min(times):>5.0f}–{max(times):<5.0f} {mark}"


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to /dev/null meanwhile: AppTest logs several bare-mode
    warnings per run through handlers that ignore the log level set beforehand, and
    they would bury the table. Failures are reported on stdout instead."""
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per page, cold and warm (default: %(default)s)")
    args = parser.parse_args(argv)
    os.environ.setdefault("CRM_DB", str(bench.DEFAULT_BENCH_PATH))
    path = crm_core.database_location()
    with crm_core.connect(path) as db:
        customers = crm_core.portfolio(db)["customer_id"]
    customer = int(customers.iloc[len(customers) // 2])
    print(f"\nPage run times (AppTest, server side) on {path}, {args.runs} runs each; times in ms")
    print(f"{'page':<36} {'cold: median min–max':>26} {'warm: median min–max':>26}")
    misses = []
    with _quiet_stderr():
        for page in PAGES:
            try:
                cold, warm = time_page(page, customer, args.runs)
            except Exception as error:  # a broken page is reported, the others still timed
                print(f"{page:<36} failed: {error}")
                misses.append(page)
                continue
            print(f"{page:<36} {_cell(cold, COLD_MS):>26} {_cell(warm, WARM_MS):>26}", flush=True)
            if statistics.median(cold) > COLD_MS or statistics.median(warm) > WARM_MS:
                misses.append(page)
    print(f"targets: cold ≤ {COLD_MS} ms, warm ≤ {WARM_MS} ms; "
          + (f"missed by: {', '.join(misses)}" if misses else "every page meets them"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
