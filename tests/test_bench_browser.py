"""The real-browser benchmark (tests/benchmarks/browser_bench.py) runs on the demo
database in its smoke mode: one table row per page plus the bare page, every figure
with its ratio to the bare page, and the database it was given left as it was (the
harness saves into a copy). No timing is asserted. Skipped, like tests/browser, when
Debian's Chromium is missing."""

import subprocess
import sys
from pathlib import Path

import pytest

import crm_core
from fixtures import close_connections, count
from pages.common import PAGES

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"the browser benchmark needs Debian's Chromium at {CHROMIUM} "
                                                  "(`.ci/run` installs it with apt; browsers are never downloaded)")
def test_the_browser_benchmark_prints_a_row_with_ratios_for_every_page_and_leaves_the_database_alone(demo_db):
    with crm_core.connect(demo_db) as db:
        before = crm_core.change_count(demo_db), count(db, "responses")
    close_connections()   # the benchmark copies the database (on a server: as a template, with no session on it)
    done = subprocess.run([sys.executable, "tests/benchmarks/browser_bench.py", "--db", str(demo_db), "--quick",
                           "--timeout", "120"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    table = done.stdout.split("\n\n")[2].splitlines()    # the page table: after the header and the note
    header, rows = table[0], table[2:]
    assert header.count("(×bare)") == 9, header
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == ["bare page", *PAGES]
    for row in rows:
        cells = row.strip("| ").split(" | ")[1:]
        assert len(cells) == 9 and all(cell.endswith("×)") for cell in cells), row
    for section in ("sessions together after a save", "server RSS MB (×bare)", "load average at the end"):
        assert section in done.stdout
    with crm_core.connect(demo_db) as db:
        assert (crm_core.change_count(demo_db), count(db, "responses")) == before
