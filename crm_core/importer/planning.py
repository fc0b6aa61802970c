"""Planning an import without writing: for each row of a file, the cleaned values
and what importing it does (create, update, skip) or the reason it is refused,
checked against the database and the rows above it in the same file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .. import validation, writes
from ..i18n import N_
from ..storage import commands, io_queries
from ..validation import ValidationError
from .cells import MODE_KEYS, STAGE_KEYS, cell_text, item_keys, key_for, parse_day, rating
from .mapping import check_kind, check_mapping
from .reading import RawTable

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
        return problems(self.mapping, self.rows, say)

    def frame(self) -> pd.DataFrame:
        """Every row for display: ``row, action``, the cleaned values, ``problem``."""
        return pd.DataFrame([{"row": p.row, "action": p.action, **p.values,
                              "problem": f"{p.field}: {p.message}" if p.message else None}
                             for p in self.rows])


class Customers:
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


class Planner:
    """Plans rows one by one against the database and the rows planned before."""

    def __init__(self, db, table: RawTable, kind: str, mapping: dict[str, str], today: dt.date):
        self.db, self.table, self.kind, self.mapping, self.today = db, table, kind, mapping, today
        self.customers = Customers(db)
        self.seen: set[tuple] = set()   # responses/opinions planned above, against in-file repeats
        self.positions = {name: table.columns.index(column) for name, column in mapping.items()}
        # Every response row is checked against one read of the checklist (no row changes it).
        self.stage_items = commands.item_stages(db) if kind == "responses" else None

    def plan(self, index: int) -> RowPlan:
        number = self.table.row_numbers[index]
        if index in self.table.too_long:
            return RowPlan.refused(number, ValidationError("row", N_("has {cells} cells but the header has {columns}"),
                                                           cells=self.table.too_long[index],
                                                           columns=len(self.table.columns)))
        cells = {name: cell_text(self.table.rows[index][at]) for name, at in self.positions.items()}
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
        values = writes.check_response(self.db, {
            "customer_id": self.customers.referenced(cells.get("external_id"), cells.get("customer")),
            "stage": key_for(cells.get("stage"), STAGE_KEYS),
            "responded_on": self._day("responded_on", cells),
            "mode": key_for(cells.get("mode"), MODE_KEYS),
            "items": item_keys(cells.get("items")),
            "quality": rating(cells.get("quality")),
            "completeness": rating(cells.get("completeness")),
            "summary": cells.get("summary"),
        }, self.today, stage_items=self.stage_items)
        return self.new_or_repeat(values), values

    def _opinions(self, cells: dict) -> tuple[str, dict]:
        values = writes.check_opinion(self.db, {
            "customer_id": self.customers.referenced(cells.get("external_id"), cells.get("customer")),
            "stage": key_for(cells.get("stage"), STAGE_KEYS),
            "opinion_on": self._day("opinion_on", cells),
            "score": rating(cells.get("score")),
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
    check_kind(kind)
    mapping = {name: column for name, column in mapping.items() if column}
    check_mapping(table, kind, mapping)
    planner = Planner(db, table, kind, mapping, today or dt.date.today())
    return ImportPreview(kind, table, mapping, planner.today,
                         [planner.plan(index) for index in range(len(table.rows))])


def problems(mapping: dict[str, str], plans: list[RowPlan],
              say: Callable[[ValidationError], str] | None = None) -> pd.DataFrame:
    """The failing rows of ``plans``: ``row, field, column`` (the file's column), ``message``
    (``say(error)`` when given and the row has its refusal)."""
    return pd.DataFrame([(p.row, p.field, mapping.get(p.field), say(p.error) if say and p.error else p.message)
                         for p in plans if p.action == "error"], columns=["row", "field", "column", "message"])
