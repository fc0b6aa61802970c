"""Remembered sign-ins (issue 17): a random token the browser keeps names an account
(or, in open mode, a typed author) until it expires; only its digest is stored,
and signing out, disabling the account, changing its role or its password revoke
it, whichever code path makes the change."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from fixtures import database_before, dump

import crm_core
from crm_core import accounts, storage
from crm_core.storage import schema

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
ADA = accounts.User("Ada", "admin")
EDDIE = accounts.User("Eddie", "editor")


@pytest.fixture
def team_db(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        crm_core.add_user(db, "Eddie", "editor-pass-1", "editor", author="Ada")
    return story_db


def everything_stored(path) -> str:
    with crm_core.connect(path) as db:
        return dump(db)


def test_a_remembered_sign_in_comes_back_as_the_account_and_only_its_digest_is_stored(team_db):
    with crm_core.connect(team_db) as db:
        kept = accounts.remember(db, user=EDDIE, now=NOW)
        assert kept.max_age == accounts.REMEMBER_HOURS * 3600 and len(kept.token) >= 40
        assert accounts.recall(db, kept.token, now=NOW + dt.timedelta(hours=11)) == EDDIE
        assert accounts.recall(db, kept.token + "x", now=NOW) is None
        assert accounts.recall(db, "", now=NOW) is None and accounts.recall(db, None, now=NOW) is None
    assert kept.token not in everything_stored(team_db)


def test_it_expires_and_signing_out_revokes_it(team_db):
    with crm_core.connect(team_db) as db:
        first = accounts.remember(db, user=EDDIE, now=NOW)
        second = accounts.remember(db, user=EDDIE, now=NOW)      # another browser of Eddie's
        assert accounts.recall(db, first.token, now=NOW + dt.timedelta(hours=12)) is None
        accounts.forget(db, second.token)
        assert accounts.recall(db, second.token, now=NOW) is None
        assert accounts.recall(db, first.token, now=NOW) == EDDIE   # signing out ends this browser only


@pytest.mark.parametrize("change", [
    lambda db: accounts.set_disabled(db, "Eddie", True, author="Ada"),
    lambda db: accounts.set_role(db, "Eddie", "viewer", author="Ada"),
    lambda db: accounts.change_password(db, "Eddie", "editor-pass-1", "a new password"),
], ids=["disabled", "role changed", "password changed"])
def test_changing_the_account_revokes_its_remembered_sign_ins(team_db, change):
    with crm_core.connect(team_db) as db:
        eddie = accounts.remember(db, user=EDDIE, now=NOW)
        ada = accounts.remember(db, user=ADA, now=NOW)
        change(db)
        assert accounts.recall(db, eddie.token, now=NOW) is None
        assert accounts.recall(db, ada.token, now=NOW) == ADA


def test_enabling_an_account_again_does_not_revive_its_old_sign_ins(team_db):
    with crm_core.connect(team_db) as db:
        eddie = accounts.remember(db, user=EDDIE, now=NOW)
        accounts.set_disabled(db, "Eddie", True, author="Ada")
        accounts.set_disabled(db, "Eddie", False, author="Ada")
        assert accounts.recall(db, eddie.token, now=NOW) is None


def test_the_command_line_revokes_too(team_db):
    with crm_core.connect(team_db) as db:
        eddie = accounts.remember(db, user=EDDIE, now=NOW)
    run = subprocess.run([sys.executable, "-m", "crm_core", "--db", str(team_db), "user", "role", "Eddie",
                          "--role", "viewer", "--as", "Ada"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with crm_core.connect(team_db) as db:
        assert accounts.recall(db, eddie.token, now=NOW) is None


def test_failed_sign_ins_do_not_revoke_it(team_db):
    with crm_core.connect(team_db) as db:
        eddie = accounts.remember(db, user=EDDIE, now=NOW)
        assert crm_core.authenticate(db, "Eddie", "wrong password", now=NOW) is None
        assert accounts.recall(db, eddie.token, now=NOW) == EDDIE


def test_open_mode_remembers_the_typed_author_until_accounts_exist(story_db):
    with crm_core.connect(story_db) as db:
        kept = accounts.remember(db, author="  Olga Open  ", now=NOW)
        assert accounts.recall(db, kept.token, now=NOW) == "Olga Open"
        assert accounts.remember(db, author="   ", now=NOW) is None
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        assert accounts.recall(db, kept.token, now=NOW) is None
        assert accounts.remember(db, author="Olga Open", now=NOW) is None


@pytest.mark.parametrize("hours, remembered", [("0", False), ("0.5", True), ("", True)])
def test_the_time_is_a_setting_and_zero_turns_it_off(team_db, monkeypatch, hours, remembered):
    monkeypatch.setenv("CRM_REMEMBER_HOURS", hours)
    with crm_core.connect(team_db) as db:
        kept = accounts.remember(db, user=EDDIE, now=NOW)
    assert (kept is not None) == remembered
    if hours == "0.5":
        assert kept.max_age == 1800


@pytest.mark.parametrize("hours", ["twelve", "-1", "nan", "1e9"])
def test_a_bad_setting_is_named_in_words(monkeypatch, hours):
    monkeypatch.setenv("CRM_REMEMBER_HOURS", hours)
    with pytest.raises(ValueError, match="CRM_REMEMBER_HOURS must be a number of hours"):
        accounts.remember_hours()


def test_an_existing_database_gets_the_table_and_keeps_its_accounts(tmp_path):
    with database_before(tmp_path / "old.db", "m013_remembered_sign_ins") as (path, old):
        old.execute("INSERT INTO users (name, name_key, role, password_hash, created_at) VALUES"
                    " ('Ada', 'ada', 'admin', :hash, '2026-01-01')", {"hash": accounts.hash_password("admin-pass-1")})
        assert "remembered_sign_ins" not in storage.table_names(old)
    with crm_core.connect(path) as db:
        assert schema.pending(db) == []
        assert crm_core.authenticate(db, "Ada", "admin-pass-1") == ADA
        assert accounts.recall(db, accounts.remember(db, user=ADA, now=NOW).token, now=NOW) == ADA
