"""Import customers, responses and opinions from CSV files; export any table as CSV.

An import runs in steps, so a page can show what will happen before anything
is written and let the user fix the column mapping in between:

    table = read_table(data, "responses.csv")                 # bytes -> RawTable of text cells
    mapping = mapping_for(db, table.columns, "responses")     # field -> column (last used, else guessed)
    plan = preview(db, table, "responses", mapping)           # per row: cleaned values or the reason
    result = apply(db, plan, author="ana", only_valid=True)   # one transaction; remembers the mapping

Rows are written through ``crm_core.writes`` (validation + audit trail), all in
one transaction. Excel workbooks are not read (openpyxl is not installed):
save the sheet as CSV first.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from . import accounts, validation, writes
from .catalogue import MODE_LABELS, STAGE_LABELS
from .i18n import N_
from .storage import commands, io_queries, transaction
from .validation import ValidationError
from .snapshot import SnapshotDay

KINDS = ("customers", "responses", "opinions")
MAX_BYTES = 50_000_000
MAX_ROWS = 100_000
DELIMITERS = ",;\t"

# The fields a file can fill, per kind. Responses and opinions name their
# customer by ``customer`` (the name) or ``external_id``.
FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("name", "external_id", "sector", "region", "account_manager", "acquisition_cost",
                  "created_on", "notes"),
    "responses": ("customer", "external_id", "stage", "responded_on", "mode", "items", "quality",
                  "completeness", "summary"),
    "opinions": ("customer", "external_id", "stage", "opinion_on", "score", "source", "note"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("name",),
    "responses": ("stage", "responded_on", "mode", "quality", "completeness", "summary"),
    "opinions": ("stage", "opinion_on", "score"),
}

# Header names each field is recognised by (compared without case, accents or
# punctuation), in English, Spanish and French. The field's own name always counts.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("customer", "customer name", "client", "client name", "company", "account", "cliente",
             "nombre", "nombre cliente", "nombre del cliente", "empresa", "razon social", "nom",
             "nom du client", "nom client", "entreprise", "societe"),
    "customer": ("customer name", "name", "client", "client name", "company", "account", "cliente",
                 "nombre cliente", "nombre del cliente", "empresa", "nom du client", "nom client",
                 "entreprise", "societe"),
    "external_id": ("external id", "erp id", "crm id", "customer code", "client code",
                    "account number", "codigo", "codigo cliente", "id externo", "code client",
                    "identifiant", "identifiant client", "reference client"),
    "sector": ("industry", "sector", "industria", "secteur", "industrie"),
    "region": ("region", "area", "territory", "zone", "zona", "territorio", "territoire"),
    "account_manager": ("account manager", "manager", "owner", "key account manager", "kam",
                        "gestor", "gestor de cuenta", "responsable", "comercial", "commercial",
                        "responsable de compte", "charge de compte"),
    "acquisition_cost": ("acquisition cost", "cac", "coste de adquisicion", "costo de adquisicion",
                         "cout d acquisition", "cout acquisition"),
    "created_on": ("created", "created on", "customer since", "since", "start date", "date",
                   "fecha", "fecha alta", "fecha de alta", "alta", "date de creation", "client depuis"),
    "notes": ("note", "comments", "comment", "remarks", "notas", "comentarios", "observaciones",
              "commentaires", "remarques"),
    "stage": ("phase", "deal stage", "etapa", "fase", "etape"),
    "responded_on": ("date", "response date", "responded", "day", "fecha", "fecha respuesta",
                     "fecha de respuesta", "dia", "date de reponse", "jour"),
    "opinion_on": ("date", "opinion date", "day", "fecha", "fecha opinion", "fecha de la opinion",
                   "dia", "date de l avis", "date avis", "jour"),
    "mode": ("channel", "medium", "via", "modo", "canal", "medio", "moyen"),
    "items": ("checklist", "checklist items", "item", "item keys", "topics", "elementos", "puntos",
              "temas", "elements", "points", "sujets"),
    "quality": ("q", "quality rating", "calidad", "qualite"),
    "completeness": ("c", "completeness rating", "complete", "completitud", "exhaustividad",
                     "completude", "exhaustivite"),
    "summary": ("description", "subject", "text", "response", "resumen", "descripcion", "asunto",
                "texto", "respuesta", "resume", "objet", "texte", "reponse"),
    "score": ("opinion", "rating", "opinion score", "puntuacion", "valoracion", "calificacion", "avis",
              "evaluation", "appreciation"),
    "source": ("origin", "fuente", "origen", "origine"),
    "note": ("notes", "comment", "comments", "remarks", "nota", "notas", "comentario", "comentarios",
             "commentaire", "commentaires", "remarque"),
}

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
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in user terms."""


# --- reading a file --------------------------------------------------------------

@dataclass(frozen=True)
class RawTable:
    """A file read as text. ``rows`` hold one string per column (padded);
    ``row_numbers`` give each row's number as a spreadsheet shows it (the
    header is row 1); ``too_long`` maps a row's index to its cell count when
    it has non-empty cells beyond the header."""

    filename: str
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    too_long: dict[int, int] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """The cells as a DataFrame of strings, indexed by row number."""
        return pd.DataFrame(self.rows, columns=self.columns, index=pd.Index(self.row_numbers, name="row"))


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> RawTable:
    """Read CSV bytes (``filename`` is used in messages and to refuse workbooks).

    Detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
    Windows-1252/Latin-1) and the delimiter (comma, semicolon or tab). Blank
    lines are ignored. Raises ``TableError`` for an empty or header-only file,
    a binary file, a workbook, or more than ``max_rows`` data rows."""
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise TableError(f"{filename} is a spreadsheet workbook; save the sheet as CSV and import that")
    if len(data) > MAX_BYTES:
        raise TableError(f"{filename} is larger than {MAX_BYTES // 1_000_000} MB; split it")
    text, encoding = _decode(data, filename)
    delimiter = _delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise TableError(f"{filename} is not valid CSV: {error}") from None
    numbered = [(n, record) for n, record in enumerate(records, start=1) if any(c.strip() for c in record)]
    if not numbered:
        raise TableError(f"{filename} is empty")
    (_, header), body = numbered[0], numbered[1:]
    if not body:
        raise TableError(f"{filename} has a header row but no data rows")
    if len(body) > max_rows:
        raise TableError(f"{filename} has {len(body)} rows, more than {max_rows} at once; split it")
    columns = _column_names(header)
    width = len(columns)
    rows, too_long = [], {}
    for index, (_, record) in enumerate(body):
        if any(c.strip() for c in record[width:]):
            too_long[index] = len(record)
        rows.append((record + [""] * width)[:width])
    return RawTable(filename, encoding, delimiter, columns, rows, [n for n, _ in body], too_long)


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    if data.startswith(b"PK\x03\x04"):
        raise TableError(f"{filename} is a zip file (an Excel workbook?), not CSV text; save the sheet as CSV")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        candidates = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif b"\x00" in data:
        raise TableError(f"{filename} is a binary file, not CSV text (it contains NUL bytes)")
    else:
        # Windows-1252 leaves five bytes undefined; Latin-1 decodes anything.
        candidates = ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{filename} says it is {candidates[0].upper()} but is not valid {candidates[0]}")
    # Text may hold a stray control character; binary data holds them everywhere.
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\r\n")
    if "\x00" in text or controls > max(8, len(text) // 20):
        raise TableError(f"{filename} is a binary file, not CSV text")
    return text, encoding


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: what ``csv.Sniffer`` finds on the first lines,
    unless the header does not contain it; then the candidate the header holds most."""
    sample = text[:64_000]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[:sample.rfind("\n")]
    header = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if found in header:
            return found
    except csv.Error:
        pass
    return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _column_names(header: list[str]) -> list[str]:
    """Header cells stripped; blanks named ``column N``; repeats made unique."""
    names: list[str] = []
    for number, cell in enumerate(header, start=1):
        name = cell.strip() or f"column {number}"
        base, copy = name, 1
        while name in names:
            copy += 1
            name = f"{base} ({copy})"
        names.append(name)
    return names


# --- mapping columns to fields ------------------------------------------------------

def plain(text: str) -> str:
    """``text`` without case, accents or punctuation: "Qualité " -> "qualite"."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters).split())


def suggest_mapping(columns: list[str], kind: str) -> dict[str, str]:
    """Guess which column fills which field of ``kind``. Takes the file's column
    names; returns ``{field: column}`` for the fields recognised (each column used
    once; a field's own name wins over synonyms, earlier synonyms over later)."""
    fields = FIELDS[_check_kind(kind)]
    by_plain: dict[str, str] = {}
    for column in columns:
        by_plain.setdefault(plain(column), column)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    # Exact field names first, so a "date" column cannot be taken by a synonym
    # when a "responded_on" column is also there.
    for rank in range(max(len(s) for s in SYNONYMS.values()) + 1):
        for name in fields:
            if name in mapping:
                continue
            names = (plain(name), *SYNONYMS.get(name, ()))
            if rank < len(names) and names[rank] in by_plain and by_plain[names[rank]] not in used:
                mapping[name] = by_plain[names[rank]]
                used.add(mapping[name])
    return {name: mapping[name] for name in fields if name in mapping}



def _headers(columns: list[str]) -> str:
    """The identity of a file's header set: its column names, sorted, as JSON."""
    return json.dumps(sorted(columns), ensure_ascii=False)


def mapping_for(db, columns: list[str], kind: str) -> dict[str, str]:
    """The mapping to offer for a file of ``kind`` with these ``columns``: the one
    last imported with the same set of headers (in any order), else
    ``suggest_mapping``. Returns ``{field: column}``."""
    saved = io_queries.saved_mapping(db, _check_kind(kind), _headers(columns))
    if saved is None:
        return suggest_mapping(columns, kind)
    return {name: column for name, column in json.loads(saved).items()
            if name in FIELDS[kind] and column in columns}

def _check_kind(kind: str) -> str:
    return validation.check_choice("kind", kind, KINDS)


def _check_mapping(table: RawTable, kind: str, mapping: dict[str, str]) -> None:
    """Refuse (field ``mapping``) unknown fields or columns and missing required fields."""
    unknown = [f for f in mapping if f not in FIELDS[kind]]
    if unknown:
        raise ValidationError("mapping", N_("{fields} is not a field of {kind}"), fields=", ".join(unknown), kind=kind)
    absent = [c for c in mapping.values() if c not in table.columns]
    if absent:
        raise ValidationError("mapping", N_("the file has no column {columns}"), columns=", ".join(map(repr, absent)))
    missing = [f for f in REQUIRED[kind] if not mapping.get(f)]
    if kind != "customers" and not (mapping.get("customer") or mapping.get("external_id")):
        missing.insert(0, "customer or external_id")
    if missing:
        raise ValidationError("mapping", N_("choose a column for {fields}"), fields=", ".join(missing))


# --- reading cell values -------------------------------------------------------------

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
                 for w in plain(core).split() if w not in _DATE_FILLERS]
        if len(words) == 3 and re.fullmatch(r"\d{2}|\d{4}", words[2]):
            day, month = (words[0], words[1]) if words[0].isdigit() else (words[1], words[0])
            if day.isdigit() and len(day) <= 2 and not month.isdigit():
                number = _month(month)
                if number is None:
                    raise ValidationError(field_name, N_("{text!r} is not a date: {month!r} is not a month name we know"),
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


def _key_for(text: str | None, keys_by_label: dict[str, str]) -> str | None:
    """A stage or mode key from its key or English label; unknown text passes
    through unchanged so the validator names it in its message."""
    return None if text is None else keys_by_label.get(plain(text), text)


_STAGES = {plain(t): key for key, label in STAGE_LABELS.items() for t in (key, label)}
_MODES = {plain(t): key for key, label in MODE_LABELS.items() for t in (key, label)} | {
    "email": "email_fax", "e mail": "email_fax", "fax": "email_fax"}


def _items(text: str | None) -> list[str]:
    """Checklist item keys separated by ``;``, ``,`` or ``|``."""
    return [key.strip() for key in re.split(r"[;,|]", text or "") if key.strip()]


def _number(text: str | None) -> str | None:
    """A rating as typed, with a typographic minus made ASCII (validators do the rest)."""
    return None if text is None else text.replace("\u2212", "-")


def _cell(text: str) -> str | None:
    """One cell's text: None when blank. A leading apostrophe that defused a formula
    on export (see ``export_csv``) is removed."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        text = text[1:]
    return text if text.strip() else None


# --- preview -------------------------------------------------------------------

@dataclass
class RowPlan:
    """What importing one row does: ``action`` is ``create``, ``update``, ``skip``
    (already there) or ``error``; ``values`` are the cleaned values to write;
    ``field``/``message`` say why the row fails."""

    row: int
    action: str
    values: dict = field(default_factory=dict)
    field: str | None = None
    message: str | None = None
    error: ValidationError | None = None   # the refusal, for a page to translate

    @classmethod
    def refused(cls, row: int, error: ValidationError) -> RowPlan:
        """A failing row, refused by ``error``."""
        return cls(row, "error", field=error.field, message=error.message, error=error)


@dataclass
class ImportPreview:
    """The plan for a whole file: one ``RowPlan`` per data row, in file order."""

    kind: str
    table: RawTable
    mapping: dict[str, str]
    today: dt.date
    rows: list[RowPlan]

    def counts(self) -> dict[str, int]:
        """How many rows would be created, updated, skipped and how many fail."""
        return {action: sum(p.action == action for p in self.rows)
                for action in ("create", "update", "skip", "error")}

    def problems(self, say: Callable[[ValidationError], str] | None = None) -> pd.DataFrame:
        """The failing rows: ``row, field, column`` (the file's column) and ``message``
        (``say(error)`` when given, e.g. the message in the user's language)."""
        return _problems(self.mapping, self.rows, say)

    def frame(self) -> pd.DataFrame:
        """Every row for display: ``row, action``, the cleaned values, ``problem``."""
        return pd.DataFrame([{"row": p.row, "action": p.action, **p.values,
                              "problem": f"{p.field}: {p.message}" if p.message else None}
                             for p in self.rows])


class _Customers:
    """Customers by external id and name key: those in the database plus those the
    rows above in the same file create or change, so a file is checked as a whole."""

    def __init__(self, db):
        self.by_external: dict[str, list[dict]] = {}
        self.by_name: dict[str, dict] = {}
        for state in io_queries.customer_rows(db):
            self.add(state)

    def add(self, state: dict, replaces: dict | None = None) -> None:
        if replaces is not None:
            self.by_name.pop(replaces["name_key"], None)
            if replaces["external_id"]:
                self.by_external[replaces["external_id"]].remove(replaces)
        self.by_name[state["name_key"]] = state
        if state["external_id"]:
            self.by_external.setdefault(state["external_id"], []).append(state)

    def find(self, external_id: str | None, name: str | None) -> dict | None:
        """The customer with this external id, else this name; None when neither matches.
        Raises ``ValidationError`` when several customers share the external id, or
        when the name matches a customer holding another external id."""
        external_id = external_id.strip() if external_id else None
        if external_id:
            found = self.by_external.get(external_id, [])
            if len(found) > 1:
                raise ValidationError("external_id", N_("{count} customers have external id {id!r}"), count=len(found),
                                      id=external_id)
            if found:
                return found[0]
        state = self.by_name.get(validation.name_key(name)) if name else None
        if state and external_id and state["external_id"] and state["external_id"] != external_id:
            # Never overwrite an id another system relies on because a name matched.
            raise ValidationError("external_id", N_("{name} has external id {held!r}, not {id!r}"), name=state["name"],
                                  held=state["external_id"], id=external_id)
        return state

    def referenced(self, external_id: str | None, name: str | None) -> int:
        """The id of the existing customer a response or opinion row names."""
        found = self.find(external_id, name)
        if found is None or found["id"] is None:
            field_name, text = ("external_id", external_id) if name is None else ("customer", name)
            raise ValidationError(field_name, N_("no customer {text!r}"), text=text)
        return found["id"]


# How a response or opinion already there is recognised (a re-imported file
# creates no duplicates): the query, and the same columns for rows of one file.
_IDENTITY = {
    "responses": (io_queries.response_exists, ("customer_id", "stage", "responded_on", "mode", "summary")),
    "opinions": (io_queries.opinion_exists, ("customer_id", "stage", "opinion_on", "score", "note")),
}


class _Planner:
    """Plans rows one by one against the database and the rows planned before."""

    def __init__(self, db, table: RawTable, kind: str, mapping: dict[str, str], today: dt.date):
        self.db, self.table, self.kind, self.mapping, self.today = db, table, kind, mapping, today
        self.customers = _Customers(db)
        self.seen: set[tuple] = set()   # responses/opinions planned above, against in-file repeats
        self.positions = {name: table.columns.index(column) for name, column in mapping.items()}

    def plan(self, index: int) -> RowPlan:
        number = self.table.row_numbers[index]
        if index in self.table.too_long:
            return RowPlan.refused(number, ValidationError("row", N_("has {cells} cells but the header has {columns}"),
                                                           cells=self.table.too_long[index],
                                                           columns=len(self.table.columns)))
        cells = {name: _cell(self.table.rows[index][at]) for name, at in self.positions.items()}
        try:
            action, values = getattr(self, f"_{self.kind}")(cells)
        except ValidationError as error:
            return RowPlan.refused(number, error)
        return RowPlan(number, action, values)

    def _customers(self, cells: dict) -> tuple[str, dict]:
        before = self.customers.find(cells.get("external_id"), cells.get("name"))
        given = {k: v for k, v in cells.items() if v is not None}
        if "created_on" in given:
            given["created_on"] = parse_day("created_on", given["created_on"]).isoformat()
        if before is None:
            values = validation.check_customer(given, today=self.today)
            self.customers.add({**values, "id": None})
            return "create", values
        # An update changes only the columns the file fills; created_on never changes.
        values = validation.check_customer({**before, **given, "created_on": before["created_on"]},
                                           today=self.today)
        holder = self.customers.by_name.get(values["name_key"])
        if holder is not None and holder is not before:
            raise ValidationError("name", N_("another customer already has this name"))
        if holder is before:
            values["name"] = before["name"]   # "ACME" in a file does not respell "Acme"
        if all(values[c] == before[c] for c in values):
            return "skip", values
        self.customers.add({**values, "id": before["id"]}, replaces=before)
        return "update", {**values, "id": before["id"]}

    def _responses(self, cells: dict) -> tuple[str, dict]:
        values = writes._check_response(self.db, {
            "customer_id": self.customers.referenced(cells.get("external_id"), cells.get("customer")),
            "stage": _key_for(cells.get("stage"), _STAGES),
            "responded_on": self._day("responded_on", cells),
            "mode": _key_for(cells.get("mode"), _MODES),
            "items": _items(cells.get("items")),
            "quality": _number(cells.get("quality")),
            "completeness": _number(cells.get("completeness")),
            "summary": cells.get("summary"),
        }, self.today)
        return self.new_or_repeat(values), values

    def _opinions(self, cells: dict) -> tuple[str, dict]:
        values = writes._check_opinion(self.db, {
            "customer_id": self.customers.referenced(cells.get("external_id"), cells.get("customer")),
            "stage": _key_for(cells.get("stage"), _STAGES),
            "opinion_on": self._day("opinion_on", cells),
            "score": _number(cells.get("score")),
            "source": cells.get("source"),
            "note": cells.get("note"),
        }, self.today)
        return self.new_or_repeat(values), values

    def new_or_repeat(self, values: dict) -> str:
        """A response or opinion's action: ``skip`` when the database or a row above
        already has one with the same identity, else ``create``."""
        exists, identity = _IDENTITY[self.kind]
        key = tuple(values[c] for c in identity)
        if key in self.seen or exists(self.db, values):
            return "skip"
        self.seen.add(key)
        return "create"

    @staticmethod
    def _day(field_name: str, cells: dict) -> str | None:
        text = cells.get(field_name)
        return None if text is None else parse_day(field_name, text).isoformat()


def preview(db, table: RawTable, kind: str, mapping: dict[str, str],
            today: dt.date | None = None) -> ImportPreview:
    """Plan the import of ``table`` as ``kind`` with ``mapping`` (``{field: column}``)
    without writing anything. Each row gets its cleaned values and action, or the
    field and crm_core validation message that refuses it. ``today`` bounds dates
    (default: the real date). Raises ``ValidationError`` (field ``mapping``) when
    the mapping names unknown fields or columns or leaves a required field out."""
    _check_kind(kind)
    mapping = {name: column for name, column in mapping.items() if column}
    _check_mapping(table, kind, mapping)
    planner = _Planner(db, table, kind, mapping, today or dt.date.today())
    return ImportPreview(kind, table, mapping, planner.today,
                         [planner.plan(index) for index in range(len(table.rows))])


# --- apply ---------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import did. ``written`` is False when it was refused as a whole
    (then only ``failed`` counts); ``problems`` lists the failing rows."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    written: bool = True
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "field", "column", "message"]))


class _Refused(Exception):
    """Raised inside the import transaction to roll it back."""


def apply(db, plan: ImportPreview, author: str | None = None, only_valid: bool = True) -> ImportResult:
    """Write the previewed file in ONE transaction, as ``author``.

    Inside the transaction, customers are matched again (by external id or
    name: update, else create) and responses and opinions already there are
    skipped, since the database may have changed since the preview; rows are
    written with ``crm_core.writes``, which validate them again. With
    ``only_valid`` the failing rows are left out; without it, any failing row
    refuses the whole file and nothing is written. Any other error rolls
    everything back and is raised. Summaries are refreshed once per touched
    customer at the end, not after every row. Raises ``AccessDenied`` when
    accounts exist and ``author`` may not write."""
    accounts.require(db, author, "editor")
    failures = [p for p in plan.rows if p.action == "error"]
    if failures and not only_valid:
        return ImportResult(failed=len(failures), written=False, problems=_problems(plan.mapping, failures))
    planner = _Planner(db, plan.table, plan.kind, plan.mapping, plan.today)
    counts = {"create": 0, "update": 0, "skip": 0}
    failures = []
    try:
        with transaction(db), commands.deferred_refresh(db):
            for index, row in enumerate(plan.rows):
                if plan.kind == "customers":
                    row = planner.plan(index)   # rows above may have created the customer it updates
                elif row.action != "error":
                    row = RowPlan(row.row, planner.new_or_repeat(row.values), row.values)
                if row.action in ("create", "update"):
                    try:
                        _write(db, plan.kind, row, author, plan.today, planner.customers)
                    except ValidationError as error:
                        row = RowPlan.refused(row.row, error)
                if row.action == "error":
                    failures.append(row)
                else:
                    counts[row.action] += 1
            if failures and not only_valid:
                raise _Refused
            # Remembered with the import it served, so the next file with these headers maps alike.
            io_queries.save_mapping(db, plan.kind, _headers(plan.table.columns),
                                    json.dumps(plan.mapping, ensure_ascii=False), author,
                                    dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    except _Refused:
        return ImportResult(failed=len(failures), written=False, problems=_problems(plan.mapping, failures))
    return ImportResult(counts["create"], counts["update"], counts["skip"], len(failures),
                        problems=_problems(plan.mapping, failures))


def _write(db, kind: str, row: RowPlan, author: str | None, today: dt.date, customers: _Customers) -> None:
    """Write one planned row with the crm_core write for its kind."""
    values = row.values
    if kind == "customers" and row.action == "create":
        created = customers.find(None, values["name"])
        created["id"] = writes.add_customer(db, values, author=author, today=today)
    elif kind == "customers":
        writes.update_customer(db, values["id"], values, author=author, today=today)
    elif kind == "responses":
        writes.log_response(db, values["customer_id"], values["stage"], values["responded_on"], values["mode"],
                            values["items"], values["quality"], values["completeness"], values["summary"],
                            author, today=today)
    else:
        writes.record_opinion(db, values["customer_id"], values["stage"], values["opinion_on"], values["score"],
                              source=values["source"], note=values["note"], author=author, today=today)


def _problems(mapping: dict[str, str], plans: list[RowPlan],
              say: Callable[[ValidationError], str] | None = None) -> pd.DataFrame:
    """The failing rows of ``plans``: ``row, field, column`` (the file's column), ``message``
    (``say(error)`` when given and the row has its refusal)."""
    return pd.DataFrame([(p.row, p.field, mapping.get(p.field), say(p.error) if say and p.error else p.message)
                         for p in plans if p.action == "error"], columns=["row", "field", "column", "message"])


# --- export --------------------------------------------------------------------

def export_table(db, kind: str, as_of=None, filters: dict | None = None) -> pd.DataFrame:
    """``customers``, ``responses`` or ``opinions`` as one flat table up to ``as_of``
    (a date or ISO text; None: everything), narrowed by ``filters`` (``sector``,
    ``region``, ``account_manager``). Columns are the import fields, so the
    result imports back unchanged."""
    exporter = {"customers": io_queries.export_customers, "responses": io_queries.export_responses,
                "opinions": io_queries.export_opinions}[_check_kind(kind)]
    return exporter(db, SnapshotDay.of(as_of).bound, filters)


def export_count(db, kind: str, as_of=None, filters: dict | None = None) -> int:
    """How many rows ``export_table`` with the same arguments returns, without reading them."""
    return io_queries.export_count(db, _check_kind(kind), SnapshotDay.of(as_of).bound, filters)


def export_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes for spreadsheets: UTF-8 with a BOM (so Excel shows
    accents), comma-separated, CRLF lines, ISO dates, lists joined with ``;``.
    A named or non-default index is written as columns. Text cells that a
    spreadsheet would run as a formula (starting with = + - @) get a leading
    apostrophe; ``read_table`` readers drop it again on import."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    columns = []
    for number in range(frame.shape[1]):
        values = frame.iloc[:, number]
        if pd.api.types.is_datetime64_any_dtype(values):
            whole_days = values.dropna().eq(values.dropna().dt.normalize()).all()
            values = values.dt.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%dT%H:%M:%S")
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(_export_cell)
        columns.append(values)
    out = pd.concat(columns, axis=1) if columns else frame
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _export_cell(value):
    if isinstance(value, (list, tuple, set)):
        return ";".join(map(str, value))
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
