"""Export: a kind of record as one flat table (the import's fields, so it imports
back unchanged), and any table as CSV bytes that spreadsheets open safely.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..snapshot import SnapshotDay
from ..storage import io_queries
from .cells import FORMULA_STARTS
from .mapping import check_kind

def export_table(db, kind: str, as_of=None, filters: dict | None = None) -> pd.DataFrame:
    """``customers``, ``responses`` or ``opinions`` as one flat table up to ``as_of``
    (a date or ISO text; None: everything), narrowed by ``filters`` (``sector``,
    ``region``, ``account_manager``). Columns are the import fields, so the
    result imports back unchanged."""
    exporter = {"customers": io_queries.export_customers, "responses": io_queries.export_responses,
                "opinions": io_queries.export_opinions}[check_kind(kind)]
    return exporter(db, SnapshotDay.of(as_of).bound, filters)


def export_count(db, kind: str, as_of=None, filters: dict | None = None) -> int:
    """How many rows ``export_table`` with the same arguments returns, without reading them."""
    return io_queries.export_count(db, check_kind(kind), SnapshotDay.of(as_of).bound, filters)


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
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
