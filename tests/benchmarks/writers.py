"""Concurrent writers on each backend: 1 and 8 processes logging responses through
crm_core's own write function (validation, summaries, audit, the change counter), each
writer for its own customers, as managers saving at the same moment.

    .venv/bin/python tests/benchmarks/writers.py [--each 150] [--runs 3] [--postgresql URL]

Prints, per backend and number of writers, the median of ``runs`` runs of writes per
second (all writers' writes over the wall time from the first start to the last end),
the writes lost (logged by a writer but not in the database afterwards), the errors
writers saw, and the speed-up of 8 writers over 1. SQLite runs on a copy of the demo
database; PostgreSQL on ``--postgresql`` (an empty database it may fill), or, by
default, on a throwaway server started like the test suite's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import crm_core  # noqa: E402
import fixtures  # noqa: E402
from crm_core import demo  # noqa: E402
from crm_core.catalogue import CHECKLIST, STAGES  # noqa: E402
from crm_core.storage import transfer  # noqa: E402

TODAY = dt.date(2026, 11, 24)
ANCHOR = dt.date(2026, 11, 20)   # the demo's last day: every customer is in its current stage by then
CONTEXT = multiprocessing.get_context("spawn")   # each writer a fresh process, as another server would be


def _write(location: str, number: int, customers: list[tuple[int, str]], each: int, start, results) -> None:
    """Log ``each`` responses, round the writer's ``customers`` (id, current stage), each
    addressing the first checklist item of that stage; put (ids, errors) on ``results``."""
    ids, errors = [], []
    first_item = {stage: next(item.key for item in CHECKLIST if item.stage == stage) for stage in STAGES}
    start.wait(timeout=120)
    for i in range(each):
        customer, stage = customers[i % len(customers)]
        try:
            with crm_core.connect(location) as db:
                ids.append(crm_core.log_response(
                    db, customer, stage, ANCHOR, "phone", [first_item[stage]],
                    1 + i % 5, 1 + number % 5, f"Writer {number} call {i}", f"writer-{number}", today=TODAY))
        except Exception:
            errors.append(traceback.format_exc(limit=1))
    results.put((ids, errors))


def run_once(location: str, writers: int, each: int, customers: list[tuple[int, str]]) -> tuple[float, int, int]:
    """(writes per second, lost, errors) of ``writers`` processes writing ``each`` responses."""
    start, results = CONTEXT.Barrier(writers + 1), CONTEXT.Queue()
    share = [customers[n::writers] for n in range(writers)]
    processes = [CONTEXT.Process(target=_write, args=(location, n, share[n], each, start, results))
                 for n in range(writers)]
    for process in processes:
        process.start()
    start.wait(timeout=120)
    began = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in processes]
    seconds = time.perf_counter() - began
    for process in processes:
        process.join()
    logged = [i for ids, _ in outcomes for i in ids]
    with crm_core.connect(location) as db:
        stored = crm_core.storage.value(
            db, f"SELECT COUNT(*) FROM responses WHERE id IN ({', '.join(map(str, logged))})") if logged else 0
    return len(logged) / seconds, len(logged) - stored, sum(len(e) for _, e in outcomes)


def measure(name: str, location: str, each: int, runs: int) -> dict[int, tuple[float, int, int]]:
    with crm_core.connect(location) as db:
        customers = [(int(c), s) for c, s in crm_core.portfolio(db, today=TODAY)[["customer_id", "stage"]]
                     .itertuples(index=False)][:40]
    table = {}
    for writers in (1, 8):
        found = [run_once(location, writers, each if writers == 1 else max(each // 4, 10), customers)
                 for _ in range(runs)]
        table[writers] = (statistics.median(f[0] for f in found), sum(f[1] for f in found), sum(f[2] for f in found))
        print(f"  {name}: {writers} writer(s) done", file=sys.stderr)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--each", type=int, default=120,
                        help="responses one writer logs alone (8 writers: a quarter each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgresql", help="an empty PostgreSQL database to use (default: a throwaway server)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-writers-"))
    sqlite_file = folder / "demo.db"
    demo.build_demo(sqlite_file, anchor=ANCHOR)
    cluster = None
    if args.postgresql:
        url = args.postgresql
    else:
        cluster = fixtures.Cluster().start(durable=True)
        cluster.sql("CREATE DATABASE writers")
        url = cluster.url("writers")
    try:
        transfer.copy_database(sqlite_file, url)
        results = {"SQLite": measure("SQLite", str(sqlite_file), args.each, args.runs),
                   "PostgreSQL": measure("PostgreSQL", url, args.each, args.runs)}
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"Concurrent writers through crm_core.log_response, median of {args.runs} runs"
          f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'backend':<12}{'writers':>8}{'writes/s':>10}{'lost':>6}{'errors':>8}{'8 vs 1':>8}")
    for backend, table in results.items():
        for writers, (rate, lost, errors) in table.items():
            ratio = f"{rate / table[1][0]:.2f}x" if writers == 8 else ""
            print(f"{backend:<12}{writers:>8}{rate:>10.1f}{lost:>6}{errors:>8}{ratio:>8}")


if __name__ == "__main__":
    main()
