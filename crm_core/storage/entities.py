"""The one registry of entities a change can touch: for each, the table that holds
it, the columns a write fills, whether its rows feed the summary tables, whether
undo may restore it, and which of its columns the audit trail records.

Writes (``commands``, ``relationship_commands``), snapshots for the audit trail
and undo's restore all look entities up here, so a new entity is added once.
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER_COLUMNS = ("name", "name_key", "sector", "region", "account_manager",
                    "acquisition_cost", "created_on", "notes", "external_id")
RESPONSE_COLUMNS = ("customer_id", "stage", "responded_on", "mode", "summary",
                    "quality", "completeness", "author")
OPINION_COLUMNS = ("customer_id", "stage", "opinion_on", "score", "source", "note", "author")
ENTRY_COLUMNS = ("customer_id", "stage", "entered_on", "kind", "reason", "author")
CASE_COLUMNS = ("customer_id", "reported_at", "description", "priority", "first_reply_at", "attention_at",
                "expert", "repaired_at", "spare_quoted_price", "spare_reference_price", "closed_at", "author")
PROMISE_COLUMNS = ("customer_id", "stage", "made_on", "made_by", "kind", "what", "promised_value", "due_on",
                   "status", "resolved_on", "actual_value", "author")
OUTCOME_COLUMNS = ("customer_id", "kind", "on_date", "amount", "counterpart", "note", "author")
FOLLOW_UP_COLUMNS = ("customer_id", "item_key", "owner", "due_on", "created_on", "created_by", "status",
                     "closed_on", "closed_by_response", "note")
TARGET_COLUMNS = ("first_reply_hours", "attention_hours", "repair_hours")
# Hours for first reply, attention and repair per priority, unless an admin changed them
# (here, beside the columns, because the summaries judge clocks against them too).
DEFAULT_TARGETS: dict[str, tuple[float, float, float]] = {
    "critical": (1, 4, 24), "high": (4, 8, 48), "normal": (8, 24, 120), "low": (24, 72, 240)}
SAVED_VIEW_COLUMNS = ("name", "name_key", "owner", "shared", "page", "params", "saved_at")
# What the audit trail keeps of an account: never its password hash, nor the
# failed-login counter and lock, which sign-in attempts change without anyone's change.
ACCOUNT_COLUMNS = ("id", "name", "role", "disabled", "created_at")


@dataclass(frozen=True)
class Entity:
    """One kind of thing a change touches. ``columns``: what a write fills (besides
    ``id``); ``audited``: the columns a snapshot records (None: every column);
    ``feeds_summaries``: undo refreshes summaries after restoring one; ``undoable``:
    whether undo may restore it."""

    table: str
    columns: tuple[str, ...] = ()
    audited: tuple[str, ...] | None = None
    feeds_summaries: bool = False
    undoable: bool = True


ENTITIES: dict[str, Entity] = {
    "customer": Entity("customers", CUSTOMER_COLUMNS),
    "stage_entry": Entity("stage_entries", ENTRY_COLUMNS, feeds_summaries=True),
    "response": Entity("responses", RESPONSE_COLUMNS, feeds_summaries=True),
    "opinion": Entity("opinions", OPINION_COLUMNS, feeds_summaries=True),
    "service_case": Entity("service_cases", CASE_COLUMNS, feeds_summaries=True),
    "promise": Entity("promises", PROMISE_COLUMNS, feeds_summaries=True),
    "outcome": Entity("outcomes", OUTCOME_COLUMNS),
    "follow_up": Entity("follow_ups", FOLLOW_UP_COLUMNS, feeds_summaries=True),
    "service_target": Entity("service_targets", ("priority", *TARGET_COLUMNS), feeds_summaries=True),
    "setting": Entity("settings", ("name", "value")),
    # Checklist changes are audited but not undone: retiring or restoring an item recounts
    # every customer, and an admin reverses any of them with its opposite on the same screen.
    "checklist_item": Entity("checklist_items", undoable=False),
    # Account changes are audited but not undone: undo cannot give back a password
    # it never recorded, and an admin reverses a role or a disabling by changing it again.
    "account": Entity("users", audited=ACCOUNT_COLUMNS, undoable=False),
    # A saved view is a link, not a fact about a customer: "Undo" takes back data, never a view.
    "saved_view": Entity("saved_views", SAVED_VIEW_COLUMNS, undoable=False),
}
# The entities outside the response summaries whose rows feed ``risk_summary``.
RISK_ENTITIES = ("service_case", "promise", "follow_up", "service_target")
UNDOABLE = tuple(name for name, entity in ENTITIES.items() if entity.undoable)
