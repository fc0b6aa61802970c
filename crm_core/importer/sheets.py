"""Reading a spreadsheet workbook (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) as rows of text
cells, the shape the CSV reader gives, so a sheet goes through the same mapping,
preview and import as a CSV file. The cells' values become the text a person
would type: dates as ``2026-05-01`` (with the time when it is not midnight),
whole numbers without ``.0``.

python-calamine (Rust's calamine) reads all four formats, fast and without
evaluating anything: formulas arrive as their cached values.
"""

from __future__ import annotations

import datetime as dt
import io

import python_calamine

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
# The first bytes of a zip archive (xlsx, ods) and of an OLE2 compound file (xls).
SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


class WorkbookError(ValueError):
    """The workbook cannot be read; the message says why, in user terms."""


def is_workbook(data: bytes, filename: str) -> bool:
    """True when ``filename`` has a workbook's extension or ``data`` starts like one."""
    return filename.lower().endswith(EXTENSIONS) or data.startswith(SIGNATURES)


def _open(data: bytes, filename: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises its own error types, and zip/XML errors below them
        raise WorkbookError(f"{filename} cannot be read as a workbook ({error})") from None


def sheet_names(data: bytes, filename: str) -> list[str]:
    """The names of the workbook's sheets, in the workbook's order."""
    return list(_open(data, filename).sheet_names)


def sheet_rows(data: bytes, filename: str, sheet: str | None = None) -> tuple[str, list[list[str]]]:
    """One sheet (by name; the first when ``sheet`` is None) as rows of text cells.
    Returns ``(sheet name, rows)``; raises ``WorkbookError`` for an unreadable file or
    an unknown sheet (the message lists the sheets there are)."""
    workbook = _open(data, filename)
    names = list(workbook.sheet_names)
    if not names:
        raise WorkbookError(f"{filename} has no sheet")
    name = names[0] if sheet is None else sheet
    if name not in names:
        raise WorkbookError(f"{filename} has no sheet {name!r}; its sheets: {', '.join(names)}")
    try:
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as error:  # a damaged sheet inside a readable archive
        raise WorkbookError(f"sheet {name!r} of {filename} cannot be read ({error})") from None
    return name, _within_header([[cell_text(value) for value in row] for row in values])


def _within_header(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` without the blank cells right of the header (the first non-blank row): a
    sheet's rows span its used range, and blank cells there are not columns. A row with
    text beyond the header keeps it, so the importer can refuse that row."""
    header = next((row for row in rows if any(cell.strip() for cell in row)), [])
    width = len(header) - next((i for i, cell in enumerate(reversed(header)) if cell.strip()), len(header))
    return [row[:width] if not any(cell.strip() for cell in row[width:]) else row for row in rows]


def cell_text(value) -> str:
    """A cell's value as the text a person would type in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
