"""PostgreSQL for teams: a URL in CRM_DB, refused in words when it cannot be used, the
copy command between a file and a server, and backups with pg_dump and pg_restore.

The refusals without a server run in every pass; the rest needs the session's
throwaway server (the suite's PostgreSQL pass)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures import ON_POSTGRESQL, TODAY, dump, record_newer_migration

import crm_core
from crm_core import backup, storage
from crm_core.storage import transfer

ROOT = Path(__file__).resolve().parents[1]
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs the PostgreSQL pass's server")


def refusal(location: str) -> str:
    """The one line the command line prints for ``location`` (exit status 2 checked)."""
    run = subprocess.run([sys.executable, "-m", "crm_core", "--db", location, "user", "list"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr.strip()


@pytest.mark.parametrize("url, words", [
    ("postgresql://crm:s3cret-pw@127.0.0.1:1/crm", "Connection refused"),
    ("postgresql://crm:s3cret-pw@127.0.0.1:notaport/crm", "invalid"),
])
def test_a_server_that_is_down_or_a_bad_url_is_refused_in_one_line_without_the_password(url, words):
    with pytest.raises(crm_core.StorageError) as error:
        with crm_core.connect(url):
            pass
    assert words.lower() in str(error.value).lower()
    assert "s3cret-pw" not in str(error.value)
    line = refusal(url)
    assert line.startswith("refused: cannot use the database postgresql://crm@127.0.0.1") and "s3cret-pw" not in line


@postgresql_only
def test_an_unknown_database_or_role_is_named(postgresql_cluster):
    assert 'database "no_such_crm" does not exist' in refusal(postgresql_cluster.url("no_such_crm"))
    stranger = postgresql_cluster.url("postgres").replace("postgres@", "stranger@", 1)
    assert 'role "stranger" does not exist' in refusal(stranger)


@postgresql_only
def test_a_database_of_a_newer_version_is_refused_and_left_as_it_was(story_db):
    record_newer_migration(story_db)
    before = _stored(story_db)
    with pytest.raises(crm_core.StorageError, match="newer version of this app"):
        with crm_core.connect(story_db):
            pass
    assert "written by a newer version" in refusal(story_db)
    assert _stored(story_db) == before


def _stored(url: str) -> str:
    """Everything in the database, read without the migration check."""
    from crm_core.storage.dialects import postgresql

    conn = postgresql.open_connection(url)
    try:
        return dump(storage.Handle(conn, postgresql, url))
    finally:
        conn.close()


@postgresql_only
def test_copy_moves_every_row_to_an_empty_server_database_and_back(demo_db, postgresql_cluster, tmp_path):
    with crm_core.connect(demo_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        crm_core.log_response(db, 3, "pre_deal", "2026-11-20", "phone", ["pre.data"], 4, 4, "Call", "Ada",
                              today=TODAY)
        crm_core.undo(db, "Ada")      # an id only the audit trail remembers
        source = crm_core.portfolio(db, today=TODAY)
    target = postgresql_cluster.new_database(tmp_path / "copy")
    checks = transfer.copy_database(demo_db, target)
    assert all(check.same for check in checks) and {c.table for c in checks} >= {"customers", "audit", "users"}
    with crm_core.connect(target) as db:
        assert crm_core.authenticate(db, "Ada", "admin-pass-1") is not None
        pd.testing.assert_frame_equal(crm_core.portfolio(db, today=TODAY), source)
        undone = int(storage.value(db, "SELECT MAX(entity_id) FROM audit WHERE entity = 'response'"))
        again = crm_core.log_response(db, 3, "pre_deal", "2026-11-21", "phone", ["pre.data"], 4, 4, "Call",
                                      "Ada", today=TODAY)
        assert again > undone     # never an id the audit trail already names
        expected = crm_core.portfolio(db, today=TODAY)
    back = tmp_path / "back.db"
    assert all(check.same for check in transfer.copy_database(target, back))
    with crm_core.connect(back) as db:
        pd.testing.assert_frame_equal(crm_core.portfolio(db, today=TODAY), expected)


@postgresql_only
def test_copy_refuses_a_target_that_is_not_empty_and_changes_nothing(story_db, demo_db):
    before = _stored(story_db)
    run = subprocess.run([sys.executable, "-m", "crm_core", "--db", str(demo_db), "copy", "--to", story_db],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 2 and "the target database is not empty" in run.stderr, run.stderr
    assert _stored(story_db) == before


@postgresql_only
def test_a_pg_dump_backup_restores_the_database_as_it_was_and_a_foreign_file_is_refused(story_db, tmp_path):
    saved = backup.backup(story_db, tmp_path / "crm.dump")
    with crm_core.connect(story_db) as db:
        before = crm_core.portfolio(db, today=TODAY)
        crm_core.log_response(db, 1, "operational", "2026-11-20", "phone", ["ops.progress"], 4, 4, "After", "Ana",
                              today=TODAY)
    not_a_dump = tmp_path / "notes.dump"
    not_a_dump.write_text("these are not the droids")
    with pytest.raises(crm_core.StorageError, match="not a PostgreSQL dump"):
        backup.restore(not_a_dump, story_db)
    kept = backup.restore(saved, story_db)
    assert kept.is_file() and kept != saved
    with crm_core.connect(story_db) as db:
        pd.testing.assert_frame_equal(crm_core.portfolio(db, today=TODAY), before)
        crm_core.log_response(db, 1, "operational", "2026-11-21", "phone", ["ops.progress"], 4, 4, "Again", "Ana",
                              today=TODAY)
    # The command the Import and export page shows backs this database up, run as shown.
    line = backup.command_lines(story_db, TODAY)[0]
    assert "postgresql://postgres@/" in line and "password" not in line
    run = subprocess.run(line, shell=True, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    written = Path(line.rsplit(" ", 1)[-1])
    assert written.is_file() and written.parent == ROOT / "data"
    written.unlink()
