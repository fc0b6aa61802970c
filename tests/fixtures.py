"""Every test database is built here.

* ``empty_database`` — schema only.
* ``demo_database`` — a copy of the demo portfolio generated once per test run
  with a fixed anchor day, so figures are stable.
* ``story_database`` — three hand-made customers whose figures are computed
  by hand in the tests.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import crm_core
from crm_core import demo

ROOT = Path(__file__).resolve().parents[1]
# Every page file (paths from the repository root): tests that must hold on every page use it.
PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("[0-9]*.py"))

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
