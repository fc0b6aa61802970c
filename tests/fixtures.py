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

import datetime as dt
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

import crm_core
from crm_core import demo

ROOT = Path(__file__).resolve().parents[1]
# Every page file (paths from the repository root): tests that must hold on every page use it.
PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[0-9]*.py"))

PASSWORD = "correct horse battery"
ANCHOR = dt.date(2026, 11, 20)   # the demo's last day of history
TODAY = dt.date(2026, 11, 24)    # "today" for every write made by a test


def empty_database(path: Path) -> Path:
    with crm_core.connect(path):
        pass
    return path


_DEMO_CACHE: dict[str, Path] = {}


def demo_database(path: Path, cache_dir: Path) -> Path:
    """A fresh copy of the demo (generated once into ``cache_dir``)."""
    if "demo" not in _DEMO_CACHE:
        master = cache_dir / "demo-master.db"
        demo.build_demo(master, anchor=ANCHOR)
        with crm_core.connect(master) as db:
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _DEMO_CACHE["demo"] = master
    shutil.copy(_DEMO_CACHE["demo"], path)
    return path


def story_database(path: Path) -> Path:
    """Three customers with a known story (see tests/test_scores.py for the sums).

    * Acme Turbines (id 1): created 2025-01-01; pre_deal responses on 2025-02-01
      (pre.data, pre.technology; q4 c3, phone) and 2025-02-20 (pre.data; q2 c1,
      email_fax); pre_deal opinion +1 on 2025-02-10, then +2 on 2025-03-15;
      operational from 2025-04-01; operational opinion -2 on 2025-05-10.
    * Borealis Rail (id 2): created 2025-03-01; no response; pre_deal opinion
      -1 on 2025-03-20.
    * Cobalt Mining (id 3): created 2025-06-01; nothing else.
    """
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


def drivers_database(path: Path) -> Path:
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


def sign_in(page, name, password):
    page.text_input(key="sign_in_name").input(name)
    page.text_input(key="sign_in_password").input(password)
    page.button[0].click()
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
}


def summaries(path) -> dict[str, pd.DataFrame]:
    with crm_core.connect(path) as db:
        return {
            table: pd.DataFrame(list(db[table].rows)).sort_values(keys).reset_index(drop=True)
            if db[table].count else pd.DataFrame()
            for table, keys in SUMMARY_TABLES.items()
        }


# --- browser tests (Playwright pages) ----------------------------------------------------


def query(page) -> dict[str, list[str]]:
    """The query parameters of the Playwright ``page``'s URL."""
    return parse_qs(urlsplit(page.url).query)


def wait_until_idle(page) -> None:
    """Wait until the current script run of the Playwright ``page`` has finished (the app is
    connected and not running)."""
    from playwright.sync_api import expect  # only the browser tests need Playwright

    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1)


# The header a reverse proxy names the signed-in person in, for the servers that trust one.
PROXY_HEADER = "X-Forwarded-User"


def browser_sign_in(page, name: str, password: str) -> None:
    """Fill and send the sign-in form of the Playwright ``page``."""
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def pick_customer(portfolio, rank: int = 0):
    """(id, name) of a customer whose name is no part of another name, away from the
    alphabetical top (a page that shows its first customer by default must not pass)."""
    names = list(portfolio["name"])
    unique = portfolio[[sum(name in other for other in names) == 1 for name in names]]
    unique = unique.sort_values("name").iloc[len(unique) // 2:]
    row = unique.iloc[rank]
    return int(row["customer_id"]), str(row["name"])
