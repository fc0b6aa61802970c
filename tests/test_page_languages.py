"""Every page in every language: the link's ``lang`` picks the language of labels,
checklist items and number formats; data typed by users stays as typed."""

import re

import pandas as pd
import pytest
from fixtures import PAGES, ROOT, TODAY

import crm_core
from crm_core import i18n, messages

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
    assert lang == "en" or page_title(page_file, lang) != page_title(page_file, "en")   # really translated
    assert page.query_params["lang"] in (lang, [lang])
    assert page.sidebar.selectbox[-1].value == lang


def test_the_french_journey_shows_french_checklist_labels_and_numbers(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        table = crm_core.portfolio(db, today=TODAY)
        customer = int(table[table["stage"] == "operational"]["customer_id"].iloc[0])
        journey = crm_core.journey(db, customer)
    page = open_page("pages/1_Customer_journey.py", demo_db, customer=str(customer), lang="fr",
                     tab=i18n.gettext("fr", "Checklist"))
    assert not page.exception
    operational = page.dataframe[1].value          # one checklist per reached stage, in stage order
    assert list(operational.columns[:2]) == ["Statut", "Point"]   # the status first, always in view
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


def shown_texts(node) -> list[str]:
    """Every text an AppTest element tree shows: labels, help, placeholders, the
    values of non-widget elements (markdown, metrics…) and table cells (not column
    names: tables often keep keys there and head them with ``column_config``)."""
    found = [getattr(node, name) for name in ("label", "body", "help", "placeholder")
             if isinstance(getattr(node, name, None), str)]
    value = getattr(node, "value", None)
    if isinstance(value, str) and not hasattr(node, "set_value"):     # a widget's value is a key, not a text
        found += [value, *value.split("\n")]
    if isinstance(value, pd.DataFrame):
        found += [v for v in value.to_numpy().ravel() if isinstance(v, str)]
    children = getattr(node, "children", None)
    for child in (children.values() if isinstance(children, dict) else []):
        found += shown_texts(child)
    return found


@pytest.mark.parametrize("page_file", PAGES)
def test_no_english_message_is_left_on_a_french_page(open_page, demo_db, page_file):
    """Catches a catalogued text shown without ``_()``, e.g. a stage name read
    straight from ``crm_core.STAGE_LABELS``."""
    english = {m.id if isinstance(m.id, str) else m.id[0] for m in messages.load(messages.TEMPLATE) if m.id}
    english = {text for text in english if i18n.gettext("fr", text) != text}
    page = open_page(page_file, demo_db, lang="fr", customer="5")
    leftovers = {text.strip() for text in shown_texts(page._tree)} & english
    assert leftovers == set()



def test_a_refused_contact_is_named_and_explained_in_french(open_page, story_db):
    page = open_page("pages/6_Customers.py", story_db, lang="fr")
    page.text_input(key="customer:0:name").input("Delta Hydro")
    page.session_state["customer:0:contacts"] = {"edited_rows": {}, "deleted_rows": [],
                                                 "added_rows": [{"name": "Inés", "email": "pas-une-adresse"}]}
    page.button[0].click().run()
    assert [e.value for e in page.error] == ["Contact 1 · E-mail: n'est pas une adresse e-mail"]


def test_a_refused_name_is_explained_in_spanish_next_to_the_field(open_page, story_db):
    page = open_page("pages/6_Customers.py", story_db, lang="es")
    page.text_input(key="customer:0:name").input("acme TURBINES")
    page.button[0].click().run()
    assert [e.value for e in page.error] == ["Nombre: otro cliente ya tiene este nombre"]


def test_choosing_a_language_in_the_sidebar_writes_it_to_the_link(open_page, demo_db):
    page = open_page("pages/2_Checklist_gaps.py", demo_db, lang="fr")
    page.sidebar.selectbox[-1].select("id").run()
    assert page.query_params["lang"] in ("id", ["id"])
    assert page.title[0].value == page_title("pages/2_Checklist_gaps.py", "id") == "🧩 Kekurangan daftar periksa"
