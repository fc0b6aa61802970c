"""Faults lose nothing: a killed writer leaves every committed write and a
sound file; read-only files, newer schemas and non-databases get a clear
message and are left untouched; the WAL stays bounded under constant reads."""

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

import crm_core
from crm_core.storage import WAL_LIMIT_BYTES

ROOT = Path(__file__).resolve().parents[1]

BURST = """
import sys, crm_core, datetime as dt
with crm_core.connect(sys.argv[1]) as db:
    for i in range(100000):
        rid = crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.progress"], 3, 3,
                                    f"burst {i}", "burst", today=dt.date(2026, 11, 24))
        print(rid, flush=True)
"""


def test_kill_9_in_a_burst_of_writes_keeps_every_committed_write(story_db):
    writer = subprocess.Popen([sys.executable, "-c", BURST, str(story_db)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 150 and time.monotonic() < deadline:
        committed.append(int(writer.stdout.readline()))
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert len(committed) >= 150
    with crm_core.connect(story_db) as db:
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.conn.execute("SELECT id FROM responses WHERE author = 'burst'")}
        assert set(committed) <= stored
        # Summaries were written in the same transactions: they agree with the rows.
        shown = crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"]
        assert shown == db.conn.execute("SELECT COUNT(*) FROM responses WHERE customer_id = 1").fetchone()[0]


def test_a_read_only_database_refuses_writes_with_a_clear_message(story_db):
    with crm_core.connect(story_db) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.chmod(story_db, stat.S_IRUSR | stat.S_IRGRP)
    try:
        connection = sqlite3.connect(f"file:{story_db}?mode=ro", uri=True)
        with crm_core.connect(story_db, migrate=False) as db:
            db.conn.close()
            db.conn = connection   # what a read-only mount gives the app
            with pytest.raises(crm_core.StorageError, match="read-only"):
                crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1)
            assert len(crm_core.journey(db, 2).opinions) == 1
    finally:
        os.chmod(story_db, stat.S_IRUSR | stat.S_IWUSR)


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(story_db):
    Database(story_db)["_sqlite_migrations"].insert(
        {"migration_set": "crm_core", "name": "m999_from_the_future", "applied_at": "2030-01-01"})
    before = Path(story_db).read_bytes()
    with pytest.raises(crm_core.StorageError, match="newer version"):
        with crm_core.connect(story_db):
            pass
    assert Path(story_db).read_bytes() == before


def test_a_corrupted_database_file_is_refused_with_a_message(story_db):
    with crm_core.connect(story_db) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(Path(story_db).read_bytes())
    data[0:16] = b"garbage garbage!"
    Path(story_db).write_bytes(bytes(data))
    with pytest.raises(crm_core.StorageError, match="not a usable CRM database"):
        with crm_core.connect(story_db):
            pass
    assert Path(story_db).read_bytes()[:16] == b"garbage garbage!"


def test_the_wal_stays_bounded_while_a_reader_never_pauses(story_db):
    stop = threading.Event()
    largest = [0]
    wal = Path(f"{story_db}-wal")

    def reader():
        with crm_core.connect(story_db) as db:
            while not stop.is_set():
                crm_core.portfolio(db)
                largest[0] = max(largest[0], wal.stat().st_size if wal.exists() else 0)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        with crm_core.connect(story_db) as db:
            for i in range(1500):
                crm_core.log_response(db, 1, "operational", "2025-06-01", "email_fax", ["ops.status"], 2, 2,
                                      "x" * 2000, "wal")
    finally:
        stop.set()
        thread.join()
    print(f"largest WAL seen: {largest[0] / 2**20:.1f} MiB")
    assert 0 < largest[0] <= WAL_LIMIT_BYTES + 4 * 1024 * 1024
    assert not wal.exists() or wal.stat().st_size <= WAL_LIMIT_BYTES


def test_kill_9_in_the_middle_of_an_import_leaves_no_half_import(story_db, tmp_path):
    rows = ["customer,stage,responded_on,mode,items,quality,completeness,summary"]
    rows += [f"Acme Turbines,operational,2025-06-01,phone,ops.progress,3,4,imported {i}" for i in range(20000)]
    source = tmp_path / "responses.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with crm_core.connect(story_db) as db:
        before = db.conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{story_db}-wal")
    importer = subprocess.Popen([sys.executable, "-m", "crm_core", "--db", str(story_db), "import", str(source),
                                 "--kind", "responses", "--author", "Ana"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # Kill once the import's transaction has written a good part into the WAL.
    while importer.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.01)
    killed = importer.poll() is None
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    assert killed, "the import finished before it could be killed; make the file bigger"
    with crm_core.connect(story_db) as db:
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = db.conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        assert after == before   # one transaction: nothing of it survived the kill
        assert db.conn.execute("SELECT COUNT(*) FROM audit WHERE author = 'Ana' AND entity = 'response'"
                               " AND action = 'create' AND after LIKE '%imported%'").fetchone()[0] == 0
