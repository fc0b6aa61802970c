"""Reading an uploaded file as a table of text cells: a CSV file's encoding (UTF-8
with or without BOM, UTF-16, Windows-1252/Latin-1) and delimiter (comma, semicolon
or tab), or one sheet of a workbook (``sheets``); the column names; refusing what
is not a table (``TableError``).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from . import sheets

MAX_BYTES = 50_000_000
MAX_ROWS = 100_000
DELIMITERS = ",;\t"


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in user terms."""



@dataclass(frozen=True)
class RawTable:
    """A file read as text. ``rows`` hold one string per column (padded);
    ``row_numbers`` give each row's number as a spreadsheet shows it (the
    header is row 1); ``too_long`` maps a row's index to its cell count when
    it has non-empty cells beyond the header; ``sheet`` names the workbook sheet
    read (None for a CSV file, whose ``encoding`` and ``delimiter`` are then set)."""

    filename: str
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    too_long: dict[int, int] = field(default_factory=dict)
    sheet: str | None = None

    def frame(self) -> pd.DataFrame:
        """The cells as a DataFrame of strings, indexed by row number."""
        return pd.DataFrame(self.rows, columns=self.columns, index=pd.Index(self.row_numbers, name="row"))


def read_table(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int = MAX_ROWS) -> RawTable:
    """Read a CSV file's bytes, or one sheet of a workbook (``.xlsx``, ``.xlsm``,
    ``.xls``, ``.ods``: ``sheet`` by name, the first by default); ``filename`` is
    used in messages and to recognise a workbook.

    CSV: detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
    Windows-1252/Latin-1) and the delimiter (comma, semicolon or tab). Blank
    lines are ignored. Raises ``TableError`` for an empty or header-only table,
    a binary file, an unreadable workbook or unknown sheet, or more than
    ``max_rows`` data rows."""
    if len(data) > MAX_BYTES:
        raise TableError(f"{filename} is larger than {MAX_BYTES // 1_000_000} MB; split it")
    if sheets.is_workbook(data, filename):
        try:
            name, records = sheets.sheet_rows(data, filename, sheet)
        except sheets.WorkbookError as error:
            raise TableError(str(error)) from None
        return _table(records, f"{filename}, sheet {name!r}", max_rows, filename=filename, encoding="",
                      delimiter="", sheet=name)
    text, encoding = _decode(data, filename)
    delimiter = _delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise TableError(f"{filename} is not valid CSV: {error}") from None
    return _table(records, filename, max_rows, filename=filename, encoding=encoding, delimiter=delimiter)


def _table(records: list[list[str]], label: str, max_rows: int, **about) -> RawTable:
    """The ``RawTable`` of rows of text cells: the first non-blank row is the header;
    ``label`` names the table in messages, ``about`` fills the table's other fields."""
    numbered = [(n, record) for n, record in enumerate(records, start=1) if any(c.strip() for c in record)]
    if not numbered:
        raise TableError(f"{label} is empty")
    (_, header), body = numbered[0], numbered[1:]
    if not body:
        raise TableError(f"{label} has a header row but no data rows")
    if len(body) > max_rows:
        raise TableError(f"{label} has {len(body)} rows, more than {max_rows} at once; split it")
    columns = _column_names(header)
    width = len(columns)
    rows, too_long = [], {}
    for index, (_, record) in enumerate(body):
        if any(c.strip() for c in record[width:]):
            too_long[index] = len(record)
        rows.append((record + [""] * width)[:width])
    return RawTable(columns=columns, rows=rows, row_numbers=[n for n, _ in body], too_long=too_long, **about)


def sheet_names(data: bytes, filename: str) -> list[str]:
    """The sheets of a workbook's bytes, in order; raises ``TableError`` when it cannot be read."""
    try:
        return sheets.sheet_names(data, filename)
    except sheets.WorkbookError as error:
        raise TableError(str(error)) from None


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
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
