"""Every test database is built here.

* ``empty_database`` — schema only.
* ``demo_database`` — a copy of the demo portfolio generated once per test run
  with a fixed anchor day, so figures are stable.
* ``story_database`` — three hand-made customers whose figures are computed
  by hand in the tests; ``locked_database`` adds two accounts to it,
  ``outcomes_database`` hand-made outcomes.

Helpers that several test modules share live here too (test modules import
from this module only, never from each other): AppTest sign-in and metrics, the
hostile values, the summary tables, and the browser tests' waiting helpers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import itertools
import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import crm_core
from crm_core import demo, storage
from crm_core.storage import schema

ROOT = Path(__file__).resolve().parents[1]
# Every page file (paths from the repository root): tests that must hold on every page use it.
PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[0-9]*.py"))

PASSWORD = "correct horse battery"
ANCHOR = dt.date(2026, 11, 20)   # the demo's last day of history
TODAY = dt.date(2026, 11, 24)    # "today" for every write made by a test


# Which database the suite runs on: "sqlite" (files), or "postgresql" (a throwaway server).
BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
ON_POSTGRESQL = BACKEND == "postgresql"


class Cluster:
    """A throwaway PostgreSQL server for one test session: ``initdb`` and ``pg_ctl`` on a
    Unix socket in a new temporary folder, no TCP port, durability off (its data dies
    with it). PostgreSQL refuses to run as root: as root, the server's commands run as
    the ``postgres`` user (``runuser``)."""

    def __init__(self):
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="crm-pg-"))
        self.data = self.folder / "data"
        self._names = itertools.count(1)

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, cwd=self.folder)

    def start(self, durable: bool = False) -> Cluster:
        """Start it; ``durable`` (benchmarks): writes reach the disk as a production server's
        do, with ``synchronous_commit=off``, which like SQLite's WAL with ``synchronous=NORMAL``
        may lose the last commits at a power cut and never corrupts."""
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--locale=C.UTF-8", "-E", "UTF8")
        speed = "" if durable else " -c fsync=off -c full_page_writes=off"
        options = (f"-k {self.folder} -c listen_addresses='' -c synchronous_commit=off{speed}"
                   " -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.folder / "server.log"), "start")
        return self

    def stop(self) -> None:
        from crm_core.storage.dialects import postgresql

        postgresql.close_all()
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        """The URL of the database ``name`` of this server (over its Unix socket)."""
        return f"postgresql://postgres@/{name}?host={self.folder}"

    def new_database(self, path: Path, template: str | None = None) -> str:
        """A new database named after ``path`` (a copy of ``template`` when given); its URL."""
        name = re.sub(r"[^a-z0-9]+", "_", f"t{next(self._names)}_{Path(path).stem}".lower())[:60]
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""))
        return self.url(name)

    def sql(self, statement: str) -> None:
        """Run one statement on the server's ``postgres`` database, outside a transaction."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)


CLUSTER: Cluster | None = None   # set by the session fixture in conftest.py when ON_POSTGRESQL


def new_location(path: Path) -> Path | str:
    """Where a new test database goes: ``path`` (SQLite), or a new database of the
    session's PostgreSQL server (its URL)."""
    return CLUSTER.new_database(path) if ON_POSTGRESQL else path


@contextlib.contextmanager
def database_before(path: Path, migration: str) -> Iterator[tuple[Path | str, object]]:
    """A new database with the schema an older version left: every migration before
    ``migration``. Yields its location and the open database, in one write transaction
    for the test to add rows as that version wrote them (committed at the end)."""
    location = new_location(path)
    with crm_core.connect(location, migrate=False) as db, storage.migrating(db):
        schema.apply(db, stop_before=migration)
        yield location, db


def old_customer(db, customer_id: int, name: str, stage: str = "pre_deal", acquisition_cost=None) -> None:
    """Insert, in SQL as the first schema had it, a customer created on 2025-01-01 who
    entered ``stage`` that day: rows an older version wrote, for ``database_before``
    (today's writes would also keep summary tables that version did not have)."""
    db.execute("INSERT INTO customers (id, name, name_key, created_on, acquisition_cost)"
               " VALUES (:id, :name, :key, '2025-01-01', :cost)",
               {"id": customer_id, "name": name, "key": name.lower(), "cost": acquisition_cost})
    db.execute("INSERT INTO stage_entries (customer_id, stage, entered_on) VALUES (:id, :stage, '2025-01-01')",
               {"id": customer_id, "stage": stage})


def record_newer_migration(location) -> None:
    """Make the database at ``location`` look written by a newer version: a migration
    this code does not know is recorded as applied."""
    with crm_core.connect(location) as db, storage.migrating(db):
        db.execute(f"INSERT INTO {db.dialect.MIGRATIONS_TABLE} (migration_set, name, applied_at)"
                   " VALUES ('crm_core', 'm999_from_the_future', '2030-01-01')")


def empty_database(path: Path) -> Path | str:
    location = new_location(path)
    with crm_core.connect(location):
        pass
    return location


_DEMO_CACHE: dict[str, Path | str] = {}


def demo_database(path: Path, cache_dir: Path) -> Path | str:
    """A fresh copy of the demo (generated once into ``cache_dir``, or a template database)."""
    if ON_POSTGRESQL:
        if "demo" not in _DEMO_CACHE:
            from crm_core.storage.dialects import postgresql

            CLUSTER.sql("CREATE DATABASE demo_master")
            demo.build_demo(CLUSTER.url("demo_master"), anchor=ANCHOR)
            postgresql.close_all()   # a template takes no connections while it is copied
            _DEMO_CACHE["demo"] = "demo_master"
        return CLUSTER.new_database(path, template=_DEMO_CACHE["demo"])
    if "demo" not in _DEMO_CACHE:
        master = cache_dir / "demo-master.db"
        demo.build_demo(master, anchor=ANCHOR)
        with crm_core.connect(master) as db:
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _DEMO_CACHE["demo"] = master
    shutil.copy(_DEMO_CACHE["demo"], path)
    return path


def story_database(path: Path) -> Path | str:
    """Three customers with a known story (see tests/test_scores.py for the sums).

    * Acme Turbines (id 1): created 2025-01-01; pre_deal responses on 2025-02-01
      (pre.data, pre.technology; q4 c3, phone) and 2025-02-20 (pre.data; q2 c1,
      email_fax); pre_deal opinion +1 on 2025-02-10, then +2 on 2025-03-15;
      operational from 2025-04-01; operational opinion -2 on 2025-05-10.
    * Borealis Rail (id 2): created 2025-03-01; no response; pre_deal opinion
      -1 on 2025-03-20.
    * Cobalt Mining (id 3): created 2025-06-01; nothing else.
    """
    path = new_location(path)
    with crm_core.connect(path) as db:
        acme = crm_core.add_customer(db, {"name": "Acme Turbines", "created_on": "2025-01-01",
                                          "sector": "Energy", "region": "Iberia",
                                          "account_manager": "Ana"}, today=TODAY)
        crm_core.log_response(db, acme, "pre_deal", "2025-02-01", "phone",
                              ["pre.data", "pre.technology"], 4, 3, "Data pack", "Ana", today=TODAY)
        crm_core.log_response(db, acme, "pre_deal", "2025-02-20", "email_fax", ["pre.data"], 2, 1,
                              "Late update", "Ana", today=TODAY)
        crm_core.record_opinion(db, acme, "pre_deal", "2025-02-10", 1, today=TODAY)
        crm_core.record_opinion(db, acme, "pre_deal", "2025-03-15", 2, today=TODAY)
        crm_core.move_stage(db, acme, "operational", "2025-04-01", today=TODAY)
        crm_core.record_opinion(db, acme, "operational", "2025-05-10", -2, today=TODAY)
        borealis = crm_core.add_customer(db, {"name": "Borealis Rail", "created_on": "2025-03-01",
                                              "sector": "Rail & transport", "region": "Northern Europe",
                                              "account_manager": "Jonas"}, today=TODAY)
        crm_core.record_opinion(db, borealis, "pre_deal", "2025-03-20", -1, today=TODAY)
        crm_core.add_customer(db, {"name": "Cobalt Mining", "created_on": "2025-06-01",
                                   "sector": "Mining", "region": "Iberia", "account_manager": "Ana"},
                              today=TODAY)
    return path


def drivers_database(path: Path) -> Path | str:
    """Twelve pre-deal customers for "which responses move opinion" (tests/test_analysis.py
    computes the differences by hand). All created 2025-01-01; odd ids in sector
    Energy, even ids in Mining. Every opinion is of pre_deal.

    * ids 1-5: phone response on 2025-02-01 with pre.data (ids 1-4 also
      pre.evaluations); opinion on 2025-03-01 of +2, +1, +1, +2, 0; id 1 again on
      2025-06-01: 0.
    * ids 6-10: email_fax response on 2025-02-01 with pre.technology; opinion on
      2025-03-01 of -1, 0, -1, 0, -2.
    * id 11: opinion -2 on 2025-03-01, then a phone response with pre.data on
      2025-04-01 (after its opinion: it had not received it).
    * id 12: no opinion; a phone response with pre.data on 2025-07-01.
    """
    path = new_location(path)
    with crm_core.connect(path) as db:
        opinions = {1: 2, 2: 1, 3: 1, 4: 2, 5: 0, 6: -1, 7: 0, 8: -1, 9: 0, 10: -2, 11: -2}
        for cid in range(1, 13):
            crm_core.add_customer(db, {"name": f"Driver {cid:02d}", "created_on": "2025-01-01",
                                       "sector": "Energy" if cid % 2 else "Mining", "region": "Iberia",
                                       "account_manager": "Ana"}, today=TODAY)
            if cid <= 5:
                items = ["pre.data", "pre.evaluations"] if cid <= 4 else ["pre.data"]
                crm_core.log_response(db, cid, "pre_deal", "2025-02-01", "phone", items, 4, 4, "Data pack",
                                      "Ana", today=TODAY)
            elif cid <= 10:
                crm_core.log_response(db, cid, "pre_deal", "2025-02-01", "email_fax", ["pre.technology"], 3, 3,
                                      "Technology note", "Ana", today=TODAY)
            if cid in opinions:
                crm_core.record_opinion(db, cid, "pre_deal", "2025-03-01", opinions[cid], today=TODAY)
        crm_core.record_opinion(db, 1, "pre_deal", "2025-06-01", 0, today=TODAY)
        crm_core.log_response(db, 11, "pre_deal", "2025-04-01", "phone", ["pre.data"], 3, 3, "Late data", "Ana",
                              today=TODAY)
        crm_core.log_response(db, 12, "pre_deal", "2025-07-01", "phone", ["pre.data"], 3, 3, "Data pack", "Ana",
                              today=TODAY)
    return path


def locked_database(path: Path) -> Path:
    """The story database (already built at ``path``) with an admin ``admin`` and a viewer
    ``vera``, both with ``PASSWORD``: pages then ask for a sign-in."""
    with crm_core.connect(path) as db:
        crm_core.add_user(db, "admin", PASSWORD, "admin")
        crm_core.add_user(db, "vera", PASSWORD, "viewer", author="admin")
    return path


def outcomes_database(path: Path) -> Path:
    """The story database (already built at ``path``) with acquisition costs, a second
    opinion for Borealis and Cobalt, and outcomes: final opinions Acme 0, Borealis -2,
    Cobalt +2; Acme cost 20,000 and sold 50,000 more and referred Delta Hydro; Cobalt
    cost 10,000, sold 30,000 more and referred Fjord Metro; Borealis told Nordvik Rail
    not to buy from us."""
    with crm_core.connect(path) as db:
        for customer_id, cost in ((1, 20000), (3, 10000)):
            profile = crm_core.journey(db, customer_id).customer
            crm_core.update_customer(db, customer_id, {**profile, "acquisition_cost": cost}, today=TODAY)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-06-01", -2, today=TODAY)
        crm_core.record_opinion(db, 3, "pre_deal", "2025-07-01", 2, today=TODAY)
        crm_core.record_outcome(db, 1, "additional_sale", "2025-08-01", amount=50000, today=TODAY)
        crm_core.record_outcome(db, 1, "referral_given", "2025-09-01", counterpart="Delta Hydro", today=TODAY)
        crm_core.record_outcome(db, 3, "additional_sale", "2025-10-01", amount=30000, today=TODAY)
        crm_core.record_outcome(db, 3, "referral_given", "2025-10-05", counterpart="Fjord Metro", today=TODAY)
        crm_core.record_outcome(db, 2, "referral_lost", "2025-07-15", counterpart="Nordvik Rail", author="ana",
                                today=TODAY)
    return path


# --- shared helpers -------------------------------------------------------------------


def random_writes(path, seed: int, count: int) -> int:
    """Logs, edits and deletes responses and opinions and moves stages at random.
    Returns how many writes were accepted (a random date may precede the stage)."""
    rng = random.Random(seed)
    accepted = 0
    with crm_core.connect(path) as db:
        customers = list(crm_core.portfolio(db)[["customer_id", "stage"]].itertuples(index=False))
        items = crm_core.checklist_items(db)
        for _ in range(count):
            try:
                customers = random_write(db, rng, customers, items)
                accepted += 1
            except crm_core.ValidationError:
                continue
    assert accepted > count // 2
    return accepted


def random_write(db, rng, customers, items):
    """One random write; returns the (possibly changed) customer list."""
    customer, stage = rng.choice(customers)
    day = f"2026-{rng.randint(9, 11):02d}-{rng.randint(1, 20):02d}"
    action = rng.random()
    if action < 0.5:
        keys = list(items[items["stage"] == stage]["key"])
        crm_core.log_response(db, customer, stage, day, rng.choice(crm_core.MODES), rng.sample(keys, 2),
                              rng.randint(1, 5), rng.randint(1, 5), "Random response", today=TODAY)
    elif action < 0.7:
        crm_core.record_opinion(db, customer, stage, day, rng.randint(-2, 2), today=TODAY)
    elif action < 0.85:
        journey = crm_core.journey(db, customer)
        if len(journey.responses):
            target = int(rng.choice(list(journey.responses["id"])))
            if rng.random() < 0.5:
                crm_core.delete_response(db, target)
            else:
                crm_core.update_response(db, target, {"quality": rng.randint(1, 5), "responded_on": day},
                                         today=TODAY)
        if len(journey.opinions):
            crm_core.delete_opinion(db, int(rng.choice(list(journey.opinions["id"]))))
    elif stage != "post_deal":
        following = crm_core.STAGES[crm_core.STAGES.index(stage) + 1]
        crm_core.move_stage(db, customer, following, "2026-11-21", today=TODAY)
        customers = list(crm_core.portfolio(db)[["customer_id", "stage"]].itertuples(index=False))
    return customers



def random_relationship_writes(db, seed: int, count: int) -> int:
    """Opens service cases, logs and closes their events, records and resolves promises,
    makes, re-dates and closes follow-ups, changes service targets and undoes some of it,
    at random around the real now (the clocks run to it) and ``TODAY``. Returns how many
    writes were accepted."""
    rng = random.Random(seed)
    customers = [int(c) for c in crm_core.portfolio(db)["customer_id"]]
    items = list(crm_core.checklist_items(db)["key"])
    now = dt.datetime.now().replace(second=0, microsecond=0)
    accepted = 0
    for _ in range(count):
        customer, action = rng.choice(customers), rng.random()
        try:
            if action < 0.25:
                hours_ago = rng.choice([0.5, 3, 7, 20, 30, 60, 130, 300])
                crm_core.open_case(db, customer, now - dt.timedelta(hours=hours_ago), "Random fault",
                                   rng.choice(crm_core.PRIORITIES))
            elif action < 0.45:
                cases = crm_core.open_cases(db)
                if cases.empty:
                    continue
                case = cases.iloc[rng.randrange(len(cases))]
                event = rng.choice(("first_reply", "attention", "repair", "close"))
                crm_core.log_case_event(db, int(case["case_id"]), event, now, expert="Expert")
            elif action < 0.6:
                due = TODAY + dt.timedelta(days=rng.randint(-20, 20))
                crm_core.record_promise(db, customer, "pre_deal", due - dt.timedelta(days=30), "date",
                                        "Random promise", due_on=due, today=TODAY)
            elif action < 0.7:
                promises = crm_core.promise_list(db, only="open", today=TODAY)
                if promises.empty:
                    continue
                promise = promises.iloc[rng.randrange(len(promises))]
                crm_core.resolve_promise(db, int(promise["promise_id"]), rng.choice(("kept", "broken", "renegotiated")),
                                         TODAY - dt.timedelta(days=rng.randint(0, 200)), today=TODAY)
            elif action < 0.8:
                made = TODAY - dt.timedelta(days=rng.randint(0, 12))
                follow_up = crm_core.create_follow_up(db, customer, rng.choice(items), today=made)
                if rng.random() < 0.5:
                    crm_core.update_follow_up(db, follow_up, due_on=made + dt.timedelta(days=rng.randint(0, 20)))
            elif action < 0.85:
                found = crm_core.follow_up_list(db, today=TODAY)
                opened = found[found["status"] == "open"]
                if opened.empty:
                    continue
                crm_core.close_follow_up(db, int(opened.iloc[0]["follow_up_id"]), today=TODAY)
            elif action < 0.9:
                crm_core.set_service_target(db, rng.choice(crm_core.PRIORITIES), rng.choice([1, 2.5, 8]),
                                            rng.choice([4, 10, 30]), rng.choice([24, 50, 200]))
            else:
                crm_core.undo(db, None)
            accepted += 1
        except crm_core.ValidationError:
            continue
    assert accepted > count // 2
    return accepted


class Recording:
    """A database connection that notes every statement it runs (SQL and parameters)."""

    def __init__(self, conn):
        self._conn, self.run = conn, []

    def execute(self, sql, *params):
        self.run.append((sql, params[0] if params and isinstance(params[0], dict) else {}))
        return self._conn.execute(sql, *params)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def sign_in(page, name, password):
    page.text_input(key="sign_in_name").input(name)
    page.text_input(key="sign_in_password").input(password)
    page.button[0].click()
    return page.run()


def open_boxes(page, *keys):
    """``page`` rerun with the form boxes ``keys`` open (``pages.common.forms.form_box``), as a
    click on each opens it: closed, a box holds nothing."""
    for key in keys:
        page.session_state[f"{key}:open"] = True
    return page.run()


def metrics(page) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


HOSTILE = [
    "Robert'); DROP TABLE customers;--",
    "1 OR 1=1",
    "<script>alert('x')</script>",
    "**bold** _it_ [link](javascript:alert(1)) # Title",
    "<img src=x onerror=alert(1)>",
    "line\nbreak\ttab\rreturn",
    "\u202eevil right-to-left\u202c \u200f",
    "emoji 🚀🔥👩‍🔧",
    "\x07\x1b[31mcontrol\x1b[0m",
    "x" * 100_000,
    "nul\x00byte",
    "   ",
    "café naïve Ñandú ıİ ß",
]


SUMMARY_TABLES = {
    "stage_summary": ["customer_id", "stage"],
    "item_coverage": ["customer_id", "item_key"],
    "opinion_steps": ["customer_id", "series", "on_date"],
    "mode_month": ["stage", "mode", "month"],
    "customer_summary": ["customer_id"],
    "mode_coverage": ["customer_id", "stage", "mode"],
    "risk_summary": ["customer_id"],
    "judged_summary": ["customer_id", "stage"],
    "stage_coverage": ["customer_id", "stage"],
}


def table_rows(db, table: str) -> pd.DataFrame:
    """Every row of ``table`` of the open database ``db`` (its columns as named there)."""
    return crm_core.storage.frame(db, f"SELECT * FROM {table}")


def dump(db) -> str:
    """Every row of every table of the open database ``db``, as text, in a fixed order:
    what a stolen copy of the database would show (``sqlite3``'s ``iterdump`` on both
    backends, near enough)."""
    return "\n".join(f"{table}: {row}" for table in sorted(storage.table_names(db))
                      for row in sorted(map(repr, db.execute(f"SELECT * FROM {table}").fetchall())))


def integrity(db) -> str:
    """"ok" when the open database ``db`` is sound: SQLite's integrity check of the file;
    a PostgreSQL server has no file of ours to check (its pages are its own)."""
    return "ok" if ON_POSTGRESQL else db.conn.execute("PRAGMA integrity_check").fetchone()[0]


def close_connections() -> None:
    """Give back this process's pooled PostgreSQL sessions (another process is to copy a
    database, which takes none on it); nothing for SQLite files."""
    if ON_POSTGRESQL:
        from crm_core.storage.dialects import postgresql

        postgresql.close_all()


def checkpoint(location) -> None:
    """Empty a SQLite file's write-ahead log into it (nothing on PostgreSQL)."""
    if not ON_POSTGRESQL:
        from crm_core.storage import files

        files.checkpoint(location)


# Marks a test of what only a SQLite file has (PRAGMAs, its bytes, its side files).
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="checks what only a SQLite file has")


def count(db, table: str) -> int:
    """How many rows ``table`` of the open database ``db`` holds."""
    return int(crm_core.storage.value(db, f"SELECT COUNT(*) FROM {table}"))


def summaries(path) -> dict[str, pd.DataFrame]:
    with crm_core.connect(path) as db:
        return {
            table: table_rows(db, table).sort_values(keys).reset_index(drop=True)
            if count(db, table) else pd.DataFrame()
            for table, keys in SUMMARY_TABLES.items()
        }


# --- browser tests (Playwright pages) ----------------------------------------------------


def query(page) -> dict[str, list[str]]:
    """The query parameters of the Playwright ``page``'s URL."""
    return parse_qs(urlsplit(page.url).query)


BROWSER_WAIT_MS = 30_000   # the longest any one wait of a browser test may take


def wait_until_idle(page) -> None:
    """Wait until the current script run of the Playwright ``page`` has finished (the app is
    connected and not running)."""
    from playwright.sync_api import expect  # only the browser tests need Playwright

    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1)


def count_runs(page) -> None:
    """From now on, count the script runs the server finishes for the Playwright ``page``
    (its ``script_finished`` messages), for ``wait_for_run``."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    page.finished_runs = 0

    def read(frame) -> None:
        message = ForwardMsg()
        if isinstance(frame, bytes):
            message.ParseFromString(frame)
        if message.WhichOneof("type") == "script_finished":
            page.finished_runs += 1
    page.on("websocket", lambda socket: socket.on("framereceived", read))


def wait_for_run(page, action) -> None:
    """Do ``action()`` and wait until the run it asks for has finished. ``wait_until_idle``
    alone cannot tell: the browser shows "not running" until the server says the run started,
    so right after a widget's change it is idle and a click then lands during the run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.finished_runs
    action()
    waited = 0
    while page.finished_runs == before:
        if waited > BROWSER_WAIT_MS:
            raise PlaywrightTimeout(f"no script run finished within {BROWSER_WAIT_MS} ms")
        page.wait_for_timeout(25)
        waited += 25
    wait_until_idle(page)


# The header a reverse proxy names the signed-in person in, for the servers that trust one.
PROXY_HEADER = "X-Forwarded-User"


def type_author(page, name: str) -> None:
    """Type ``name`` into the sidebar's "You are" box of the Playwright ``page`` (not the one
    of the saved views' form) and wait for the run its Enter asks for."""
    author = page.locator('[data-testid="stSidebar"] input[aria-label="You are"]:not([data-testid="stForm"] input)')
    author.fill(name)
    wait_for_run(page, lambda: author.press("Enter"))


def browser_sign_in(page, name: str, password: str) -> None:
    """Fill and send the sign-in form of the Playwright ``page``."""
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def first_missing_item(location, customer_id: int) -> tuple[str, int, int]:
    """(label, items given, items expected) of the customer's current stage: the first
    expected response still missing, and the coverage before logging it."""
    with crm_core.connect(location) as db:
        journey = crm_core.journey(db, customer_id)
    current = journey.checklist[journey.checklist["stage"] == journey.current_stage]
    missing = current[~current["done"]]
    return str(missing.iloc[0]["label"]), int(current["done"].sum()), len(current)


def choose(page, label: str, option: str) -> None:
    """Click ``option`` of the segmented control labelled ``label`` (Playwright ``page``)."""
    page.get_by_role("radiogroup", name=label, exact=True).get_by_role("radio", name=option, exact=True).click()


def log_response_in_form(page, item: str, summary: str) -> None:
    """On the open Log a response page: the missing ``item``, quality 4, completeness 5,
    then ``summary`` with Enter, the four interactions of a response after a call."""
    page.get_by_role("button", name=f"○ {item}", exact=True).click()
    choose(page, "Quality", "4")
    choose(page, "Completeness", "5")
    box = page.get_by_label("Summary (Enter saves)")
    box.fill(summary)
    box.press("Enter")


def pick_customer(portfolio, rank: int = 0):
    """(id, name) of a customer whose name is no part of another name, away from the
    alphabetical top (a page that shows its first customer by default must not pass)."""
    names = list(portfolio["name"])
    unique = portfolio[[sum(name in other for other in names) == 1 for name in names]]
    unique = unique.sort_values("name").iloc[len(unique) // 2:]
    row = unique.iloc[rank]
    return int(row["customer_id"]), str(row["name"])



def workbook_bytes(rows: list[list], fmt: str, sheets: dict[str, list[list]] | None = None) -> bytes:
    """A workbook (``fmt`` ``xlsx`` or ``ods``) whose first sheet, "Export", holds
    ``rows`` (the first is the header; rows may differ in length), then one sheet per
    entry of ``sheets``. Cells keep their Python types (dates, numbers), as a CRM's
    export writes them; text stays text even when it starts with "=" (a formula only
    when a person types one)."""
    import io

    import openpyxl

    out = io.BytesIO()
    tables = {"Export": rows, **(sheets or {})}
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, table in tables.items():
            sheet = book.create_sheet(name)
            for row in table:
                sheet.append([None if cell == "" else cell for cell in row])
            for cell in (c for line in sheet.iter_rows() for c in line):
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        book.save(out)
        return out.getvalue()
    width = max(len(row) for table in tables.values() for row in table)
    with pd.ExcelWriter(out, engine="odf") as writer:
        for name, table in tables.items():
            padded = [list(row) + [None] * (width - len(row)) for row in table]
            pd.DataFrame(padded).to_excel(writer, sheet_name=name, header=False, index=False)
    return out.getvalue()


def capture_database(path: Path) -> Path | str:
    """The story database (``story_database``) with contacts whose addresses mails and
    invites name: Acme Turbines ines.ortiz@acme-turbines.com; Borealis Rail
    lars@borealis-rail.eu and kari@borealis-rail.eu; Cobalt Mining a public address
    only, cobalt.buyer@gmail.com."""
    path = story_database(path)
    contacts = {1: [{"name": "Inés Ortiz", "email": "Ines.Ortiz@acme-turbines.com"}],
                2: [{"name": "Lars", "email": "lars@borealis-rail.eu"},
                    {"name": "Kari", "email": "kari@borealis-rail.eu"}],
                3: [{"name": "Buyer", "email": "cobalt.buyer@gmail.com"}]}
    with crm_core.connect(path) as db:
        for customer_id, people in contacts.items():
            profile = crm_core.storage.commands.row(db, "customers", customer_id)
            values = {key: profile[key] for key in ("name", "sector", "region", "account_manager")}
            crm_core.update_customer(db, customer_id, values, people, today=TODAY)
    return path


def mail_bytes(subject: str = "Delay plan for the turbine hall",
               sender: str = "Inés Ortiz <ines.ortiz@acme-turbines.com>", to: str = "Ana <ana@supplier.example>",
               date: str = "Tue, 03 Jun 2025 09:15:00 +0000",
               body: str = "Thanks for the revised plan.\nWe agree with the new dates.", html: str | None = None,
               charset: str = "utf-8") -> bytes:
    """An e-mail's source as a mail client saves it (.eml): plain text, or
    multipart/alternative with an HTML part when ``html`` is given."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if date:
        message["Date"] = date
    message.set_content(body, charset=charset)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def invite_bytes(summary: str = "Site visit: commissioning review", start: str = "20250604T140000Z",
                 attendees: tuple[str, ...] = ("lars@borealis-rail.eu", "ana@supplier.example"),
                 location: str = "Borealis Rail, Oslo depot", description: str = "") -> bytes:
    """A calendar invite (.ics) with one meeting, as Outlook or Google send one."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Invite//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:meeting-1@supplier.example", "DTSTAMP:20250601T080000Z", f"DTSTART:{start}",
             "DTEND:20250604T150000Z", f"SUMMARY:{summary}", f"LOCATION:{location}",
             "ORGANIZER;CN=Ana:mailto:ana@supplier.example",
             *[f"ATTENDEE;CN={a};ROLE=REQ-PARTICIPANT:mailto:{a}" for a in attendees]]
    if description:
        lines.append(f"DESCRIPTION:{description}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()
