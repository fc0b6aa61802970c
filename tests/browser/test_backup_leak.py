"""Nobody gets the database file through the web server: an admin signed in on the
Import and export page is shown the command that backs the database up on the
server, and no ``/media`` URL the page hands to the browser (in the DOM, on the
WebSocket, or fetched by it) answers a request without that session with the
database's bytes."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from fixtures import browser_sign_in, wait_until_idle
from playwright.sync_api import expect

MEDIA = re.compile(rb"/media/[0-9A-Za-z_.-]+")
SQLITE = b"SQLite format 3\x00"


def fetched_without_a_session(url: str) -> tuple[int, bytes]:
    """Status and body of a plain GET of ``url``: no cookie, no WebSocket session."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_no_media_url_of_the_admins_page_serves_the_database(fresh_team_server, page, team):
    seen: set[str] = set()
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda data: seen.update(m.decode() for m in MEDIA.findall(
            data if isinstance(data, bytes) else data.encode()))))
    page.on("request", lambda request: seen.update(m.decode() for m in MEDIA.findall(request.url.encode())))
    admin, (_, password) = next((n, a) for n, a in team.items() if a[0] == "admin")
    page.goto(f"{fresh_team_server.url}/Import_export")
    browser_sign_in(page, admin, password)
    expect(page.get_by_role("tab", name="Backup")).to_be_visible()
    page.get_by_role("tab", name="Backup").click()
    expect(page.get_by_text(" backup ", exact=False).first).to_be_visible()
    # A download the page does offer (an export): the URLs it goes through are collected too.
    page.get_by_role("tab", name="Export").click()
    with page.expect_download():
        page.get_by_role("button", name="Download as CSV").click()
    wait_until_idle(page)
    seen.update(m.decode() for m in MEDIA.findall(page.content().encode()))
    assert seen, "the collector saw no /media URL at all, not even the export's"
    for path in seen:
        status, body = fetched_without_a_session(fresh_team_server.url + path)
        assert not (status == 200 and body.startswith(SQLITE)), f"{path} serves the database to anyone"
