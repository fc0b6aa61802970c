"""Faults lose nothing: a killed writer leaves every committed write and a
sound file; read-only files, newer schemas and non-databases get a clear
message and are left untouched; the WAL stays bounded under constant reads."""

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import crm_core
from crm_core.storage import WAL_LIMIT_BYTES, files
from fixtures import ON_POSTGRESQL, checkpoint, dump, integrity, record_newer_migration, sqlite_only

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
        assert integrity(db) == "ok"
        stored = {row[0] for row in db.conn.execute("SELECT id FROM responses WHERE author = 'burst'")}
        assert set(committed) <= stored
        # Summaries were written in the same transactions: they agree with the rows.
        shown = crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"]
        assert shown == db.conn.execute("SELECT COUNT(*) FROM responses WHERE customer_id = 1").fetchone()[0]


@sqlite_only
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


@contextlib.contextmanager
def read_only(path):
    """Make ``path`` read-only for this process: a permission bit for a normal user;
    root ignores those, so it also gets the immutable flag (``chattr +i``)."""
    with crm_core.connect(path) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    immutable = os.geteuid() == 0
    if immutable and (not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        pytest.skip("running as root on a file system without chattr +i: no way to make a file read-only")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@sqlite_only
def test_a_read_only_database_file_says_nothing_was_saved_and_keeps_the_form(open_page, story_db):
    with read_only(story_db):
        before = digest(story_db)
        page = open_page("pages/5_Log_response.py", story_db, customer="1")
        page.session_state["response_quality"] = 4
        page.session_state["response_completeness"] = 4
        page.text_input(key="response_summary").input("Typed before the disk went read-only")
        page = [b for b in page.button if b.label == "Save response"][0].click().run()
        assert not page.exception
        assert [e.value for e in page.error] == [
            "Nothing was saved: the database file is read-only. Ask your administrator; what you typed is kept."]
        assert page.text_input(key="response_summary").value == "Typed before the disk went read-only"
        assert digest(story_db) == before
    with crm_core.connect(story_db) as db:
        assert len(crm_core.journey(db, 1).responses) == 2


DISK_FULL = """
import resource, signal, sys, datetime as dt, crm_core
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails (EFBIG) like on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
with crm_core.connect(sys.argv[1]) as db:
    for i in range(1000):
        try:
            rid = crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.progress"], 3, 3,
                                        f"full {i} " + "x" * 4000, "disk", today=dt.date(2026, 11, 24))
        except crm_core.StorageError as error:
            print("refused", i, error, flush=True)
            break
        print("committed", rid, flush=True)
"""


@sqlite_only
def test_a_full_disk_refuses_the_write_in_words_and_keeps_every_committed_one(story_db):
    with crm_core.connect(story_db) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = Path(story_db).stat().st_size + 512 * 1024
    lines = subprocess.run([sys.executable, "-c", DISK_FULL, str(story_db), str(limit)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120).stdout.splitlines()
    committed = [int(line.split()[1]) for line in lines if line.startswith("committed")]
    refused = lines[-1].split(" ", 2)
    assert refused[0] == "refused" and int(refused[1]) == len(committed) > 0
    assert refused[2] == ("Nothing was saved: the disk refused the write (it may be full or failing). "
                          "Ask your administrator; what you typed is kept.")
    with crm_core.connect(story_db) as db:
        assert integrity(db) == "ok"
        stored = [row[0] for row in db.conn.execute("SELECT id FROM responses WHERE author = 'disk' ORDER BY id")]
        assert stored == committed
        assert crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"] == 2 + len(committed)


@sqlite_only
def test_a_database_that_cannot_grow_says_the_disk_is_full_and_writes_nothing(story_db):
    with crm_core.connect(story_db) as db:
        pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
        db.conn.execute(f"PRAGMA max_page_count = {pages}")   # SQLite's own "database or disk is full"
        before = dump(db)
        with pytest.raises(crm_core.StorageError) as error:
            crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.progress"], 3, 3,
                                  "y" * 4000, "disk", today=dt.date(2026, 11, 24))
        assert str(error.value) == ("Nothing was saved: the disk is full. Ask your administrator; "
                                    "what you typed is kept.")
        assert dump(db) == before


@sqlite_only
def test_a_database_from_a_newer_version_is_refused_and_left_untouched(story_db):
    record_newer_migration(story_db)
    before = Path(story_db).read_bytes()
    with pytest.raises(crm_core.StorageError, match="newer version"):
        with crm_core.connect(story_db):
            pass
    assert Path(story_db).read_bytes() == before


@sqlite_only
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


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes, not a database.\n" * 100, encoding="utf-8")
    before = digest(notes)
    with pytest.raises(crm_core.StorageError, match="not a usable CRM database: file is not a database"):
        with crm_core.connect(notes):
            pass
    assert digest(notes) == before and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_empty_file_is_refused_in_words_and_stays_empty(tmp_path):
    empty = tmp_path / "crm.db"
    empty.write_bytes(b"")
    with pytest.raises(crm_core.StorageError, match="empty file .0 bytes., not a database"):
        with crm_core.connect(empty):
            pass
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]


@pytest.mark.parametrize("content", [b"", b"Meeting notes, not a database.\n" * 100])
def test_the_command_line_says_why_a_file_is_refused_in_words_only(tmp_path, content):
    target = tmp_path / "crm.db"
    target.write_bytes(content)
    export = ["export", "--kind", "customers", "--out", str(tmp_path / "out.csv")]
    for command in (["rebuild"], export, ["user", "list"]):
        run = subprocess.run([sys.executable, "-m", "crm_core", "--db", str(target), *command],
                             capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 2, (command, run.stderr)
        assert "Traceback" not in run.stderr and run.stderr.startswith(f"refused: {target}"), run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == content


def spoil(kind: str, path: Path) -> str:
    """Turn the database at ``path`` into a file the app must refuse: the words it must say."""
    if kind == "newer":
        record_newer_migration(path)
        files.checkpoint(path)
        return "written by a newer version of this app"
    with crm_core.connect(path) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if kind == "empty":
        path.write_bytes(b"")
        return "is an empty file (0 bytes), not a database; nothing was changed"
    if kind == "corrupted":
        data = bytearray(path.read_bytes())
        data[0:16] = b"garbage garbage!"
        path.write_bytes(bytes(data))
    else:
        path.write_text("name;region\nAcme;North\n", encoding="utf-8")
    return "not a usable CRM database: file is not a database"


@sqlite_only
@pytest.mark.parametrize("kind", ["newer", "corrupted", "not-sqlite", "empty"])
def test_the_app_names_the_problem_with_an_unusable_file_and_leaves_it_untouched(open_page, story_db, kind):
    words = spoil(kind, Path(story_db))
    before = digest(story_db)
    page = open_page("pages/1_Customer_journey.py", story_db, customer="1")
    assert not page.exception
    assert len(page.error) == 1 and "The database cannot be opened" in page.error[0].value
    assert words in page.error[0].value
    assert "Acme Turbines" not in [h.value for h in page.header]
    assert digest(story_db) == before


@sqlite_only
def test_the_wal_stays_bounded_while_readers_never_pause(story_db):
    stop = threading.Event()
    largest = [0]
    wal = Path(f"{story_db}-wal")

    def reader():
        with crm_core.connect(story_db) as db:
            while not stop.is_set():
                crm_core.portfolio(db)
                largest[0] = max(largest[0], wal.stat().st_size if wal.exists() else 0)

    # Two readers, so there is never a moment without a read in progress.
    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        with crm_core.connect(story_db) as db:
            for _ in range(1500):
                crm_core.log_response(db, 1, "operational", "2025-06-01", "email_fax", ["ops.status"], 2, 2,
                                      "x" * 2000, "wal")
    finally:
        stop.set()
        for thread in threads:
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
    checkpoint(story_db)
    wal = Path(f"{story_db}-wal")
    importer = subprocess.Popen([sys.executable, "-m", "crm_core", "--db", str(story_db), "import", str(source),
                                 "--kind", "responses", "--author", "Ana"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # Kill once the import's transaction has written a good part into the WAL (on
    # PostgreSQL, which shows no file of it: two seconds into the import).
    started = time.monotonic()
    while importer.poll() is None and time.monotonic() < deadline:
        if (wal.exists() and wal.stat().st_size > 1_000_000) or (ON_POSTGRESQL and time.monotonic() > started + 2):
            break
        time.sleep(0.01)
    killed = importer.poll() is None
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    assert killed, "the import finished before it could be killed; make the file bigger"
    with crm_core.connect(story_db) as db:
        assert integrity(db) == "ok"
        after = db.conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        assert after == before   # one transaction: nothing of it survived the kill
        assert db.conn.execute("SELECT COUNT(*) FROM audit WHERE author = 'Ana' AND entity = 'response'"
                               " AND action = 'create' AND after LIKE '%imported%'").fetchone()[0] == 0
