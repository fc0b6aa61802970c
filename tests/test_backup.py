"""Backup (online, while others write) and restore (checked, atomic, keeps the old file)
of a SQLite file; PostgreSQL's, with pg_dump and pg_restore, are in test_postgresql.py."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest
from fixtures import TODAY, sqlite_only

import crm_core
from crm_core import backup

pytestmark = sqlite_only


def counts(path) -> tuple[int, int]:
    with crm_core.connect(path) as db:
        return (db.execute("SELECT count(*) FROM responses").fetchone()[0],
                db.execute("SELECT count(*) FROM customers").fetchone()[0])


def test_backup_while_another_thread_writes_is_a_consistent_snapshot(story_db, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        with crm_core.connect(story_db) as db:
            while not stop.is_set() and len(written) < 300:
                written.append(crm_core.log_response(db, 1, "operational", "2025-06-01", "phone",
                                                     ["ops.delays"], 3, 3, "burst", "Ana", today=TODAY))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [backup.backup(story_db, tmp_path / f"copy{n}.db") for n in range(3)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # summaries match the rows in the same snapshot: the copy is one moment in time
        responses = conn.execute("SELECT count(*) FROM responses WHERE customer_id = 1").fetchone()[0]
        summarised = conn.execute("SELECT coalesce(sum(responses), 0) FROM stage_summary"
                                  " WHERE customer_id = 1").fetchone()[0]
        conn.close()
        assert responses == summarised
        assert 2 <= responses <= 2 + len(written)


def test_restore_replaces_the_database_and_keeps_the_replaced_file(story_db, tmp_path):
    saved = backup.backup(story_db, tmp_path / "saved.db")
    before = counts(story_db)
    with crm_core.connect(story_db) as db:
        crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", [], 3, 3, "after backup",
                              "Ana", today=TODAY)
    assert counts(story_db) == (before[0] + 1, before[1])
    kept = backup.restore(saved, story_db)
    assert counts(story_db) == before
    assert counts(kept) == (before[0] + 1, before[1])


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x01" * 4000])
def test_restore_refuses_a_broken_backup_and_leaves_the_database_untouched(story_db, tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    before = counts(story_db)
    with pytest.raises(crm_core.StorageError):
        backup.restore(bad, story_db)
    assert counts(story_db) == before


def test_restore_refuses_a_sqlite_file_that_is_not_ours(story_db, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(crm_core.StorageError, match="not a customer-response database"):
        backup.restore(other, story_db)


def test_backup_and_restore_from_the_command_line(story_db, tmp_path):
    out = tmp_path / "cli.db"
    run = subprocess.run([sys.executable, "-m", "crm_core", "--db", str(story_db), "backup", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert counts(out) == counts(story_db)
    target = tmp_path / "restored.db"
    run = subprocess.run([sys.executable, "-m", "crm_core", "--db", str(target), "restore", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert counts(target) == counts(story_db)


def test_the_commands_the_page_shows_back_up_and_restore_this_database(story_db, tmp_path):
    backup_line, restore_line = backup.command_lines(story_db, TODAY)
    run = subprocess.run(backup_line, shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert counts(story_db.with_name(f"crm-backup-{TODAY.isoformat()}.db")) == counts(story_db)
    run = subprocess.run(restore_line, shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert counts(story_db) == (2, 3)
