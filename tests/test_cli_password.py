"""The command line asks for a new password twice on a terminal; a script's one line of
standard input stays one line."""

import io

import crm_core
from crm_core import accounts
from crm_core.__main__ import main
from fixtures import new_location


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def typed(monkeypatch, *answers: str) -> None:
    """The terminal, whose password prompts get ``answers`` in turn."""
    replies = iter(answers)
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_a_new_password_typed_twice_alike_creates_the_account(tmp_path, monkeypatch):
    path = str(new_location(tmp_path / "team.db"))
    typed(monkeypatch, "first-admin-pass", "first-admin-pass")
    assert main(["--db", path, "user", "add", "Ada", "--role", "admin"]) == 0
    with crm_core.connect(path) as db:
        assert crm_core.authenticate(db, "Ada", "first-admin-pass") == crm_core.User("Ada", "admin")


def test_two_different_passwords_create_nothing(tmp_path, monkeypatch, capsys):
    path = str(new_location(tmp_path / "team.db"))
    typed(monkeypatch, "first-admin-pass", "first-admin-pasz")
    assert main(["--db", path, "user", "add", "Ada", "--role", "admin"]) == 2
    assert "differ" in capsys.readouterr().err
    with crm_core.connect(path) as db:
        assert list(accounts.users(db)) == []
