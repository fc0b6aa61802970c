"""Every page in every language: the link's ``lang`` picks the language of labels,
checklist items and number formats; data typed by users stays as typed."""

import re

import pytest

import crm_core
from crm_core import i18n
from fixtures import PAGES, ROOT, TODAY

SETUP = re.compile(r'setup\("([^"]+)", "([^"]+)"\)')


def page_title(page_file: str, lang: str) -> str:
    """The heading ``setup`` draws for ``page_file`` in ``lang``: icon and translated title."""
    title, icon = SETUP.search((ROOT / page_file).read_text()).groups()
    return f"{icon} {i18n.gettext(lang, title)}"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
@pytest.mark.parametrize("page_file", PAGES)
def test_every_page_renders_in_every_language(open_page, demo_db, page_file, lang):
    page = open_page(page_file, demo_db, lang=lang)
    assert not page.exception, page.exception[0].value
    assert page.title[0].value == page_title(page_file, lang)
    assert page.query_params["lang"] in (lang, [lang])
    assert page.sidebar.selectbox[-1].value == lang


def test_the_french_journey_shows_french_checklist_labels_and_numbers(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        table = crm_core.portfolio(db, today=TODAY)
        customer = int(table[table["stage"] == "operational"]["customer_id"].iloc[0])
        journey = crm_core.journey(db, customer)
    page = open_page("pages/1_Customer_journey.py", demo_db, customer=str(customer), lang="fr")
    assert not page.exception
    operational = page.dataframe[1].value          # the checklists of the reached stages come first
    assert list(operational.columns[:2]) == ["Point", "Statut"]
    assert list(operational["Point"]) == [
        "Suivi régulier de l'avancement", "État de la technologie, de l'ingénierie, de la fabrication",
        "Plan des retards réels", "Changements possibles et prévus", "Stratégie de test et contraintes qualité"]
    metrics = {metric.label: metric.value for metric in page.metric}
    assert metrics["Étape en cours"] == "Opérationnel"
    coverage = journey.stages.set_index("stage").loc["operational", "coverage"]
    assert metrics["Couverture de la liste à l'étape en cours"] == i18n.format_percent(coverage, "fr")
    assert metrics["Couverture de la liste à l'étape en cours"].endswith("\xa0%")   # 80 %, not 80%
    assert page.header[0].value == journey.customer["name"]                         # typed data untouched


def test_without_a_language_in_the_link_or_the_browser_english_is_shown_and_kept_in_the_link(open_page, demo_db):
    page = open_page("pages/2_Checklist_gaps.py", demo_db)
    assert page.title[0].value == page_title("pages/2_Checklist_gaps.py", "en")
    assert page.query_params["lang"] in ("en", ["en"])
