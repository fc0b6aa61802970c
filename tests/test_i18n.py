"""Every language has every message, and formats numbers and dates its own way.

The template ``crm_core/locales/messages.pot`` is extracted from the code; each
``<lang>.po`` must translate every message of it (all plural forms), carry no
message the template lacks, and keep the English placeholders.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest

from crm_core import i18n, messages

LANGS = messages.translations()


def _ids(catalog) -> set:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalog if message.id}


def _placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.fixture(scope="module")
def template():
    return messages.load(messages.TEMPLATE)


def test_the_template_holds_exactly_the_messages_of_the_code(template):
    fresh = _ids(messages.extract())
    stored = _ids(template)
    assert fresh == stored, (
        f"crm_core/locales/messages.pot is out of date: run `{messages.UPDATE_COMMAND}` and translate "
        f"the new messages.\nin the code only: {sorted(map(str, fresh - stored))}\n"
        f"in the template only: {sorted(map(str, stored - fresh))}")


def test_the_template_has_the_stage_names_checklist_items_and_plurals(template):
    ids = _ids(template)
    assert {"Pre-deal", "Operational", "Post-deal", "Plan for actual delays", "Spare parts at actual price",
            "Face to face"} <= ids
    assert ("{n} day ago", "{n} days ago") in ids


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_translates_every_message_and_nothing_more(lang, template):
    catalog = messages.load(i18n.LOCALE_DIR / f"{lang}.po", lang)
    ids = _ids(catalog)
    assert ids == _ids(template), (
        f"{lang}.po differs from the template: run `{messages.UPDATE_COMMAND}`.\n"
        f"missing: {sorted(map(str, _ids(template) - ids))}\nextra: {sorted(map(str, ids - _ids(template)))}")
    assert not catalog.obsolete, f"{lang}.po keeps obsolete (#~) entries: {list(catalog.obsolete)}"
    missing = messages.untranslated(lang)
    assert missing == [], f"{lang}.po lacks {len(missing)} translations (see `python -m crm_core.messages missing`)"


@pytest.mark.parametrize("lang, plurals", [("es", 2), ("fr", 2), ("id", 1)])
def test_each_language_has_its_own_plural_rule_and_every_plural_form(lang, plurals):
    catalog = messages.load(i18n.LOCALE_DIR / f"{lang}.po", lang)
    assert catalog.num_plurals == plurals
    forms = [m for m in catalog if m.id and m.pluralizable]
    assert forms, "the catalogue has plural messages"
    assert all(len(m.string) == plurals and all(m.string) for m in forms)


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_english_placeholders(lang):
    wrong = []
    for message in messages.load(i18n.LOCALE_DIR / f"{lang}.po", lang):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        wanted = _placeholders(english[-1])
        wrong += [(english[0], text) for text in strings if text and _placeholders(text) != wanted]
    assert wrong == []


def test_plurals_follow_each_language_rule():
    assert i18n.ngettext("en", "{n} day ago", "{n} days ago", 1) == "1 day ago"
    assert i18n.ngettext("en", "{n} day ago", "{n} days ago", 0) == "0 days ago"
    french = [i18n.ngettext("fr", "{n} day ago", "{n} days ago", n) for n in (0, 1, 2)]
    spanish = [i18n.ngettext("es", "{n} day ago", "{n} days ago", n) for n in (0, 1, 2)]
    indonesian = [i18n.ngettext("id", "{n} day ago", "{n} days ago", n) for n in (1, 2)]
    assert french == ["il y a 0 jour", "il y a 1 jour", "il y a 2 jours"]
    assert spanish == ["hace 0 días", "hace 1 día", "hace 2 días"]
    assert indonesian == ["1 hari lalu", "2 hari lalu"]


def test_messages_are_translated_with_their_values_filled_in():
    assert i18n.gettext("fr", "Pre-deal") == "Avant-vente"
    assert i18n.gettext("es", "Plan for actual delays") == "Plan para los retrasos reales"
    assert i18n.gettext("id", "Training for end users") == "Pelatihan untuk pengguna akhir"
    assert i18n.gettext("fr", "{days} days", days=30) == "30 jours"
    assert i18n.gettext("en", "{days} days", days=30) == "30 days"


def test_a_message_missing_from_a_catalogue_falls_back_to_english():
    assert i18n.gettext("fr", "Not a message of the app {x}", x=1) == "Not a message of the app 1"


@pytest.mark.parametrize("lang, number, signed, percent", [
    ("en", "1,234.5", "+1.5", "72%"),
    ("es", "1.234,5", "+1,5", "72\xa0%"),
    ("fr", "1\u202f234,5", "+1,5", "72\xa0%"),
    ("id", "1.234,5", "+1,5", "72%"),
])
def test_numbers_are_written_the_way_each_language_writes_them(lang, number, signed, percent):
    assert i18n.format_number(1234.5, lang) == number
    assert i18n.format_number(1.5, lang, sign=True) == signed
    assert i18n.format_number(-1.5, lang).startswith("−")   # a real minus sign
    assert i18n.format_number(-0.01, lang) == "0"            # never "−0"
    assert i18n.format_percent(0.72, lang) == percent


@pytest.mark.parametrize("lang, day, month", [
    ("en", "23 Nov 2026", "Nov 2026"),
    ("es", "23 nov 2026", "nov 2026"),
    ("fr", "23 nov. 2026", "nov. 2026"),
    ("id", "23 Nov 2026", "Nov 2026"),
])
def test_dates_are_written_the_way_each_language_writes_them(lang, day, month):
    assert i18n.format_date(dt.date(2026, 11, 23), lang) == day
    assert i18n.format_date("2026-11-23", lang) == day
    assert i18n.format_month(dt.date(2026, 11, 23), lang) == month


@pytest.mark.parametrize("url, browser, expected", [
    ("es", "fr-FR", "es"),            # the link wins over the browser
    (None, "fr-CA", "fr"),            # else the browser's language, region ignored
    (None, "id_ID", "id"),
    ("xx", "es-MX", "es"),            # an unknown language in the link is ignored
    (None, "de-DE", "en"),            # a language we lack: English
    (None, None, "en"),
])
def test_the_language_comes_from_the_link_then_the_browser_then_english(url, browser, expected):
    assert i18n.pick_language(url, browser) == expected


def test_the_browser_accept_language_list_is_read_in_order_of_preference():
    assert i18n.pick_language(None, None, "de-DE,de;q=0.9,fr;q=0.8,en;q=0.5") == "fr"
    assert i18n.pick_language(None, "de-DE", "es-ES") == "es"


def test_a_refused_write_says_why_in_every_language_with_its_values():
    from crm_core.validation import ValidationError, check_rating

    with pytest.raises(ValidationError) as refused:
        check_rating("quality", 9, (1, 5))
    error = refused.value
    assert (error.field, error.message) == ("quality", "9 is out of range (1 to 5)")
    assert i18n.gettext("fr", error.template, **error.values) == "9 est hors limites (1 à 5)"
    assert i18n.gettext("es", error.template, **error.values) == "9 está fuera de rango (1 a 5)"
    assert i18n.gettext("id", error.template, **error.values) == "9 di luar rentang (1 sampai 5)"


def test_the_reasons_an_import_row_fails_are_given_in_the_users_language(story_db):
    from fixtures import ROOT, TODAY

    import crm_core
    from crm_core import importer

    table = importer.read_table((ROOT / "tests/data/respuestas_cp1252.csv").read_bytes(), "respuestas_cp1252.csv")
    with crm_core.connect(story_db) as db:
        plan = importer.preview(db, table, "responses", importer.suggest_mapping(table.columns, "responses"),
                                today=TODAY)
    french = plan.problems(say=lambda error: i18n.gettext("fr", error.template, **error.values))
    assert list(french["message"]) == [
        "'31/02/2025' n'est pas une vraie date : February 2025 a 28 jours (lu comme DD/MM/YYYY)",
        "aucun client 'Desconocida S.A.'"]
    assert list(plan.problems()["message"]) == [   # the English text is unchanged (CLI, logs)
        "'31/02/2025' is not a real date: February 2025 has 28 days (read as DD/MM/YYYY)",
        "no customer 'Desconocida S.A.'"]


def test_chart_month_axes_get_the_languages_month_names():
    assert i18n.month_abbreviations("fr")[10:] == ["nov.", "déc."]
    assert i18n.month_abbreviations("es")[0] == "ene"
    assert i18n.month_abbreviations("id")[4] == "Mei"
    assert len(i18n.month_abbreviations("en")) == 12
