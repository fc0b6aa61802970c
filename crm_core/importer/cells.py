"""Reading the text of one cell: blanks, dates in the usual spellings and
languages, stage and mode labels, checklist item lists and ratings; and
``folded``, the form texts are compared in (no case, accents or punctuation).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from ..catalogue import MODE_LABELS, STAGE_LABELS
from ..i18n import N_
from ..validation import ValidationError


# Month names, accents removed: English, Spanish, French, Indonesian. A month
# is recognised by its full name or any prefix of 3+ letters naming one month.
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "enero", "janvier", "januari"),
    2: ("february", "febrero", "fevrier", "februari"),
    3: ("march", "marzo", "mars", "maret"),
    4: ("april", "abril", "avril"),
    5: ("may", "mayo", "mai", "mei"),
    6: ("june", "junio", "juin", "juni"),
    7: ("july", "julio", "juillet", "juli"),
    8: ("august", "agosto", "aout", "agustus"),
    9: ("september", "septiembre", "setiembre", "septembre"),
    10: ("october", "octubre", "octobre", "oktober"),
    11: ("november", "noviembre", "novembre"),
    12: ("december", "diciembre", "decembre", "desember"),
}
_DATE_FILLERS = {"de", "del", "of", "the"}

# Spreadsheets run cells starting with these as formulas; exports defuse them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def folded(text: str) -> str:
    """``text`` without case, accents or punctuation: "Qualité " -> "qualite"."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters).split())


def parse_day(field_name: str, text: str) -> dt.date:
    """Read a date in the usual spellings: ``2026-11-23``, ``23/11/2026``,
    ``23.11.2026``, ``23-11-2026``, ``23/11/26`` (two-digit years are 20YY),
    ``23 nov 2026``, ``Nov 23, 2026``, ``23 de noviembre de 2026``, ``23 novembre
    2026``, with an optional time after it. Numeric dates are day first.
    Raises ``ValidationError(field_name, ...)`` saying what is wrong
    (``31/02/2026``: February 2026 has 28 days)."""
    text = " ".join(str(text).split())
    found = re.fullmatch(r"(.+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?",
                         text)
    core = found.group(1) if found else text
    numeric = re.fullmatch(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})", core)
    if numeric:
        first, _, middle, last = numeric.groups()
        if len(first) == 4 and len(last) <= 2:
            return _real_date(field_name, text, int(first), int(middle), int(last), "YYYY-MM-DD")
        if len(first) <= 2 and len(last) in (2, 4):
            return _real_date(field_name, text, _year(last), int(middle), int(first), "DD/MM/YYYY")
    else:
        words = [re.sub(r"^(\d{1,2})(?:st|nd|rd|th|er|o)$", r"\1", w)
                 for w in folded(core).split() if w not in _DATE_FILLERS]
        if len(words) == 3 and re.fullmatch(r"\d{2}|\d{4}", words[2]):
            day, month = (words[0], words[1]) if words[0].isdigit() else (words[1], words[0])
            if day.isdigit() and len(day) <= 2 and not month.isdigit():
                number = _month(month)
                if number is None:
                    raise ValidationError(
                        field_name, N_("{text!r} is not a date: {month!r} is not a month name we know"),
                        text=text, month=month)
                return _real_date(field_name, text, _year(words[2]), number, int(day), "")
    raise ValidationError(field_name, N_("{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"), text=text)


def _year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _month(word: str) -> int | None:
    """The month a name or 3+ letter prefix names, or None (unknown or ambiguous)."""
    if len(word) < 3:
        return None
    found = {month for month, names in MONTHS.items() for name in names if name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def _real_date(field_name: str, text: str, year: int, month: int, day: int, order: str) -> dt.date:
    if not 1 <= month <= 12:
        raise ValidationError(field_name, N_("{text!r} is not a real date: there is no month {month} (read as {order})")
                              if order else N_("{text!r} is not a real date: there is no month {month}"),
                              text=text, month=month, order=order)
    if not 1 <= year <= 9999:
        raise ValidationError(field_name, N_("{text!r} is not a real date: year {year}"), text=text, year=year)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValidationError(field_name, N_("{text!r} is not a real date: {month} {year} has {days} days (read as "
                                             "{order})") if order else
                              N_("{text!r} is not a real date: {month} {year} has {days} days"),
                              text=text, month=calendar.month_name[month], year=year, days=days, order=order)
    return dt.date(year, month, day)


def key_for(text: str | None, keys_by_label: dict[str, str]) -> str | None:
    """A stage or mode key from its key or English label; unknown text passes
    through unchanged so the validator names it in its message."""
    return None if text is None else keys_by_label.get(folded(text), text)


STAGE_KEYS = {folded(t): key for key, label in STAGE_LABELS.items() for t in (key, label)}
MODE_KEYS = {folded(t): key for key, label in MODE_LABELS.items() for t in (key, label)} | {
    "email": "email_fax", "e mail": "email_fax", "fax": "email_fax"}


def item_keys(text: str | None) -> list[str]:
    """Checklist item keys separated by ``;``, ``,`` or ``|``."""
    return [key.strip() for key in re.split(r"[;,|]", text or "") if key.strip()]


def rating(text: str | None) -> str | None:
    """A rating as typed, with a typographic minus made ASCII (validators do the rest)."""
    return None if text is None else text.replace("\u2212", "-")


def cell_text(text: str) -> str | None:
    """One cell's text: None when blank. A leading apostrophe that defused a formula
    on export (see ``export_csv``) is removed."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text if text.strip() else None
