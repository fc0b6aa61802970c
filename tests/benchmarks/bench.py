"""The benchmark behind ``make bench``: a portfolio at scale and the time of every read and write.

    .venv/bin/python tests/benchmarks/bench.py [--rebuild] [--runs 9] [--customers N] ...

``ensure`` builds (or reuses, when complete) ``data/bench.db``: by default
10,000 customers over three years with 1,000,000 responses (about two
checklist items each, always of the response's stage), 100,000 opinions,
their stage entries, and the demo's kind of service cases, promises and
outcomes for them, from a fixed seed. Rows are generated in batches and
bulk-inserted in one transaction, then the summaries are rebuilt. A small
JSON file next to the database records its scale and build time.

``run`` times every row of ``MEASURES`` (name, callable, target): the median
and min-max of ``runs`` runs in milliseconds (wall clock; the median CPU time
beside it shows what a busy machine added), and a pass/fail mark against the
target. Reads run on the bench database; writes run on a copy of it, so the
bench database stays the same from run to run. It also times the naive peer
(load the responses table into pandas and aggregate the portfolio there).
To measure a new read, add a ``Measure`` to ``MEASURES``.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import crm_core  # noqa: E402
from crm_core import demo, demo_relationship, funnel, importer, pack  # noqa: E402
from crm_core.catalogue import CHECKLIST, MODES, STAGES  # noqa: E402
from crm_core.storage import (DEFAULT_PATH, bulk, commands, connect, describe, files,  # noqa: E402
                              relationship_commands, transfer)
from crm_core.storage.dialects import is_url  # noqa: E402
from crm_core.validation import name_key  # noqa: E402

DEFAULT_BENCH_PATH = DEFAULT_PATH.with_name("bench.db")
ANCHOR = dt.date(2026, 11, 20)   # the last day of history: fixed, so the database never depends on today
HISTORY_DAYS = 3 * 365
BATCH_CUSTOMERS = 500
# Bumped whenever the generator changes, so ``ensure`` rebuilds an older bench database.
GENERATOR_VERSION = 2
MANAGERS = tuple(f"{first} {last}" for first in demo.FIRST_NAMES for last in demo.LAST_NAMES)[:60]
AUTHOR = "Bench Runner"


@dataclass(frozen=True)
class Scale:
    """How big the bench portfolio is, and the seed that makes it the same every time."""

    customers: int = 10_000
    responses: int = 1_000_000
    opinions: int = 100_000
    seed: int = 2026


# --- generating the portfolio ---------------------------------------------------------------

TABLES = {
    "customers": ("id", *commands.CUSTOMER_COLUMNS),
    "contacts": ("customer_id", "name", "role", "email", "phone"),
    "stage_entries": commands.ENTRY_COLUMNS,
    "responses": ("id", *commands.RESPONSE_COLUMNS),
    "response_items": ("response_id", "item_key", "customer_id", "stage", "responded_on"),
    "opinions": commands.OPINION_COLUMNS,
}


FULL_SCALE = Scale()   # 10,000 customers, 1,000,000 responses


@dataclass
class _Plan:
    """One customer's frame: when it was created and entered each stage."""

    cid: int
    created: dt.date
    starts: list[dt.date]           # entry day of each reached stage, in order
    archetype: demo.Archetype
    manager: str
    project: str
    mood: float

    def stage_on(self, day: dt.date) -> str:
        return STAGES[bisect.bisect_right(self.starts, day) - 1]


def _spread(total: int, weights: list[int], rng: random.Random) -> list[int]:
    """``total`` split in proportion to ``weights`` (integers summing exactly to ``total``)."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    for index in rng.sample(range(len(weights)), total - sum(shares)):
        shares[index] += 1
    return shares


def _plans(scale: Scale, anchor: dt.date, rng: random.Random) -> list[_Plan]:
    plans = []
    for cid in range(1, scale.customers + 1):
        created = anchor - dt.timedelta(days=rng.randrange(30, HISTORY_DAYS))
        starts = [created, created + dt.timedelta(days=rng.randrange(60, 180))]
        starts.append(starts[1] + dt.timedelta(days=rng.randrange(180, 360)))
        plans.append(_Plan(cid, created, [s for s in starts if s <= anchor],
                           demo.archetype_of(cid),
                           MANAGERS[rng.randrange(len(MANAGERS))], demo.PROJECTS[cid % len(demo.PROJECTS)],
                           rng.uniform(0.3, 1.2)))
    return plans


def _name(cid: int) -> str:
    """A unique name per id: head x tail, numbered after the first 288 combinations."""
    index = cid - 1
    heads, tails = demo.NAME_HEADS, demo.NAME_TAILS
    base = f"{heads[index % len(heads)]} {tails[index // len(heads) % len(tails)]}"
    series = index // (len(heads) * len(tails))
    return f"{base} {series + 1}" if series else base


def external_id(cid: int) -> str:
    """The id another system (the ERP) knows a bench customer by."""
    return f"ERP-{100000 + cid}"


def generate(scale: Scale = FULL_SCALE, anchor: dt.date = ANCHOR) -> Iterator[dict[str, list[tuple]]]:
    """Rows of the bench portfolio in batches of ``BATCH_CUSTOMERS`` customers: each batch
    maps a table of ``TABLES`` to value tuples in that table's column order.

    Responses and opinions are spread over the customers in proportion to their
    history, on random days between creation and ``anchor``, each in the stage
    the customer was in that day; every row obeys the write rules."""
    rng = random.Random(scale.seed)
    plans = _plans(scale, anchor, rng)
    history = [(anchor - p.created).days + 1 for p in plans]
    response_counts = _spread(scale.responses, history, rng)
    opinion_counts = _spread(scale.opinions, history, rng)
    items = {s: [i.key for i in CHECKLIST if i.stage == s] for s in STAGES}
    response_id = 0
    for first in range(0, len(plans), BATCH_CUSTOMERS):
        batch: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for plan in plans[first:first + BATCH_CUSTOMERS]:
            cid, name, manager = plan.cid, _name(plan.cid), plan.manager
            batch["customers"].append((
                cid, name, name_key(name), demo.SECTORS[cid % len(demo.SECTORS)],
                demo.REGIONS[rng.randrange(len(demo.REGIONS))], manager, float(rng.randrange(8, 120) * 1000),
                plan.created.isoformat(), f"{plan.archetype.name.capitalize()} account; {plan.project}.",
                external_id(cid)))
            contact_first, contact_last = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
            batch["contacts"].append((cid, f"{contact_first} {contact_last}", rng.choice(demo.ROLES),
                                      f"{contact_first[0].lower()}.{contact_last.lower()}@example.com",
                                      f"+34 600 {cid:05d}"))
            for stage, start in zip(STAGES, plan.starts):
                batch["stage_entries"].append((cid, stage, start.isoformat(), "forward", None, manager))
            span = history[cid - 1] - 1
            wanted = {s: [k for k in items[s] if k not in plan.archetype.skips] for s in STAGES}
            low, high = plan.archetype.quality
            for offset in sorted(rng.randrange(span + 1) for _ in range(response_counts[cid - 1])):
                day = plan.created + dt.timedelta(days=offset)
                stage, text = plan.stage_on(day), day.isoformat()
                given = rng.sample(wanted[stage], k=min(len(wanted[stage]), rng.choice((1, 2, 2, 3))))
                mode = rng.choices(MODES, weights=plan.archetype.modes)[0]
                penalty = 1 if mode == "email_fax" and plan.archetype.name != "exemplary" else 0
                response_id += 1
                batch["responses"].append((
                    response_id, cid, stage, text, mode, demo.SUMMARIES[given[0]].format(p=plan.project),
                    max(1, rng.randint(low, high) - penalty), max(1, rng.randint(low, high) - penalty), manager))
                batch["response_items"].extend((response_id, key, cid, stage, text) for key in given)
            for offset in sorted(rng.randrange(span + 1) for _ in range(opinion_counts[cid - 1])):
                day = plan.created + dt.timedelta(days=offset)
                stage = plan.stage_on(day)
                score = round(plan.mood + plan.archetype.mood * offset / 30 + rng.gauss(0, 0.5))
                batch["opinions"].append((cid, stage, day.isoformat(), max(-2, min(2, score)),
                                          rng.choice(demo.SOURCES), f"{stage.replace('_', '-')} review", manager))
        yield batch


def _meta_path(location: Path | str) -> Path:
    """The JSON record of the bench database at ``location``: beside the file, or, for a
    PostgreSQL database, in ``data/`` named after the database."""
    if is_url(str(location)):
        return DEFAULT_BENCH_PATH.with_name(f"bench-{describe(location).rsplit('/', 1)[-1]}.json")
    return Path(location).with_name(Path(location).name + ".json")


def build(path: Path | str, scale: Scale = FULL_SCALE, anchor: dt.date = ANCHOR) -> float:
    """Replace the database at ``path`` (a file, or a PostgreSQL URL: its rows) with the
    bench portfolio; returns the build time in seconds."""
    started = time.perf_counter()
    if is_url(str(path)):
        with connect(path) as db:
            bulk.remove_all_rows(db)
    else:
        files.remove(path)
    _meta_path(path).unlink(missing_ok=True)
    # The demo's service cases, promises and outcomes follow from the customers' stages
    # and opinions, so those rows are kept (as dicts) until every batch is in.
    kept: dict[str, list[dict]] = {"customers": [], "entries": [], "opinions": []}
    with connect(path) as db, funnel.unaudited(db), bulk.large_cache(db):
        for batch in generate(scale, anchor):
            for table, columns in TABLES.items():
                bulk.insert_rows(db, table, columns, batch[table])
            for kind, table in (("customers", "customers"), ("entries", "stage_entries"), ("opinions", "opinions")):
                kept[kind] += [dict(zip(TABLES[table], row)) for row in batch[table]]
        relationship = demo_relationship.generate(
            kept, {c["id"]: demo.archetype_of(c["id"]).name for c in kept["customers"]}, seed=scale.seed,
            anchor=anchor)
        relationship_commands.bulk_load(db, relationship["cases"], relationship["promises"],
                                        relationship["outcomes"])
        commands.rebuild_summaries(db)
        bulk.refresh_statistics(db)
    seconds = time.perf_counter() - started
    _meta_path(path).write_text(json.dumps({"scale": scale.__dict__, "anchor": anchor.isoformat(),
                                            "generator": GENERATOR_VERSION, "build_seconds": round(seconds, 1)}))
    return seconds


def ensure(path: Path | str, scale: Scale = FULL_SCALE, rebuild: bool = False) -> tuple[bool, float]:
    """Reuse ``path`` when it was built completely at ``scale`` (its JSON record says so
    and the row counts agree), else build it. Returns (built now, build seconds)."""
    meta = _meta_path(path)
    if not rebuild and (is_url(str(path)) or Path(path).exists()) and meta.exists():
        recorded = json.loads(meta.read_text())
        if recorded.get("scale") == scale.__dict__ and recorded.get("generator") == GENERATOR_VERSION:
            with connect(path) as db:
                found = bulk.counts(db)
            if (found["customers"], found["responses"], found["opinions"]) == (
                    scale.customers, scale.responses, scale.opinions):
                return False, recorded["build_seconds"]
    return True, build(path, scale)


# --- what is measured -----------------------------------------------------------------------

@dataclass
class Context:
    """What a measurement runs against: ``db`` (the bench database, for reads), ``writable``
    (a copy, for writes), ``customers`` (id, external id, current stage; one per run in turn)
    and the stage whose coverage is read."""

    db: object
    writable: object
    customers: list[tuple[int, str, str]]
    import_rows: int
    stage: str = "operational"
    turn: int = 0

    def customer(self) -> tuple[int, str, str]:
        """The next customer in turn, so repeated runs do not hit one warm customer."""
        self.turn += 1
        return self.customers[self.turn % len(self.customers)]


@dataclass(frozen=True)
class Measure:
    """One row of the report: ``run(context)`` is timed; ``target_ms`` (None: no target)."""

    name: str
    run: Callable[[Context], object]
    target_ms: float | None = None
    warm_up: bool = True    # run once untimed first (reads); writes are timed from the first


def _log_one(context: Context) -> None:
    customer_id, _, stage = context.customer()
    keys = [item.key for item in CHECKLIST if item.stage == stage][:2]
    crm_core.log_response(context.writable, customer_id, stage, ANCHOR, "phone", keys, 4, 3,
                          f"Bench follow-up call {context.turn}", AUTHOR, today=ANCHOR)


def import_file(context: Context, customers: int | None = None) -> bytes:
    """A CSV of ``context.import_rows`` new responses (unique summaries): to customers in
    turn, one row each, or spread over the first ``customers`` customers only."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "stage", "responded_on", "mode", "items", "quality", "completeness",
                     "summary"])
    context.turn += 1
    batch = context.turn
    for row in range(context.import_rows):
        _, external_id, stage = (context.customers[row % customers] if customers else context.customer())
        keys = [item.key for item in CHECKLIST if item.stage == stage]
        writer.writerow([external_id, stage, ANCHOR.isoformat(), MODES[row % len(MODES)],
                         ";".join(keys[row % len(keys):][:2]), 1 + row % 5, 1 + (row * 3) % 5,
                         f"Imported visit report {batch}.{row}"])
    return out.getvalue().encode()


def _import(context: Context, customers: int | None = None) -> None:
    data = import_file(context, customers)
    table = importer.read_table(data, "bench-responses.csv")
    mapping = importer.suggest_mapping(table.columns, "responses")
    plan = importer.preview(context.writable, table, "responses", mapping, today=ANCHOR)
    result = importer.apply(context.writable, plan, AUTHOR, only_valid=False)
    if result.created != context.import_rows:
        raise RuntimeError(f"the bench import created {result.created} of {context.import_rows} rows: "
                           f"{result.problems.head().to_dict('records')}")


def _promises(context: Context) -> None:
    """What the promises tab reads: the record of the portfolio and per account manager,
    the 100 most overdue promises and their count, the 100 newest promises."""
    crm_core.promise_record(context.db)
    crm_core.promise_record(context.db, by="account_manager")
    crm_core.promise_list(context.db, only="overdue", limit=100)
    crm_core.promise_count(context.db, only="overdue")
    crm_core.promise_list(context.db, limit=100)


MEASURES: list[Measure] = [
    Measure("portfolio", lambda c: crm_core.portfolio(c.db), 50),
    Measure("journey of one customer", lambda c: crm_core.journey(c.db, c.customer()[0]), 10),
    Measure("checklist coverage, all customers of a stage", lambda c: crm_core.checklist_coverage(c.db, c.stage),
            100),
    Measure("checklist gaps, one stage", lambda c: crm_core.checklist_gaps(c.db, c.stage), 100),
    Measure("opinion trend, monthly", lambda c: crm_core.opinion_trend(c.db), 100),
    Measure("opinion trend, monthly by stage", lambda c: crm_core.opinion_trend(c.db, by="stage"), 100),
    Measure("quality by stage x mode", lambda c: crm_core.quality_by_stage_mode(c.db)),
    Measure("overview (figures and at-risk list)", lambda c: crm_core.overview(c.db)),
    Measure("biggest movers", lambda c: crm_core.biggest_movers(c.db)),
    Measure("self-assessment trend", lambda c: crm_core.self_assessment_trend(c.db)),
    Measure("weakest responses", lambda c: crm_core.weakest_responses(c.db)),
    Measure("service clock: open cases", lambda c: crm_core.open_cases(c.db), 100),
    Measure("service portfolio (clocks, compliance, spares)", lambda c: crm_core.service_portfolio(c.db), 100),
    Measure("promises vs delivery (record, overdue, newest)", _promises, 100),
    Measure("outcomes: acquisition cost and returns", lambda c: crm_core.acquisition_returns(c.db), 100),
    Measure("outcomes by opinion band", lambda c: crm_core.outcomes_by_opinion(c.db), 100),
    Measure("what moves opinion, one stage", lambda c: crm_core.opinion_drivers(c.db, c.stage), 100),
    Measure("next best responses, one customer", lambda c: crm_core.next_best_responses(c.db, c.customer()[0]),
            100),
    # The meeting pack: the reads of its page, its charts drawn to PNG and the PDF written.
    Measure("meeting pack of the portfolio (PDF)", lambda c: pack.portfolio_pack(c.db), 5000),
    Measure("meeting pack of one customer (PDF)", lambda c: pack.customer_pack(c.db, c.customer()[0])),
    Measure("log one response (validation, summaries, audit)", _log_one, 5, warm_up=False),
    # Refreshing a customer's summaries costs about 1 ms whatever its new rows, so an import
    # is timed both ways: each row to another customer (the worst case) and to 500 customers.
    Measure("import {rows:,} response rows, one per customer", _import, 5000, warm_up=False),
    Measure("import {rows:,} response rows over 500 customers", lambda c: _import(c, 500), 5000, warm_up=False),
]


# --- running and reporting --------------------------------------------------------------------

@dataclass
class Result:
    """Wall-clock and CPU milliseconds of each run. On a shared machine the wall time
    includes waiting for a core; the CPU time is what the run itself cost."""

    name: str
    times_ms: list[float]
    target_ms: float | None
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def passed(self) -> bool | None:
        return None if self.target_ms is None else self.median <= self.target_ms


def timed(name: str, call: Callable[[], object], runs: int, target_ms: float | None = None,
          warm_up: bool = True) -> Result:
    """Wall and CPU milliseconds of ``runs`` calls (after one untimed call when ``warm_up``)."""
    if warm_up:
        call()
    result = Result(name, [], target_ms)
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        result.cpu_ms.append((time.process_time() - started_cpu) * 1000)
        result.times_ms.append((time.perf_counter() - started) * 1000)
    return result


def naive_portfolio(db) -> object:
    """The naive peer: load every response into pandas and aggregate per customer there."""
    responses = bulk.all_responses(db).sort_values(["customer_id", "responded_on", "id"])
    return responses.groupby("customer_id").agg(
        stage=("stage", "last"), responses=("id", "size"), last_response_on=("responded_on", "max"),
        mean_quality=("quality", "mean"), mean_completeness=("completeness", "mean"))


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def report_line(result: Result) -> str:
    """One line of the table: name, median, min-max, CPU median, target, mark."""
    spread = f"{_ms(min(result.times_ms))}–{_ms(max(result.times_ms))}"
    target = "" if result.target_ms is None else f"≤ {_ms(result.target_ms)}"
    mark = {True: "pass", False: "FAIL", None: ""}[result.passed]
    cpu = _ms(statistics.median(result.cpu_ms))
    return f"{result.name:<55} {_ms(result.median):>9} {spread:>17} {cpu:>9} {target:>10}  {mark}"


def run(path: Path | str = DEFAULT_BENCH_PATH, scale: Scale = FULL_SCALE, *, runs: int = 5,
        import_rows: int = 10_000, rebuild: bool = False, out=sys.stdout) -> list[Result]:
    """Build or reuse the bench database at ``path`` (a file or a PostgreSQL URL), time
    every ``MEASURES`` row and the naive peer, and print the report to ``out``. Returns
    the results (naive peer last)."""
    path = path if is_url(str(path)) else Path(path)
    built, build_seconds = ensure(path, scale, rebuild)
    results = []
    with transfer.scratch_copy(path, DEFAULT_BENCH_PATH.parent if is_url(str(path)) else path.parent) as copy:
        with connect(path) as db, connect(copy) as writable:
            customers = [(cid, external_id(cid), stage) for cid, stage in
                         crm_core.portfolio(db)[["customer_id", "stage"]].itertuples(index=False)]
            context = Context(db, writable, random.Random(scale.seed).sample(customers, len(customers)),
                              import_rows)
            print(f"Benchmark on {describe(path)} ({db.dialect.NAME}; {scale.customers:,} customers, "
                  f"{scale.responses:,} responses, {scale.opinions:,} opinions), {runs} runs each; times in ms",
                  file=out)
            print(f"{'measurement':<55} {'median':>9} {'min–max':>17} {'CPU':>9} {'target':>10}", file=out)
            for measure in MEASURES:
                results.append(timed(measure.name.format(rows=import_rows), partial(measure.run, context), runs,
                                     measure.target_ms, measure.warm_up))
                print(report_line(results[-1]), file=out, flush=True)
            naive = timed("naive peer: responses into pandas, portfolio there", lambda: naive_portfolio(db),
                          max(1, min(runs, 3)), warm_up=False)
            print(report_line(naive), file=out)
    results.append(naive)
    ours = results[0].median
    print(f"naive peer / portfolio read: {naive.median / ours:,.0f}x slower", file=out)
    print(f"database size: {transfer.size_bytes(path) / 1e6:,.0f} MB; build time: {build_seconds:,.0f} s "
          f"({'built now' if built else 'reused, built earlier'}); load average at the end: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=out)
    misses = [r.name for r in results if r.passed is False]
    print(f"targets missed: {', '.join(misses)}" if misses else "every target met", file=out)
    return results


def main(argv: list[str] | None = None) -> int:
    """The command line of ``make bench``: build or reuse the bench database, print the report."""
    parser = argparse.ArgumentParser(
        prog="tests/benchmarks/bench.py",
        description="Build (or reuse, when complete) a generated portfolio and print, for every read and "
                    "write, the median and min-max of several runs against its target, the naive pandas "
                    "peer, the database size and the build time.")
    parser.add_argument("--db", default=str(DEFAULT_BENCH_PATH),
                        help="the bench database: a file or a PostgreSQL URL whose rows it may replace"
                             " (default: data/bench.db; $CRM_DB is not used)")
    parser.add_argument("--customers", type=int, default=Scale.customers, help="default: %(default)s")
    parser.add_argument("--responses", type=int, default=Scale.responses, help="default: %(default)s")
    parser.add_argument("--opinions", type=int, default=Scale.opinions, help="default: %(default)s")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default: %(default)s)")
    parser.add_argument("--import-rows", type=int, default=10_000,
                        help="response rows in the timed import (default: %(default)s)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if complete")
    args = parser.parse_args(argv)
    run(args.db, Scale(args.customers, args.responses, args.opinions), runs=args.runs,
        import_rows=args.import_rows, rebuild=args.rebuild)
    return 0


if __name__ == "__main__":
    sys.exit(main())
