"""The accounts page: an admin adds accounts, disables and enables them and changes
roles; nobody else sees the list; a password typed there is stored nowhere in clear."""

import pytest
from fixtures import PASSWORD, TODAY, sign_in

import crm_core
from crm_core import accounts

ADMIN_PAGE = "pages/7_Admin.py"


@pytest.fixture
def admin_page(open_page, locked_db):  # noqa: F811
    return sign_in(open_page(ADMIN_PAGE, locked_db), "admin", PASSWORD)


def button(page, label):
    return next(b for b in page.button if b.label == label)


def team(db_path) -> dict:
    with crm_core.connect(db_path) as db:
        return {u["name"]: (u["role"], u["disabled"]) for u in accounts.users(db)}


def test_an_admin_sees_every_account_with_its_role_and_status(admin_page):
    assert not admin_page.exception
    table = admin_page.dataframe[0].value
    assert table[["name", "role", "status"]].values.tolist() == [["admin", "admin", "active"],
                                                                 ["vera", "viewer", "active"]]


def test_an_admin_disables_an_account_which_can_then_no_longer_sign_in(admin_page, locked_db):
    admin_page.selectbox(key="toggle_name").select("vera")
    page = button(admin_page.run(), "Disable").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    assert team(locked_db)["vera"] == ("viewer", 1)
    assert page.dataframe[0].value.set_index("name").loc["vera", "status"] == "disabled"
    with crm_core.connect(locked_db) as db:
        assert crm_core.authenticate(db, "vera", PASSWORD) is None
    page = button(page, "Enable").click().run()
    assert team(locked_db)["vera"] == ("viewer", 0)


def test_an_admin_makes_a_viewer_an_editor_who_can_then_write(admin_page, locked_db):
    admin_page.selectbox(key="role_name").select("vera")
    page = admin_page.run()
    page.selectbox(key="role_of:vera").select("editor")
    page = button(page, "Save changes").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    assert team(locked_db)["vera"] == ("editor", 0)
    with crm_core.connect(locked_db) as db:
        crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 1, author="vera", today=TODAY)


def test_an_admin_adds_an_account_and_its_password_is_stored_only_as_a_hash(admin_page, locked_db):
    admin_page.text_input(key="account_name").input("Eddie")
    admin_page.selectbox(key="account_role").select("editor")
    admin_page.text_input(key="account_password").input("eddie-secret-42")
    page = button(admin_page, "Add account").click().run()
    assert page.success[0].value == "Added Eddie as editor."
    with crm_core.connect(locked_db) as db:
        assert crm_core.authenticate(db, "Eddie", "eddie-secret-42") == crm_core.User("Eddie", "editor")
        assert "eddie-secret-42" not in "\n".join(db.conn.iterdump())


def test_a_viewer_opening_the_accounts_page_sees_no_account(open_page, locked_db):  # noqa: F811
    page = sign_in(open_page(ADMIN_PAGE, locked_db), "vera", PASSWORD)
    assert [w.value for w in page.warning] == ["Only an admin can manage accounts."]
    assert not page.dataframe and not page.main.text_input
