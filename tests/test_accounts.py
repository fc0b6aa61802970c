"""Accounts and roles are enforced in crm_core itself: a direct call with a
viewer's name is refused just like a hidden button."""

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from fixtures import TODAY, dump, new_location

import crm_core
from crm_core import accounts, checklist, importer, outcomes, saved_views


def with_team(db):
    crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
    crm_core.add_user(db, "Eddie", "editor-pass-1", "editor", author="Ada")
    crm_core.add_user(db, "Vera", "viewer-pass-1", "viewer", author="Ada")


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
            crm_core.add_user(db, "Shorty", "short", "viewer", author="Ada")


def team_db(story_db) -> str:
    """The story with a team, a service case, a promise and a follow-up (id 1 each) opened by Ada,
    and an opinion recorded by Eddie (so he has something to undo)."""
    with crm_core.connect(story_db) as db:
        with_team(db)
        crm_core.open_case(db, 1, "2025-06-02T09:00", "Pump trips", "high", author="Ada",
                           now=dt.datetime(2026, 11, 24, 12))
        crm_core.record_promise(db, 1, "operational", "2025-06-01", "training", "Train the crew", author="Ada",
                                today=TODAY)
        crm_core.create_follow_up(db, 1, "ops.delays", author="Ada", today=TODAY)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-03", 0, author="Eddie", today=TODAY)
    return story_db


def _import(db, author):
    table = importer.read_table(b"name,created_on\nImported Co,2026-01-05\n", "customers.csv")
    plan = importer.preview(db, table, "customers", {"name": "name", "created_on": "created_on"}, today=TODAY)
    return importer.apply(db, plan, author, only_valid=False)


NOW = dt.datetime(2026, 11, 24, 12)
# Every function of crm_core that changes the database: the lowest role allowed, and a
# call that succeeds for that role on ``team_db``. ``test_this_list_names_every_write``
# keeps it complete.
WRITES = {
    "writes.add_customer": ("editor", lambda db, author: crm_core.add_customer(db, {"name": "New Co"}, author=author,
                                                                             today=TODAY)),
    "writes.update_customer": ("editor", lambda db, author: crm_core.update_customer(
        db, 3, {"name": "Cobalt Mining", "sector": "Mining"}, author=author, today=TODAY)),
    "writes.move_stage": ("editor", lambda db, author: crm_core.move_stage(db, 2, "operational", "2025-05-01",
                                                                         author=author, today=TODAY)),
    "writes.log_response": ("editor", lambda db, author: crm_core.log_response(
        db, 1, "operational", "2025-06-01", "phone", [], 3, 3, "x", author, today=TODAY)),
    "writes.update_response": ("editor", lambda db, author: crm_core.update_response(
        db, 1, {"summary": "Corrected"}, author=author, today=TODAY)),
    "writes.delete_response": ("editor", lambda db, author: crm_core.delete_response(db, 1, author=author)),
    "writes.record_opinion": ("editor", lambda db, author: crm_core.record_opinion(
        db, 2, "pre_deal", "2025-04-01", 1, author=author, today=TODAY)),
    "writes.update_opinion": ("editor", lambda db, author: crm_core.update_opinion(db, 1, {"score": 0}, author=author,
                                                                                 today=TODAY)),
    "writes.delete_opinion": ("editor", lambda db, author: crm_core.delete_opinion(db, 1, author=author)),
    "writes.undo": ("editor", lambda db, author: crm_core.undo(db, author)),
    "importer.apply": ("editor", _import),
    "service.open_case": ("editor", lambda db, author: crm_core.open_case(db, 2, "2025-06-03T10:00", "Noise", "low",
                                                                        author=author, now=NOW)),
    "service.log_case_event": ("editor", lambda db, author: crm_core.log_case_event(
        db, 1, "first_reply", "2025-06-02T10:00", author=author, now=NOW)),
    "service.set_service_target": ("admin", lambda db, author: crm_core.set_service_target(db, "low", 48, 96, 240,
                                                                                         author=author)),
    "promises.record_promise": ("editor", lambda db, author: crm_core.record_promise(
        db, 1, "pre_deal", "2025-02-01", "price", "Fixed price", author=author, today=TODAY)),
    "promises.resolve_promise": ("editor", lambda db, author: crm_core.resolve_promise(db, 1, "kept", "2025-07-01",
                                                                                     author=author, today=TODAY)),
    "outcomes.record_outcome": ("editor", lambda db, author: crm_core.record_outcome(
        db, 1, "referral_given", "2025-08-01", counterpart="Delta Ports", author=author, today=TODAY)),
    "followups.create_follow_up": ("editor", lambda db, author: crm_core.create_follow_up(
        db, 2, "pre.data", author=author, today=TODAY)),
    "followups.update_follow_up": ("editor", lambda db, author: crm_core.update_follow_up(
        db, 1, owner="Eddie", due_on="2026-12-24", author=author)),
    "followups.close_follow_up": ("editor", lambda db, author: crm_core.close_follow_up(db, 1, author=author,
                                                                                      today=TODAY)),
    "accounts.add_user": ("admin", lambda db, author: crm_core.add_user(db, "Newbie", "newbie-pass-1", "viewer",
                                                                      author=author)),
    "accounts.set_disabled": ("admin", lambda db, author: accounts.set_disabled(db, "Vera", True, author=author)),
    "accounts.set_role": ("admin", lambda db, author: accounts.set_role(db, "Vera", "editor", author=author)),
    "checklist.add_item": ("admin", lambda db, author: checklist.add_item(db, "pre_deal", "Site visit",
                                                                        author=author)),
    "checklist.reword_item": ("admin", lambda db, author: checklist.reword_item(db, "pre.data", "fr", "Données",
                                                                              author=author)),
    "checklist.move_item": ("admin", lambda db, author: checklist.move_item(db, "pre.data", 1, author=author)),
    "outcomes.set_currency": ("admin", lambda db, author: outcomes.set_currency(db, "USD", author=author)),
    "saved_views.save_view": ("viewer", lambda db, author: saved_views.save_view(db, "Mine", "gaps", {},
                                                                               author=author)),
    "saved_views.rename_view": ("viewer", lambda db, author: saved_views.rename_view(
        db, saved_views.save_view(db, "Mine", "gaps", {}, author=author), "Renamed", author=author)),
    "saved_views.delete_view": ("viewer", lambda db, author: saved_views.delete_view(
        db, saved_views.save_view(db, "Mine", "gaps", {}, author=author), author=author)),
}
# retire_item and restore_item write through checklist._set_active, whose roles
# tests/test_checklist_admin.py checks.
# Writes that take no author, and why that is right.
NOT_ROLE_CHECKED = {
    "accounts.authenticate": "signing in; it only counts failed attempts",
    "accounts.change_password": "a user's own password; the old one is the check",
    "accounts.remember": "a browser remembering who signed in (or the open-mode author); no fact changes",
    "accounts.forget": "signing out: revokes a remembered sign-in its holder presents",
    "writes.rebuild_summaries": "recomputes derived tables from the rows; no fact changes",
}
AUTHORS = {"viewer": "Vera", "editor": "Eddie", "admin": "Ada"}
REFUSED = {"viewer": ("Nobody", None), "editor": ("Vera", "Nobody", None), "admin": ("Eddie", "Vera", "Nobody", None)}


def write_functions() -> set[str]:
    """``module.function`` of every public function of crm_core's modules (not the
    storage door, which holds SQL and no rules, nor the write funnel itself) that
    opens a write transaction; a package's functions count as the package's."""
    found = set()
    for module_info in pkgutil.walk_packages(crm_core.__path__, "crm_core."):
        top = module_info.name.split(".")[1]
        if top in ("storage", "funnel", "__main__", "demo", "bench"):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                source = inspect.getsource(function)
                if re.search(r"\b(transaction|change|batch|unaudited|_set_account)\(", source):
                    found.add(f"{top}.{name}")
    return found


def test_this_list_names_every_write():
    assert write_functions() == set(WRITES) | set(NOT_ROLE_CHECKED)


@pytest.mark.parametrize("write", WRITES)
def test_every_write_refuses_a_role_that_may_not_do_it_and_writes_nothing(story_db, write):
    role, call = WRITES[write]
    with crm_core.connect(team_db(story_db)) as db:
        before = dump(db)
        for author in REFUSED[role]:
            with pytest.raises(crm_core.AccessDenied):
                call(db, author)
        assert dump(db) == before
        call(db, AUTHORS[role])
        assert dump(db) != before


def test_editors_and_admins_write_and_are_stamped_in_the_audit_trail(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Eddie", today=TODAY)
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-02", 2, author="ada", today=TODAY)
        # Stamped with the account's own spelling: "ada" and "Ada" are one person.
        assert list(crm_core.history(db)["author"].tail(2)) == ["Eddie", "Ada"]


def test_a_disabled_account_can_neither_sign_in_nor_write(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        assert accounts.active_user(db, "eddie") == crm_core.User("Eddie", "editor")
        accounts.set_disabled(db, "Eddie", True, author="Ada")
        assert crm_core.authenticate(db, "Eddie", "editor-pass-1") is None
        assert accounts.active_user(db, "Eddie") is None and accounts.active_user(db, "Nobody") is None
        with pytest.raises(crm_core.AccessDenied):
            crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Eddie", today=TODAY)
        with pytest.raises(crm_core.AccessDenied):
            accounts.set_disabled(db, "Ada", True, author="Vera")


def test_an_admin_changes_roles_but_the_last_active_admin_stays(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        accounts.set_role(db, "Vera", "editor", author="Ada")
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="Vera", today=TODAY)
        with pytest.raises(crm_core.ValidationError, match="one of viewer, editor, admin"):
            accounts.set_role(db, "Vera", "owner", author="Ada")
        for change in (lambda: accounts.set_role(db, "Ada", "editor", author="Ada"),
                       lambda: accounts.set_disabled(db, "Ada", True, author="Ada")):
            with pytest.raises(crm_core.ValidationError, match="at least one active admin"):
                change()
        accounts.set_role(db, "Eddie", "admin", author="Ada")
        accounts.set_role(db, "Ada", "viewer", author="Eddie")
        assert {u["name"]: u["role"] for u in accounts.users(db)} == {"Ada": "viewer", "Eddie": "admin",
                                                                      "Vera": "editor"}


def test_passwords_are_salted_slow_hashes_never_stored_in_clear(empty_db):
    first, second = accounts.hash_password("same-secret"), accounts.hash_password("same-secret")
    assert first != second and first.startswith("scrypt$") and "same-secret" not in first
    assert accounts.verify_password("same-secret", first) and not accounts.verify_password("other", first)
    with crm_core.connect(empty_db) as db:
        crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
        stored = dump(db)
    assert "admin-pass-1" not in stored


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
    path = str(new_location(tmp_path / "team.db"))
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-pass\n"))
    assert main(["--db", path, "user", "add", "Ada", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-1\n"))
    assert main(["--db", path, "user", "add", "Bob", "--role", "editor"]) == 2   # no admin named
    assert main(["--db", path, "user", "role", "Bob", "--role", "editor", "--as", "Ada"]) == 2   # no Bob yet
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-1\n"))
    assert main(["--db", path, "user", "add", "Bob", "--role", "viewer", "--as", "Ada"]) == 0
    assert main(["--db", path, "user", "role", "Bob", "--role", "editor", "--as", "Ada"]) == 0
    assert main(["--db", path, "user", "disable", "Ada", "--as", "Ada"]) == 2   # the last active admin
    with crm_core.connect(path) as db:
        assert crm_core.authenticate(db, "Ada", "first-admin-pass") == crm_core.User("Ada", "admin")
        assert crm_core.authenticate(db, "Bob", "another-pass-1") == crm_core.User("Bob", "editor")
    out = capsys.readouterr().out
    assert "first-admin-pass" not in out and "another-pass-1" not in out


@pytest.mark.parametrize("write", [*WRITES, "accounts.change_password"])
def test_every_write_leaves_audit_rows_stamped_with_its_author_resolved(story_db, write):
    """Every write, account changes included, appends audit rows; they name the
    account as it spells itself, however the caller typed the name."""
    role, call = WRITES.get(write) or ("viewer", lambda db, author: accounts.change_password(
        db, author, "viewer-pass-1", "viewer-pass-2"))
    author = AUTHORS.get(role, "Vera")
    with crm_core.connect(team_db(story_db)) as db:
        before = len(crm_core.history(db))
        call(db, f"  {author.lower()} ")
        added = crm_core.history(db).iloc[before:]
    assert len(added) > 0 and set(added["author"]) == {author}


def test_signing_in_and_rebuilding_summaries_leave_no_audit_row(story_db):
    """Failed-login counts and locks are bookkeeping anyone can cause by typing a
    name: they are not changes anybody made, so they stay out of the trail."""
    with crm_core.connect(team_db(story_db)) as db:
        before = len(crm_core.history(db))
        for _ in range(accounts.FREE_ATTEMPTS + 1):
            assert crm_core.authenticate(db, "Vera", "wrong password") is None
        crm_core.rebuild_summaries(db)
        assert len(crm_core.history(db)) == before


@pytest.mark.parametrize("address, alone", [("127.0.0.1", True), ("127.8.0.1", True), ("localhost", True),
                                            ("::1", True), ("[::1]", True), (None, False), ("", False),
                                            ("0.0.0.0", False), ("::", False), ("10.0.0.5", False),
                                            ("crm.example.com", False)])
def test_only_a_loopback_address_keeps_the_app_to_this_computer(address, alone):
    assert accounts.only_this_computer(address) is alone
