"""The meeting pack through a real server: a click on the button downloads the PDF of the
view, made on the click, in the page's language and as of its snapshot day."""

from __future__ import annotations

from fixtures import pick_customer, wait_until_idle
from playwright.sync_api import Page, expect
from pypdf import PdfReader


def downloaded_text(page: Page, button: str) -> tuple[str, str]:
    """(file name, text) of the PDF the button named ``button`` downloads."""
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    reader = PdfReader(download.value.path())
    return download.value.suggested_filename, " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_the_journeys_button_downloads_the_customers_pack(server, page, demo_portfolio):
    customer_id, name = pick_customer(demo_portfolio)
    page.goto(f"{server.url}/Customer_journey?customer={customer_id}&as_of=2026-06-30&lang=fr")
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    file_name, text = downloaded_text(page, "Dossier de réunion")
    assert file_name == f"meeting-pack-customer-{customer_id}-2026-06-30.pdf"
    assert f"Dossier de réunion: {name}" in text and "Instantané : fin du 30 juin 2026" in text
    assert f"/Customer_journey?as_of=2026-06-30&lang=fr&customer={customer_id}" in text


def test_the_overviews_button_downloads_the_portfolio_pack(server, page):
    page.goto(f"{server.url}/?as_of=2026-06-30&period=30")
    wait_until_idle(page)
    file_name, text = downloaded_text(page, "Meeting pack")
    assert file_name == "meeting-pack-portfolio-2026-06-30.pdf"
    assert "Meeting pack: Portfolio overview" in text and "/?as_of=2026-06-30&lang=en&period=30" in text
