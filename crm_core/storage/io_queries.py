"""SQL for import and export: the facts an import matches rows on, the column
mappings remembered, and the flat tables an export writes.
"""

from __future__ import annotations

import pandas as pd

from . import Handle, frame, rows, value
from .commands import CUSTOMER_COLUMNS
from .queries import _filter_sql

# --- facts an import matches on --------------------------------------------------

def customer_rows(db: Handle) -> list[dict]:
    """Every customer's ``id`` and profile columns: what file rows are matched on."""
    return rows(db, f"SELECT id, {', '.join(CUSTOMER_COLUMNS)} FROM customers ORDER BY id")


def response_exists(db: Handle, values: dict) -> bool:
    """Whether a response with the same customer, stage, date, mode and summary exists."""
    # Stage and mode unindexed keep the plan on the (customer_id, responded_on) index: a
    # handful of rows, where the (stage, mode, responded_on) index finds hundreds at scale.
    return value(db, "SELECT EXISTS (SELECT 1 FROM responses WHERE customer_id = :customer_id"
                     f" AND responded_on = :responded_on AND {db.dialect.unindexed('stage')} = :stage"
                     f" AND {db.dialect.unindexed('mode')} = :mode AND summary = :summary)",
                 {key: values[key] for key in ("customer_id", "responded_on", "stage", "mode", "summary")}) == 1


def opinion_exists(db: Handle, values: dict) -> bool:
    """Whether an opinion with the same customer, stage, date, score and note exists."""
    return value(db, "SELECT EXISTS (SELECT 1 FROM opinions WHERE customer_id = :customer_id AND stage = :stage"
                     " AND opinion_on = :opinion_on AND score = :score AND note IS NOT DISTINCT FROM :note)",
                 {key: values[key] for key in ("customer_id", "stage", "opinion_on", "score", "note")}) == 1



# --- column mappings remembered per kind and header set ---------------------------

def saved_mapping(db: Handle, kind: str, headers: str) -> str | None:
    """The JSON mapping last saved for ``kind`` and ``headers`` (sorted column names as JSON), or None."""
    return value(db, "SELECT mapping FROM import_mappings WHERE kind = :kind AND headers = :headers",
                 {"kind": kind, "headers": headers})


def save_mapping(db: Handle, kind: str, headers: str, mapping: str, author: str | None, saved_at: str) -> None:
    """Remember ``mapping`` (JSON) for ``kind`` and ``headers``, replacing the one saved before."""
    db.execute("INSERT INTO import_mappings (kind, headers, mapping, author, saved_at)"
               " VALUES (:kind, :headers, :mapping, :author, :saved_at)"
               " ON CONFLICT (kind, headers) DO UPDATE SET mapping = excluded.mapping,"
               " author = excluded.author, saved_at = excluded.saved_at",
               {"kind": kind, "headers": headers, "mapping": mapping, "author": author, "saved_at": saved_at})

# --- flat tables for export -------------------------------------------------------
# Column names are the importer's field names, so an exported file imports back as is.

def export_customers(db: Handle, as_of: str, filters: dict | None) -> pd.DataFrame:
    """Customers created by ``as_of`` with their stage on that day."""
    where, params = _filter_sql(filters)
    return frame(db, f"""
    SELECT c.id, c.external_id, c.name, c.sector, c.region, c.account_manager, c.acquisition_cost,
           c.created_on,
           (SELECT e.stage FROM stage_entries e WHERE e.customer_id = c.id AND e.entered_on <= :d
             ORDER BY e.entered_on DESC, e.id DESC LIMIT 1) AS stage,
           c.notes
      FROM customers c WHERE c.created_on <= :d {where} ORDER BY c.name
    """, {"d": as_of, **params})


def export_responses(db: Handle, as_of: str, filters: dict | None) -> pd.DataFrame:
    """Responses up to ``as_of`` with their customer and ``;``-separated item keys."""
    where, params = _filter_sql(filters)
    return frame(db, f"""
    SELECT r.id, c.name AS customer, c.external_id, r.stage, r.responded_on, r.mode,
           (SELECT {db.dialect.joined("item_key", ";")} FROM
               (SELECT i.item_key FROM response_items i WHERE i.response_id = r.id ORDER BY i.item_key) AS keys
           ) AS items,
           r.quality, r.completeness, r.summary, r.author
      FROM responses r JOIN customers c ON c.id = r.customer_id
     WHERE r.responded_on <= :d {where} ORDER BY r.responded_on, r.id
    """, {"d": as_of, **params})


def export_opinions(db: Handle, as_of: str, filters: dict | None) -> pd.DataFrame:
    """Opinions up to ``as_of`` with their customer."""
    where, params = _filter_sql(filters)
    return frame(db, f"""
    SELECT o.id, c.name AS customer, c.external_id, o.stage, o.opinion_on, o.score, o.source, o.note,
           o.author
      FROM opinions o JOIN customers c ON c.id = o.customer_id
     WHERE o.opinion_on <= :d {where} ORDER BY o.opinion_on, o.id
    """, {"d": as_of, **params})


# Counted on the (day) or (customer_id, day) index alone, never the rows: the chosen
# customers as an IN list, not a join, which would read each row for its customer_id.
_EXPORT_COUNTS = {
    "customers": "SELECT COUNT(*) FROM customers c WHERE c.created_on <= :d {where}",
    "responses": "SELECT COUNT(*) FROM responses WHERE responded_on <= :d {chosen}",
    "opinions": "SELECT COUNT(*) FROM opinions WHERE opinion_on <= :d {chosen}",
}


def export_count(db: Handle, kind: str, as_of: str, filters: dict | None) -> int:
    """How many rows the export of ``kind`` up to ``as_of`` narrowed by ``filters`` holds."""
    where, params = _filter_sql(filters)
    chosen = f"AND customer_id IN (SELECT c.id FROM customers c WHERE 1 = 1 {where})" if where else ""
    return value(db, _EXPORT_COUNTS[kind].format(where=where, chosen=chosen), {"d": as_of, **params})
