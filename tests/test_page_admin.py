"""The accounts page: an admin adds accounts, disables and enables them and changes
roles; nobody else sees the list; a password typed there is stored nowhere in clear."""

import pytest
from fixtures import PASSWORD, TODAY, dump, sign_in

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
    assert table[["name", "role", "status"]].values.tolist() == [["admin", "Admin", "Active"],
                                                                 ["vera", "Viewer", "Active"]]


def test_an_admin_disables_an_account_which_can_then_no_longer_sign_in(admin_page, locked_db):
    admin_page.selectbox(key="toggle_name").select("vera")
    page = button(admin_page.run(), "Disable").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    assert team(locked_db)["vera"] == ("viewer", 1)
    assert page.dataframe[0].value.set_index("name").loc["vera", "status"] == "Disabled"
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
    assert page.success[0].value == "Added Eddie as Editor."
    with crm_core.connect(locked_db) as db:
        assert crm_core.authenticate(db, "Eddie", "eddie-secret-42") == crm_core.User("Eddie", "editor")
        assert "eddie-secret-42" not in dump(db)


def test_a_viewer_opening_the_accounts_page_sees_no_account(open_page, locked_db):  # noqa: F811
    page = sign_in(open_page(ADMIN_PAGE, locked_db), "vera", PASSWORD)
    assert [w.value for w in page.warning] == ["Only an admin can manage accounts."]
    assert not page.dataframe and not page.main.text_input


def test_in_open_mode_nobody_makes_themselves_admin_from_the_browser(open_page, story_db, tmp_path):
    import subprocess

    page = open_page(ADMIN_PAGE, story_db)
    assert not page.exception
    assert not page.main.text_input and not page.main.get("form") and not page.main.button
    assert team(story_db) == {}
    command = page.code[0].value
    assert " user add " in command and "--role admin" in command
    # The command shown is the one that works, from any folder, on this database.
    run = subprocess.run(command, shell=True, cwd=tmp_path, input="a long admin password\n", capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert team(story_db) == {"Your Name": ("admin", 0)}


@pytest.mark.parametrize("address, says", [
    ("127.0.0.1", "Only this computer can reach the app."),
    ("localhost", "Only this computer can reach the app."),
    ("::1", "Only this computer can reach the app."),
    ("192.168.1.20", "Anyone on the network who can reach 192\\.168\\.1\\.20 can open it."),
    (None, "Anyone on the network who can reach this computer can open it."),
    ("0.0.0.0", "Anyone on the network who can reach this computer can open it."),
])
def test_the_open_mode_banner_says_who_can_reach_the_app(open_page, story_db, address, says):
    from streamlit import config

    # As `streamlit run --server.address` sets it; st.set_option refuses server options at run time.
    previous = config.get_option("server.address")
    config._set_option("server.address", address, "command-line argument or environment variable")
    try:
        page = open_page("app.py", story_db)
    finally:
        config._set_option("server.address", previous, "<default>")
    banner = next(c.value for c in page.sidebar.caption if c.value.startswith("🔓"))
    assert says in banner
