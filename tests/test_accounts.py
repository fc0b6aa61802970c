"""Accounts and roles are enforced in crm_core itself: a direct call with a
viewer's name is refused just like a hidden button."""

import datetime as dt

import pytest

import crm_core
from crm_core import accounts
from fixtures import TODAY


def with_team(db):
    crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
    crm_core.add_user(db, "Eddie", "editor-pass-1", "editor", acting="Ada")
    crm_core.add_user(db, "Vera", "viewer-pass-1", "viewer", acting="Ada")


def test_without_accounts_the_product_runs_open(story_db):
    with crm_core.connect(story_db) as db:
        assert not crm_core.accounts_exist(db)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="anyone", today=TODAY)


def test_the_first_account_must_be_an_admin_and_later_ones_need_an_admin(empty_db):
    with crm_core.connect(empty_db) as db:
        with pytest.raises(crm_core.ValidationError):
            crm_core.add_user(db, "Eddie", "editor-pass-1", "editor")
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        with pytest.raises(crm_core.AccessDenied):
            crm_core.add_user(db, "Mallory", "whatever-123", "admin")
        with pytest.raises(crm_core.ValidationError, match="at least 8"):
            crm_core.add_user(db, "Shorty", "short", "viewer", acting="Ada")


@pytest.mark.parametrize("write", [
    lambda db, who: crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author=who, today=TODAY),
    lambda db, who: crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", [], 3, 3, "x", who,
                                          today=TODAY),
    lambda db, who: crm_core.add_customer(db, {"name": "New Co"}, author=who, today=TODAY),
    lambda db, who: crm_core.delete_response(db, 1, author=who),
    lambda db, who: crm_core.move_stage(db, 2, "operational", "2025-05-01", author=who, today=TODAY),
    lambda db, who: crm_core.undo(db, who),
])
def test_viewers_unknown_and_anonymous_users_cannot_write(story_db, write):
    with crm_core.connect(story_db) as db:
        with_team(db)
        before = crm_core.history(db)
        for who in ("Vera", "Nobody", None):
            with pytest.raises(crm_core.AccessDenied):
                write(db, who)
        assert crm_core.history(db).equals(before)


def test_editors_and_admins_write_and_are_stamped_in_the_audit_trail(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Eddie", today=TODAY)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-02", 2, author="ada", today=TODAY)
        assert list(crm_core.history(db)["author"].tail(2)) == ["Eddie", "ada"]


def test_a_disabled_account_can_neither_sign_in_nor_write(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        accounts.set_disabled(db, "Eddie", True, acting="Ada")
        assert crm_core.authenticate(db, "Eddie", "editor-pass-1") is None
        with pytest.raises(crm_core.AccessDenied):
            crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Eddie", today=TODAY)
        with pytest.raises(crm_core.AccessDenied):
            accounts.set_disabled(db, "Ada", True, acting="Vera")


def test_passwords_are_salted_slow_hashes_never_stored_in_clear(empty_db):
    first, second = accounts.hash_password("same-secret"), accounts.hash_password("same-secret")
    assert first != second and first.startswith("scrypt$") and "same-secret" not in first
    assert accounts.verify_password("same-secret", first) and not accounts.verify_password("other", first)
    with crm_core.connect(empty_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        dump = "\n".join(db.conn.iterdump())
    assert "admin-pass-1" not in dump


def test_repeated_failed_logins_lock_the_account_for_longer_and_longer(empty_db):
    start = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.timezone.utc)
    with crm_core.connect(empty_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        for _ in range(accounts.FREE_ATTEMPTS):
            assert crm_core.authenticate(db, "Ada", "guess", now=start) is None
        assert accounts.locked_for(db, "Ada", now=start) == accounts.LOCK_SECONDS
        # The right password is refused while locked, accepted after the lock.
        assert crm_core.authenticate(db, "Ada", "admin-pass-1", now=start) is None
        later = start + dt.timedelta(seconds=accounts.LOCK_SECONDS + 1)
        assert crm_core.authenticate(db, "ada", "admin-pass-1", now=later) == crm_core.User("Ada", "admin")
        for _ in range(accounts.FREE_ATTEMPTS):
            crm_core.authenticate(db, "Ada", "guess", now=later)
        # Tries while locked are refused without counting; the next failure after it doubles the lock.
        crm_core.authenticate(db, "Ada", "guess", now=later)
        after_lock = later + dt.timedelta(seconds=accounts.LOCK_SECONDS + 1)
        crm_core.authenticate(db, "Ada", "guess", now=after_lock)
        assert accounts.locked_for(db, "Ada", now=after_lock) == accounts.LOCK_SECONDS * 2


def test_a_user_changes_their_own_password(empty_db):
    with crm_core.connect(empty_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        with pytest.raises(crm_core.ValidationError):
            accounts.change_password(db, "Ada", "wrong-one", "brand-new-pass")
        accounts.change_password(db, "Ada", "admin-pass-1", "brand-new-pass")
        assert crm_core.authenticate(db, "Ada", "brand-new-pass") is not None
        assert crm_core.authenticate(db, "Ada", "admin-pass-1") is None


def test_the_command_line_creates_the_first_admin_with_the_password_on_stdin(tmp_path, monkeypatch, capsys):
    import io

    from crm_core.__main__ import main
    path = str(tmp_path / "team.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-pass\n"))
    assert main(["--db", path, "user", "add", "Ada", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-1\n"))
    assert main(["--db", path, "user", "add", "Bob", "--role", "editor"]) == 2   # no admin named
    with crm_core.connect(path) as db:
        assert crm_core.authenticate(db, "Ada", "first-admin-pass") == crm_core.User("Ada", "admin")
    assert "first-admin-pass" not in capsys.readouterr().out
