"""The meeting pack: the PDF of a customer's journey or of the portfolio overview, read back
with pypdf and compared with the reads the pages show, in every language, from the
command line and from the pages' button."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

import crm_core
from crm_core import checklist, i18n, outcomes, pack, wording
from crm_core.__main__ import main
from fixtures import PASSWORD, ROOT, sign_in

DAY = dt.date(2026, 6, 30)


def pdf_text(document: bytes) -> tuple[int, str]:
    """The PDF's page count and its text, each run of white space one space."""
    reader = PdfReader(io.BytesIO(document))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def post_deal_customer(db) -> int:
    """A demo customer past delivery on ``DAY``: every stage reached, some items missing."""
    table = crm_core.portfolio(db, DAY)
    found = table[(table["stage"] == "post_deal") & table["final_opinion"].notna()
                  & (table["items_covered"] < table["items_total"])]
    return int(found["customer_id"].iloc[0])


def kpis(figures) -> str:
    """The overview's four key figures as the pack prints them, side by side."""
    return " ".join([wording.number(figures.customers, "en", 0), wording.opinion(figures.mean_final_opinion, "en"),
                     wording.percent(figures.mean_coverage, "en"), wording.number(figures.at_risk, "en", 0)])


def test_the_customer_pack_prints_the_journeys_opinion_contributions_and_checklist(demo_db):
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
        journey = crm_core.journey(db, customer_id, DAY)
        ranked = crm_core.next_best_responses(db, customer_id, DAY)
        pages, text = pdf_text(pack.customer_pack(db, customer_id, DAY, "en"))
    assert pages <= 2
    assert journey.customer["name"] in text and "Snapshot: end of 30 Jun 2026" in text
    reached = journey.stages[journey.stages["reached"]]
    parts = " + ".join(f"{wording.stage_label(r.stage, 'en')} {wording.opinion(r.opinion, 'en')}"
                       for r in reached.itertuples())
    assert f"Final opinion {wording.opinion(journey.final_opinion, 'en')} = {parts}" in text
    assert journey.final_opinion == reached["opinion"].fillna(0).sum()
    for item in journey.checklist.itertuples():
        status = "Given" if item.done else "Missing"
        assert f"{status} {wording.item_label(item.item_key, 'en', item.label)} {item.times}" in text
    assert not journey.checklist["done"].all()
    assert f"Give next: {wording.item_label(ranked['item_key'].iloc[0], 'en', ranked['label'].iloc[0])}" in text
    latest = journey.responses.iloc[-1]
    assert f"{wording.date(latest['responded_on'], 'en')} {wording.stage_label(latest['stage'], 'en')}" in text
    assert f"/Customer_journey?as_of=2026-06-30&lang=en&customer={customer_id}" in text


def test_the_portfolio_pack_prints_the_overviews_figures_and_at_risk_names(demo_db):
    with crm_core.connect(demo_db) as db:
        figures, risky = crm_core.overview(db, DAY)
        pages, text = pdf_text(pack.portfolio_pack(db, DAY, "en"))
    assert pages <= 2
    assert f"{kpis(figures)} Customers Average final opinion" in text
    assert " · ".join(f"{wording.stage_label(s, 'en')} {n}" for s, n in figures.per_stage.items()) in text
    acting = risky[risky["act_now"]]
    assert len(acting) and all(name in text for name in acting["name"].head(pack.AT_RISK_ROWS))
    watched = risky.loc[~risky["act_now"], "name"]
    assert not any(name in text for name in watched)       # the list to act on, not the watch list
    assert "/?as_of=2026-06-30&lang=en" in text


def test_the_portfolio_pack_follows_the_overviews_period_and_filters(demo_db):
    with crm_core.connect(demo_db) as db:
        sector = crm_core.filter_values(db)["sector"][0]
        figures, _risky = crm_core.overview(db, DAY, 30, filters={"sector": [sector]})
        _pages, text = pdf_text(pack.portfolio_pack(db, DAY, "en", 30, {"sector": [sector]}))
    assert f"· {sector} {kpis(figures)} Customers" in text
    assert f"lang=en&period=30&sector={sector}" in text.replace(" ", "+")


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_language_prints_the_pack_with_its_headings(demo_db, lang):
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
        _pages, customer = pdf_text(pack.customer_pack(db, customer_id, DAY, lang))
        _pages, portfolio = pdf_text(pack.portfolio_pack(db, DAY, lang))
    for heading in ("Meeting pack", "Stage contributions to the final opinion", "Next best response",
                    "Latest responses", "Open service cases", "Open promises", "Reopen this view"):
        words = i18n.gettext(lang, heading)
        assert lang == "en" or words != heading
        assert words in customer
    assert i18n.gettext(lang, "Portfolio overview") in portfolio and i18n.gettext(lang, "Act now") in portfolio
    assert i18n.format_date(DAY, lang) in customer and f"lang={lang}" in portfolio


def test_the_pack_refuses_an_unknown_customer_or_language(demo_db):
    with crm_core.connect(demo_db) as db:
        with pytest.raises(crm_core.ValidationError) as refused:
            pack.customer_pack(db, 99999, DAY)
        assert refused.value.field == "customer"
        with pytest.raises(crm_core.ValidationError) as refused:
            pack.portfolio_pack(db, DAY, "de")
        assert refused.value.field == "lang"


def test_the_link_is_the_apps_path_or_under_its_address(monkeypatch):
    assert (ROOT / "pages" / "1_Customer_journey.py").exists()      # Streamlit serves it as /Customer_journey
    assert pack.view_link("journey", DAY, "fr", customer=12) == "/Customer_journey?as_of=2026-06-30&lang=fr&customer=12"
    monkeypatch.setenv(pack.APP_URL_SETTING, "https://crm.example.com/")
    assert (pack.view_link("overview", DAY, "es", sector=["Energy", "Mining"])
            == "https://crm.example.com/?as_of=2026-06-30&lang=es&sector=Energy&sector=Mining")


def test_the_command_line_writes_the_customer_or_the_portfolio_pack(demo_db, tmp_path, capsys):
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
        name = crm_core.journey(db, customer_id).customer["name"]
    out = tmp_path / "pack.pdf"
    assert main(["--db", str(demo_db), "pack", "--customer", str(customer_id), "--as-of", DAY.isoformat(),
                 "--lang", "fr", "--out", str(out)]) == 0
    _pages, text = pdf_text(out.read_bytes())
    assert name in text and i18n.gettext("fr", "Meeting pack") in text and "30 juin 2026" in text
    assert main(["--db", str(demo_db), "pack", "--out", str(out)]) == 0
    _pages, text = pdf_text(out.read_bytes())
    assert "Portfolio overview" in text
    assert main(["--db", str(demo_db), "pack", "--customer", "99999", "--out", str(out)]) == 2
    assert "refused: customer" in capsys.readouterr().err


def test_the_journey_and_the_overview_offer_the_meeting_pack_of_their_view(open_page, demo_db, deferred_downloads):
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
        name = crm_core.journey(db, customer_id).customer["name"]
    page = open_page("pages/1_Customer_journey.py", demo_db, customer=str(customer_id), as_of=DAY.isoformat(),
                     lang="fr")
    assert not page.exception
    assert i18n.gettext("fr", "Meeting pack") in [button.proto.label for button in page.get("download_button")]
    _pages, text = pdf_text(deferred_downloads[f"meeting-pack-customer-{customer_id}-2026-06-30.pdf"]())
    assert name in text and f"lang=fr&customer={customer_id}" in text
    page = open_page("app.py", demo_db, as_of=DAY.isoformat(), period="30")
    assert not page.exception
    assert "Meeting pack" in [button.proto.label for button in page.get("download_button")]
    _pages, text = pdf_text(deferred_downloads["meeting-pack-portfolio-2026-06-30.pdf"]())
    assert "Portfolio overview" in text and "period=30" in text


def test_a_click_on_a_download_makes_the_file_without_rerunning_the_page(open_page, demo_db):
    # A rerun would redraw the page for nothing and, finishing first, drop the function that
    # makes the file before the browser asked for it.
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
    journey = {"customer": str(customer_id), "tab": "Responses and opinions"}
    for page_file, params in [("pages/1_Customer_journey.py", journey), ("app.py", {}), ("pages/6_Customers.py", {}),
                              ("pages/9_Import_export.py", {})]:
        page = open_page(page_file, demo_db, **params)
        buttons = page.get("download_button")
        assert not page.exception and buttons, page_file
        assert [button.proto.label for button in buttons if not button.proto.ignore_rerun] == [], page_file


def test_a_signed_in_viewer_gets_the_pack_and_nobody_signed_out_does(open_page, locked_db, deferred_downloads):
    page = open_page("pages/1_Customer_journey.py", locked_db, customer="1")
    assert not page.get("download_button") and not deferred_downloads
    page = sign_in(page, "vera", PASSWORD)
    assert not page.exception and "Meeting pack" in [button.proto.label for button in page.get("download_button")]
    [document] = [make for name, make in deferred_downloads.items() if name.startswith("meeting-pack-customer-1-")]
    assert "Meeting pack: Acme Turbines" in pdf_text(document())[1]


def test_the_profile_line_gives_the_acquisition_cost_in_the_apps_currency(outcomes_db, monkeypatch):
    monkeypatch.setenv("CRM_CURRENCY", "USD")
    with crm_core.connect(outcomes_db) as db:
        _pages, english = pdf_text(pack.customer_pack(db, 1, lang="en"))
        _pages, french = pdf_text(pack.customer_pack(db, 1, lang="fr"))
    assert "acquisition cost US$20,000" in english
    assert " ".join(f"coût d'acquisition {i18n.format_money(20000, 'fr', 'USD')}".split()) in french   # 20 000 $US


def test_the_pack_follows_the_checklist_an_admin_keeps(demo_db):
    """A retired item leaves the pack, a reworded one shows in its new words, in the pack's
    language only, and the team's currency names the amounts."""
    retired, reworded = wording.item_label("pre.references", "en"), "Un dossier de données complet"
    with crm_core.connect(demo_db) as db:
        customer_id = post_deal_customer(db)
        assert retired in pdf_text(pack.customer_pack(db, customer_id, DAY))[1]
        checklist.retire_item(db, "pre.references")
        checklist.reword_item(db, "pre.data", "fr", reworded)
        assert retired not in pdf_text(pack.customer_pack(db, customer_id, DAY))[1]
        assert reworded in pdf_text(pack.customer_pack(db, customer_id, DAY, lang="fr"))[1]
        assert reworded not in pdf_text(pack.customer_pack(db, customer_id, DAY, lang="es"))[1]


def test_the_team_currency_names_the_acquisition_cost(outcomes_db, monkeypatch):
    monkeypatch.setenv("CRM_CURRENCY", "USD")
    with crm_core.connect(outcomes_db) as db:
        outcomes.set_currency(db, "JPY")
        assert "acquisition cost JP¥20,000" in pdf_text(pack.customer_pack(db, 1, lang="en"))[1]
