"""The login gate: once an account exists, every page (opened directly, as a shared
link would) shows only the sign-in form; signing in shows the view the URL names;
a viewer reads but cannot write."""

import re

import pytest
from fixtures import PAGES, PASSWORD, sign_in

import crm_core
from pages.common.auth import ACCOUNT_BOX


def shown_text(page) -> str:
    parts = [e.value for kind in ("title", "header", "markdown", "caption", "info", "success", "warning")
             for e in getattr(page, kind)]
    parts += [str(m.value) for m in page.metric] + [d.value.to_string() for d in page.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_shows_only_the_sign_in_form(open_page, locked_db, page_file):
    page = open_page(page_file, locked_db, customer="1")
    assert not page.exception
    assert page.title[0].value == "🔒 Sign in"
    assert not page.metric and not page.dataframe
    assert "Acme Turbines" not in shown_text(page)


def test_signing_in_shows_the_view_the_link_names(open_page, locked_db):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1", as_of="2025-03-31")
    page = sign_in(page, "admin", PASSWORD)
    assert not page.exception
    assert page.header[0].value == "Acme Turbines"
    assert page.query_params["customer"] == "1" and page.query_params["as_of"] == "2025-03-31"
    assert {m.label: m.value for m in page.metric}["Final opinion"] == "+2"


def test_a_wrong_password_shows_an_error_and_no_data(open_page, locked_db):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1")
    page = sign_in(page, "admin", "not the password")
    assert page.error[0].value.startswith("Wrong name or password")
    assert "Acme Turbines" not in shown_text(page)
    assert PASSWORD not in str(dict(page.query_params))


def test_a_viewer_reads_but_a_save_is_refused(open_page, locked_db):
    page = open_page("pages/5_Log_response.py", locked_db, customer="1")
    page = sign_in(page, "vera", PASSWORD)
    assert any("can read but not change" in i.value for i in page.info)
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 4
    page.text_input(key="response_summary").input("Viewer tries to write")
    [b for b in page.button if b.label == "Save response"][0].click().run()
    assert any("viewer" in e.value for e in page.error)
    with crm_core.connect(locked_db) as db:
        assert "Viewer tries to write" not in set(crm_core.journey(db, 1).responses["summary"])


def test_a_user_changes_their_own_password_in_the_sidebar(open_page, locked_db):
    page = account_box(sign_in(open_page("pages/2_Checklist_gaps.py", locked_db), "vera", PASSWORD))
    page.sidebar.text_input(key="own_password").input(PASSWORD)
    page.sidebar.text_input(key="own_new_password").input("a brand new secret")
    page = next(b for b in page.sidebar.button if b.label == "Change password").click().run()
    assert not page.exception and [s.value for s in page.success] == ["Password changed."]
    with crm_core.connect(locked_db) as db:
        assert crm_core.authenticate(db, "vera", "a brand new secret") == crm_core.User("vera", "viewer")
        assert crm_core.authenticate(db, "vera", PASSWORD) is None


def test_repeated_wrong_passwords_are_slowed_down_by_a_lock(open_page, locked_db):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1")
    for _ in range(crm_core.accounts.FREE_ATTEMPTS - 1):
        page = sign_in(page, "admin", "a wrong guess")
        assert page.error[0].value.startswith("Wrong name or password")
    page = sign_in(page, "admin", "a wrong guess")
    assert page.error[0].value.startswith("Too many failed attempts. Try again in ")
    assert "Acme Turbines" not in shown_text(page)
    with crm_core.connect(locked_db) as db:
        assert {u["name"]: u["failed_logins"] for u in crm_core.accounts.users(db)} == {
            "admin": crm_core.accounts.FREE_ATTEMPTS, "vera": 0}


def test_without_accounts_pages_are_open_and_say_so_in_the_sidebar(open_page, story_db):
    page = open_page("pages/1_Customer_journey.py", story_db, customer="1")
    assert page.header[0].value == "Acme Turbines"
    assert "sign_in_password" not in [t.key for t in page.text_input]
    assert any(c.value.startswith("🔓 Open mode: no accounts,") for c in page.sidebar.caption)


def test_a_session_whose_account_is_disabled_is_signed_out_at_its_next_step(open_page, locked_db):
    page = sign_in(open_page("pages/1_Customer_journey.py", locked_db, customer="1"), "vera", PASSWORD)
    assert page.header[0].value == "Acme Turbines"
    with crm_core.connect(locked_db) as db:
        crm_core.accounts.set_disabled(db, "vera", True, author="admin")
    page = page.run()
    assert page.title[0].value == "🔒 Sign in" and "Acme Turbines" not in shown_text(page)


def test_a_new_role_applies_to_a_signed_in_session_at_its_next_step(open_page, locked_db):
    page = sign_in(open_page("pages/5_Log_response.py", locked_db, customer="1"), "vera", PASSWORD)
    assert any("can read but not change" in i.value for i in page.info)
    with crm_core.connect(locked_db) as db:
        crm_core.accounts.set_role(db, "vera", "editor", author="admin")
    page = page.run()
    assert not any("can read but not change" in i.value for i in page.info)
    assert page.session_state["user"] == crm_core.User("vera", "editor")


def holds_database_bytes(page) -> bool:
    """Whether any value of the session's state holds the bytes of an SQLite file."""
    return any(isinstance(v, (bytes, bytearray)) and b"SQLite format 3" in v for v in page.session_state.values())


def offers_a_backup(page) -> bool:
    return any("backup" in button.label.lower() for button in page.get("download_button"))


def account_box(page):
    """The page with the sidebar's account expander open (as a click on it opens it: the
    page reruns; what a click keeps is ``<key>:open``); closed, it holds nothing."""
    page.session_state[f"{ACCOUNT_BOX}:open"] = True
    return page.run()


def sign_out(page):
    next(b for b in account_box(page).sidebar.button if b.label == "Sign out").click()
    return page.run()


def test_signing_out_leaves_nothing_for_the_next_person_on_the_tab(open_page, locked_db):
    with crm_core.connect(locked_db) as db:
        crm_core.add_user(db, "eddie", PASSWORD, "editor", author="admin")
    page = sign_in(open_page("pages/9_Import_export.py", locked_db), "admin", PASSWORD)
    assert not page.exception
    # The admin is told how to take a backup on the server; the browser never receives one.
    assert any(" backup " in c.value and "crm-backup-" in c.value for c in page.code)
    assert not offers_a_backup(page) and not holds_database_bytes(page)
    page.session_state["typed_by_admin"] = "a draft"
    page = sign_out(page)
    assert page.title[0].value == "🔒 Sign in"
    assert "user" not in page.session_state and "typed_by_admin" not in page.session_state
    page = sign_in(page, "eddie", PASSWORD)
    assert not page.exception and page.session_state["user"].name == "eddie"
    assert not offers_a_backup(page) and not holds_database_bytes(page)
    assert "typed_by_admin" not in page.session_state


def test_a_disabled_account_loses_its_session_and_everything_in_it(open_page, locked_db):
    page = sign_in(open_page("pages/7_Admin.py", locked_db), "vera", PASSWORD)
    page.session_state["typed_by_vera"] = "a draft"
    with crm_core.connect(locked_db) as db:
        crm_core.accounts.set_disabled(db, "vera", True, author="admin")
    page = page.run()
    assert page.title[0].value == "🔒 Sign in"
    assert "typed_by_vera" not in page.session_state and "user" not in page.session_state


def cookie_written(page) -> tuple[str, int] | None:
    """The value and Max-Age the page's script writes into the sign-in cookie (None if it writes none)."""
    for element in page.get("html"):
        found = re.search(r"crm_sign_in=([^;]*); Max-Age=(\d+)", element.proto.body)
        if found:
            return found.group(1), int(found.group(2))
    return None


@pytest.fixture
def browser_cookie(monkeypatch):
    """``browser_cookie(token)``: the sign-in cookie the browser sends to the next session
    (AppTest cannot send cookies; the browser test sends real ones)."""
    from pages.common import auth

    def send(token):
        monkeypatch.setattr(auth, "request_cookie", lambda name: token if name == auth.COOKIE else None)
    return send


def test_a_new_session_of_the_same_browser_stays_signed_in_until_sign_out(open_page, locked_db, browser_cookie):
    page = sign_in(open_page("pages/1_Customer_journey.py", locked_db, customer="1"), "vera", PASSWORD)
    token, max_age = cookie_written(page)
    assert max_age == 12 * 3600 and len(token) >= 40
    assert token not in str(dict(page.query_params))
    browser_cookie(token)                                   # a reload, or a new tab
    again = open_page("pages/1_Customer_journey.py", locked_db, customer="1")
    assert not again.exception and again.header[0].value == "Acme Turbines"
    assert again.session_state["user"].name == "vera" and cookie_written(again) is None
    again = sign_out(again)
    assert again.title[0].value == "🔒 Sign in" and cookie_written(again) == ("", 0)   # deleted in the browser
    later = open_page("pages/1_Customer_journey.py", locked_db, customer="1")     # the old cookie, revoked
    assert later.title[0].value == "🔒 Sign in" and "user" not in later.session_state


@pytest.mark.parametrize("change", ["disable", "role", "password"])
def test_an_account_change_ends_the_remembered_sign_in(open_page, locked_db, browser_cookie, change):
    token, _ = cookie_written(sign_in(open_page("app.py", locked_db), "vera", PASSWORD))
    with crm_core.connect(locked_db) as db:
        if change == "disable":
            crm_core.accounts.set_disabled(db, "vera", True, author="admin")
        elif change == "role":
            crm_core.accounts.set_role(db, "vera", "editor", author="admin")
        else:
            crm_core.accounts.change_password(db, "vera", PASSWORD, "another long password")
    browser_cookie(token)
    page = open_page("app.py", locked_db)
    assert page.title[0].value == "🔒 Sign in" and cookie_written(page) == ("", 0)


def test_open_mode_remembers_the_author_typed(open_page, story_db, browser_cookie):
    page = open_page("pages/5_Log_response.py", story_db, customer="1")
    page.sidebar.text_input(key="author").input("Olga").run()
    token, _ = cookie_written(page)
    browser_cookie(token)
    again = open_page("pages/5_Log_response.py", story_db, customer="1")
    assert not again.exception and again.sidebar.text_input(key="author").value == "Olga"


@pytest.fixture
def behind_a_proxy(monkeypatch):
    """``behind_a_proxy(name)``: the app trusts ``X-Forwarded-User`` and the next session's
    request carries it with ``name`` (None: the header is missing). AppTest cannot send
    headers; tests/browser/test_login.py sends real ones through a real server."""
    from pages.common import auth

    def send(name):
        monkeypatch.setenv("CRM_TRUSTED_HEADER", "X-Forwarded-User")
        monkeypatch.setattr(auth, "request_header", lambda header: name if header == "X-Forwarded-User" else None)
    return send


@pytest.mark.parametrize("page_file", PAGES)
def test_behind_a_trusted_proxy_the_header_signs_in_and_nothing_else_does(open_page, locked_db, behind_a_proxy,
                                                                          browser_cookie, page_file):
    token, _ = cookie_written(sign_in(open_page("app.py", locked_db), "admin", PASSWORD))
    browser_cookie(token)                       # a remembered sign-in does not count behind the proxy
    behind_a_proxy(None)
    page = open_page(page_file, locked_db, customer="1")
    assert not page.exception and page.title[0].value == "🔒 Access refused"
    assert not page.metric and not page.dataframe and not page.text_input and "Acme Turbines" not in shown_text(page)
    behind_a_proxy("Vera")                      # names are matched as people type them
    page = open_page(page_file, locked_db, customer="1")
    assert not page.exception and page.session_state["user"] == crm_core.User("vera", "viewer")
    assert any("vera · viewer" in c.value for c in page.sidebar.caption)
    assert "sign_in_password" not in page.session_state
    assert not {b.label for b in page.sidebar.button} & {"Sign out", "Change password"}


def test_behind_a_trusted_proxy_an_unknown_or_disabled_name_is_refused(open_page, locked_db, behind_a_proxy):
    behind_a_proxy("mallory")
    page = open_page("app.py", locked_db)
    assert page.title[0].value == "🔒 Access refused" and "mallory has no active account" in page.error[0].value
    with crm_core.connect(locked_db) as db:
        crm_core.accounts.set_disabled(db, "vera", True, author="admin")
    behind_a_proxy("vera")
    assert open_page("app.py", locked_db).title[0].value == "🔒 Access refused"
