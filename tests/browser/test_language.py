"""A shared link opens in the sender's language: a journey with ``lang=fr`` in a real browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import fixtures
from playwright.sync_api import expect

import crm_core
from crm_core import i18n


def test_a_journey_link_with_lang_fr_shows_french_checklist_labels(server, page):
    with crm_core.connect(server.db) as db:
        table = crm_core.portfolio(db, today=fixtures.TODAY)
        customer_id = int(table[table["stage"] == "operational"]["customer_id"].iloc[0])
        journey = crm_core.journey(db, customer_id)
    coverage = journey.stages.set_index("stage").loc["operational", "coverage"]

    page.goto(f"{server.url}/Customer_journey?customer={customer_id}&lang=fr")

    expect(page.get_by_role("heading", name="Parcours client")).to_be_visible()
    expect(page).to_have_title("Parcours client · Réponse client")
    current = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Étape en cours", exact=True))
    expect(current.get_by_test_id("stMetricValue")).to_have_text("Opérationnel")
    share = page.get_by_test_id("stMetric").filter(
        has=page.get_by_text("Couverture de la liste à l'étape en cours", exact=True))
    expect(share.get_by_test_id("stMetricValue")).to_have_text(i18n.format_percent(coverage, "fr"))
    page.get_by_role("tab", name="Liste de contrôle").click()
    # The grid draws on a canvas; its cells are also in an accessible (not displayed) table inside it.
    cells = page.locator('td[role="gridcell"]')
    for label in ("Plan des retards réels", "Stratégie de test et contraintes qualité",
                  "Données détaillées et complètes"):
        expect(cells.filter(has_text=re.compile(f"^{re.escape(label)}$"))).to_have_count(1)
    expect(page.locator('th[role="columnheader"]').filter(has_text=re.compile("^Point$")).first).to_be_attached()
    expect(page.get_by_role("tab", name="Historique")).to_be_visible()
    assert parse_qs(urlsplit(page.url).query).get("lang") == ["fr"], page.url


def test_a_link_without_lang_opens_in_the_browsers_language_and_keeps_it_in_the_link(server, browser):
    context = browser.new_context(locale="es-ES", viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/Checklist_gaps?stage=post_deal")
        expect(page.get_by_role("heading", name="Carencias de la lista")).to_be_visible()
        expect(page.get_by_role("radiogroup", name="Etapa").get_by_role("radio", checked=True)).to_have_text(
            "Post-trato")
        expect(page).to_have_url(re.compile(r"[?&]lang=es"))
    finally:
        context.close()
