"""Translations and number/date formats for en, es, fr and id.

Messages are written in English in the code, wrapped in ``_()`` (pages) or
``N_()`` (crm_core constants such as stage and checklist labels), and
translated through one gettext catalogue per language,
``crm_core/locales/<lang>.po`` (the format translators know; Babel reads it).
English needs no catalogue: a message is its own English text.

Placeholders are named and filled after translation, so a translator can move
them: ``gettext("es", "{count} customers at risk", count=3)``. Plurals go
through ``ngettext``, which uses each language's own plural rule.

Numbers and dates are formatted with Babel's locale data (``1,5`` and
``23 nov. 2026`` in French).
"""

from __future__ import annotations

import datetime as dt
import functools
from gettext import c2py
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français", "id": "Bahasa Indonesia"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (for constants)."""
    return message


@functools.lru_cache(maxsize=None)
def catalogue(lang: str):
    """The Babel ``Catalog`` of ``lang`` (None for English or a missing file)."""
    path = LOCALE_DIR / f"{lang}.po"
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return None
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


def _lookup(lang: str, key, fallback: str, n: int | None = None) -> str:
    messages = catalogue(lang)
    message = messages.get(key) if messages is not None else None
    if message is None or not message.string:
        return fallback
    if isinstance(message.string, (tuple, list)):
        text = message.string[min(_plural_rule(lang)(n or 0), len(message.string) - 1)]
        return text or fallback
    return message.string


@functools.lru_cache(maxsize=None)
def _plural_rule(lang: str):
    """The catalogue's ``Plural-Forms`` expression as a function of n. ``gettext.c2py`` is
    what the standard library's own ``GNUTranslations`` compiles that expression with, but
    it is not documented: tests/test_third_party.py fails loudly if an upgrade changes it."""
    return c2py(catalogue(lang).plural_expr)


def gettext(lang: str, message: str, **values) -> str:
    """``message`` in ``lang`` with ``{placeholders}`` filled from ``values``
    (English, or the English text when the language lacks it)."""
    text = _lookup(lang, message, message)
    return text.format(**values) if values else text


def ngettext(lang: str, singular: str, plural: str, n: int, **values) -> str:
    """The form of ``singular``/``plural`` for the count ``n`` in ``lang``; ``{n}``
    and ``values`` fill the placeholders."""
    fallback = singular if n == 1 else plural
    text = _lookup(lang, singular, fallback, n) if lang != DEFAULT_LANGUAGE else fallback
    return text.format(n=n, **values)


def pick_language(requested: str | None, *browser: str | None) -> str:
    """The language to show: ``requested`` (e.g. the URL's ``lang``) when known,
    else the first known language the browser prefers (``fr-CA`` -> ``fr``; an
    ``Accept-Language`` list such as ``de-DE,es;q=0.8`` is read in order), else
    English."""
    for candidate in (requested, *browser):
        for entry in str(candidate or "").split(","):
            code = entry.split(";")[0].strip().replace("_", "-").split("-")[0].lower()
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE


# Parsed once per language and pattern: Babel's format functions parse both on every call, which
# was two thirds of formatting a number (a service page formats 600 numbers, 36 -> 12 µs each).
@functools.lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse({"en": "en_GB"}.get(lang, lang))


@functools.lru_cache(maxsize=None)
def _pattern(pattern: str) -> numbers.NumberPattern:
    return numbers.parse_pattern(pattern)


def format_number(value, lang: str, digits: int = 1, sign: bool = False) -> str:
    """``value`` with at most ``digits`` decimals in ``lang``'s format (``1,5`` in
    French); ``sign`` adds ``+`` to positive values. Uses a real minus sign."""
    pattern = _pattern("#,##0" + ("." + "#" * digits if digits else ""))
    text = pattern.apply(value, _locale(lang))
    if not any(digit in text for digit in "123456789"):
        # Babel rounds half to even (-0.05 -> "-0"): whatever rounds to zero is written 0, never "−0".
        return pattern.apply(0, _locale(lang))
    if sign and value > 0:
        text = "+" + text
    return text.replace("-", "−")


def currency_names(lang: str) -> dict[str, str]:
    """Every ISO 4217 code with its name in ``lang`` (``USD`` -> ``US Dollar``), by code."""
    locale = _locale(lang)
    return {code: numbers.get_currency_name(code, locale=locale) for code in sorted(numbers.list_currencies())}


def format_money(value, lang: str, currency: str, compact: bool = False) -> str:
    """An amount of ``currency`` (an ISO 4217 code) in ``lang``'s format, in whole units
    (``€6,391,234``, ``6 391 234 €`` in French); ``compact`` shortens it for a headline
    figure (``€6.4M``, ``6,4 M €``). Uses a real minus sign."""
    locale = _locale(lang)
    if abs(value) < 0.5:
        value = 0  # never "−€0"
    if compact:
        text = numbers.format_compact_currency(value, currency, locale=locale, fraction_digits=1)
    else:
        # The locale's own pattern (symbol before or after) without its cents: amounts here are whole.
        pattern = _pattern(locale.currency_formats["standard"].pattern.replace(".00", ""))
        text = pattern.apply(round(value), locale, currency=currency, currency_digits=False)
    return text.replace("-", "−")


def format_percent(value, lang: str) -> str:
    """A share in ``lang``'s format: ``0.72`` -> ``72 %`` (fr), ``72%`` (en)."""
    return numbers.format_percent(value, locale=_locale(lang))


def format_date(day, lang: str, style: str = "medium") -> str:
    """A date (or ISO text) in ``lang``: ``23 Nov 2026`` (en), ``23 nov. 2026`` (fr)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return dates.format_date(day, format=style, locale=_locale(lang))


def format_datetime(moment, lang: str) -> str:
    """A moment (or ISO text) in ``lang``, to the minute: the date as ``format_date``
    writes it, then the time (``23 Nov 2026, 15:15``, ``23 nov. 2026, 15:15``)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    locale = _locale(lang)
    return (dates.get_datetime_format("medium", locale=locale).replace("{1}", format_date(moment.date(), lang))
            .replace("{0}", dates.format_time(moment, format="short", locale=locale)))


def date_input_format(lang: str) -> str:
    """The format of a date box in ``lang`` (``DD/MM/YYYY``): a box takes only digits, in
    one of the orders Streamlit knows, so the order and separator of the language's
    short date (``dd/MM/y``) with four-digit years."""
    pattern = dates.get_date_format("short", locale=_locale(lang)).pattern
    order = "".join(sorted("dMy", key=lambda letter: pattern.index(letter)))
    separator = next((c for c in pattern if c in "/-."), "/")
    fields = {"d": "DD", "M": "MM", "y": "YYYY"}
    return separator.join(fields[letter] for letter in order)


def month_abbreviations(lang: str) -> list[str]:
    """The twelve abbreviated month names of ``lang``, January first (``janv.`` …)."""
    names = dates.get_month_names("abbreviated", locale=_locale(lang))
    return [names[month] for month in range(1, 13)]


def format_month(day, lang: str) -> str:
    """The month of a date in ``lang``: ``Nov 2026``, ``nov. 2026``."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return dates.format_skeleton("yMMM", day, locale=_locale(lang))
