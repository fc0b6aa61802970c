"""Validation rules for every write. Pure functions: they take the values the
user typed plus the facts the database knows, and raise ``ValidationError``
naming the field and the problem. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from .catalogue import (
    COMPLETENESS_RANGE,
    MODES,
    OPINION_RANGE,
    QUALITY_RANGE,
    STAGE_ENTRY_KINDS,
    STAGE_POSITION,
    STAGES,
)
from .i18n import N_

MAX_NAME = 200
# What the inputs a ValidationError names are called on screen (pages translate them).
FIELD_LABELS: dict[str, str] = {
    "author": N_("You are"),
    "name": N_("Name"), "sector": N_("Sector"), "region": N_("Region"), "account_manager": N_("Account manager"),
    "acquisition_cost": N_("Acquisition cost"), "created_on": N_("Customer since"), "notes": N_("Notes"),
    "external_id": N_("External id"), "role": N_("Role"), "email": N_("Email"), "phone": N_("Phone"),
    "customer": N_("Customer"), "customer_id": N_("Customer"), "stage": N_("Stage"), "responded_on": N_("Date"),
    "mode": N_("Mode"), "items": N_("Checklist items"), "quality": N_("Quality"), "completeness": N_("Completeness"),
    "summary": N_("Summary"), "score": N_("Opinion"), "opinion_on": N_("Date"), "note": N_("Note"),
    "source": N_("Source"), "entered_on": N_("Entered on"), "reason": N_("Reason"), "kind": N_("Kind"),
    "password": N_("Password"), "old_password": N_("Current password"), "undo": N_("Undo"),
    "reported_at": N_("Reported on"), "at": N_("Time"), "priority": N_("Priority"), "description": N_("Fault"),
    "expert": N_("Expert"), "spare_quoted_price": N_("Spare parts: quoted price"),
    "spare_reference_price": N_("Spare parts: reference price"), "made_on": N_("Made on"), "made_by": N_("Made by"),
    "promised_value": N_("Promised value"), "actual_value": N_("What was delivered"), "due_on": N_("Due on"),
    "status": N_("Status"), "resolved_on": N_("On"), "amount": N_("Amount"), "counterpart": N_("To whom"),
    "mapping": N_("Column"), "row": N_("Row"), "period_days": N_("Period (days)"),
    "label": N_("Wording"), "language": N_("Language"), "key": N_("Checklist item"), "step": N_("Move"),
    "currency": N_("Currency"), "first_reply_hours": N_("First reply (hours)"),
    "attention_hours": N_("Attention (hours)"), "repair_hours": N_("Repair (hours)"), "hours": N_("Hours"),
    "owner": N_("Owner"), "item_key": N_("Checklist item"), "closed_on": N_("Closed on"),
}
MAX_TEXT = 5000


class ValidationError(ValueError):
    """A write was refused. ``field`` names the input, ``message`` says why (English).

    ``template`` is the message with its ``{placeholders}`` and ``values`` fills them,
    so a page can show it translated: ``_(error.template, **error.values)``.
    """

    def __init__(self, field: str, template: str, **values):
        self.field = field
        self.template = template
        self.values = values
        self.message = template.format(**values) if values else template
        super().__init__(f"{field}: {self.message}")


def parse_date(field: str, value) -> dt.date:
    """Accept a ``date``, a ``datetime`` or an ISO ``YYYY-MM-DD`` string; return a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(field, N_("{value!r} is not a valid date (use YYYY-MM-DD)"), value=value)


def check_date(field: str, value, *, not_before: dt.date | None, today: dt.date) -> str:
    """A valid date, not in the future and not before ``not_before``; returns ISO text."""
    day = parse_date(field, value)
    if day > today:
        raise ValidationError(field, N_("{day} is in the future"), day=day.isoformat())
    if not_before is not None and day < not_before:
        raise ValidationError(field, N_("{day} is before the customer existed ({created})"),
                              day=day.isoformat(), created=not_before.isoformat())
    return day.isoformat()


def check_text(field: str, value, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """Strip a text; refuse empty required ones, over-long ones and NUL bytes."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationError(field, N_("must be text"))
    if "\x00" in text:
        raise ValidationError(field, N_("contains a NUL character"))
    if required and not text:
        raise ValidationError(field, N_("must not be empty"))
    if len(text) > limit:
        raise ValidationError(field, N_("is too long ({length} characters, at most {limit})"), length=len(text),
                              limit=limit)
    return text or None


def check_stage(stage: str | None, allow_none: bool = True) -> None:
    """Refuse (``ValidationError`` on ``stage``) a stage key the catalogue does not have;
    ``None`` passes when ``allow_none`` (meaning: every stage)."""
    if stage is None and allow_none:
        return
    if stage not in STAGE_POSITION:
        raise ValidationError("stage", N_("unknown stage {stage!r}"), stage=stage)


MAX_ID_DIGITS = 18   # below 2**63: an id every database can store


def parse_id(text: str | None) -> int | None:
    """The record id written in ``text`` (ASCII digits, a positive number of at most
    ``MAX_ID_DIGITS`` digits), else None. ``str.isdigit`` alone lets through digits that
    ``int`` refuses (``²``) and numbers too long to convert."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    return int(text) or None


def check_choice(field: str, value, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise ValidationError(field, N_("{value!r} is not one of {choices}"), value=value, choices=", ".join(choices))
    return value


def check_rating(field: str, value, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if value is None or value == "":
        raise ValidationError(field, N_("pick a value from {low} to {high}"), low=low, high=high)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationError(field, N_("must be a whole number from {low} to {high}"), low=low, high=high)
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(field, N_("{value!r} is not a number"), value=value) from None
    if not low <= number <= high or number != int(number):  # NaN fails the first test
        raise ValidationError(field, N_("{value} is out of range ({low} to {high})"), value=value, low=low, high=high)
    return int(number)


def check_amount(field: str, value) -> float | None:
    if value is None or value == "":
        return None
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise ValidationError(field, N_("{value!r} is not a number"), value=value) from None
    if amount < 0 or amount != amount:
        raise ValidationError(field, N_("must be zero or more"))
    return amount


def name_key(name: str) -> str:
    """The case-insensitive identity of a customer name."""
    return " ".join(name.casefold().split())


def check_stage_reached(field: str, stage: str, stage_on_date: str | None) -> str:
    """``stage`` must be known and reached (current stage on that date at or past it)."""
    check_choice(field, stage, STAGES)
    if stage_on_date is None or STAGE_POSITION[stage] > STAGE_POSITION[stage_on_date]:
        raise ValidationError(field, N_("the customer had not reached {stage} on that date (was in {was})"),
                              stage=stage, was=stage_on_date)
    return stage


def check_items(field: str, items: Iterable[str], stage: str, stage_items: dict[str, str]) -> list[str]:
    """Checklist item keys: known, and all of ``stage``. ``stage_items`` maps key -> stage."""
    keys = []
    for key in items or ():
        if key not in stage_items:
            raise ValidationError(field, N_("unknown checklist item {key!r}"), key=key)
        if stage_items[key] != stage:
            raise ValidationError(field, N_("{key} belongs to {owner}, not {stage}"), key=key, owner=stage_items[key],
                                  stage=stage)
        if key not in keys:
            keys.append(key)
    return keys


def check_response(values: dict, *, stage_on_date, created_on: dt.date, today: dt.date,
                   stage_items: dict[str, str]) -> dict:
    """Validate a response; returns the cleaned column values."""
    responded_on = check_date("responded_on", values.get("responded_on"), not_before=created_on, today=today)
    stage = check_stage_reached("stage", values.get("stage"), stage_on_date(responded_on))
    return {
        "stage": stage,
        "responded_on": responded_on,
        "mode": check_choice("mode", values.get("mode"), MODES),
        "items": check_items("items", values.get("items"), stage, stage_items),
        "quality": check_rating("quality", values.get("quality"), QUALITY_RANGE),
        "completeness": check_rating("completeness", values.get("completeness"), COMPLETENESS_RANGE),
        "summary": check_text("summary", values.get("summary"), required=True),
        "author": check_text("author", values.get("author"), limit=MAX_NAME),
    }


def check_opinion(values: dict, *, stage_on_date, created_on: dt.date, today: dt.date) -> dict:
    """Validate an opinion; returns the cleaned column values."""
    opinion_on = check_date("opinion_on", values.get("opinion_on"), not_before=created_on, today=today)
    stage = check_stage_reached("stage", values.get("stage"), stage_on_date(opinion_on))
    return {
        "stage": stage,
        "opinion_on": opinion_on,
        "score": check_rating("score", values.get("score"), OPINION_RANGE),
        "source": check_text("source", values.get("source"), limit=MAX_NAME),
        "note": check_text("note", values.get("note")),
        "author": check_text("author", values.get("author"), limit=MAX_NAME),
    }


def next_stage(current_stage: str | None) -> str | None:
    """The stage a move forward from ``current_stage`` goes to (the first for none yet);
    None after the last stage."""
    position = STAGE_POSITION[current_stage] if current_stage else -1
    return STAGES[position + 1] if position + 1 < len(STAGES) else None


def check_stage_entry(values: dict, *, current_stage: str | None, last_entered_on: str | None,
                      created_on: dt.date, today: dt.date) -> dict:
    """A move forward goes exactly one stage on; a correction needs a reason."""
    kind = check_choice("kind", values.get("kind", "forward"), STAGE_ENTRY_KINDS)
    stage = check_choice("stage", values.get("stage"), STAGES)
    entered_on = check_date("entered_on", values.get("entered_on"), not_before=created_on, today=today)
    if last_entered_on is not None and entered_on < last_entered_on:
        raise ValidationError("entered_on", N_("is before the last stage change ({day})"), day=last_entered_on)
    reason = check_text("reason", values.get("reason"))
    if stage == current_stage:
        raise ValidationError("stage", N_("the customer is already in {stage}"), stage=stage)
    if kind == "forward":
        # After the last stage there is no next one (found by a property test).
        following = next_stage(current_stage)
        if following is None:
            raise ValidationError("stage", N_("{stage} is the last stage: there is no next one"), stage=current_stage)
        if stage != following:
            raise ValidationError("stage", N_("the next stage is {next}"), next=following)
    elif not reason:
        raise ValidationError("reason", N_("a correction needs a reason"))
    return {"stage": stage, "entered_on": entered_on, "kind": kind, "reason": reason,
            "author": check_text("author", values.get("author"), limit=MAX_NAME)}


def check_customer(values: dict, *, today: dt.date) -> dict:
    """Validate a customer profile; returns the cleaned column values."""
    name = check_text("name", values.get("name"), required=True, limit=MAX_NAME)
    created_on = check_date("created_on", values.get("created_on") or today, not_before=None, today=today)
    return {
        "name": name,
        "name_key": name_key(name),
        "sector": check_text("sector", values.get("sector"), limit=MAX_NAME),
        "region": check_text("region", values.get("region"), limit=MAX_NAME),
        "account_manager": check_text("account_manager", values.get("account_manager"), limit=MAX_NAME),
        "acquisition_cost": check_amount("acquisition_cost", values.get("acquisition_cost")),
        "created_on": created_on,
        "notes": check_text("notes", values.get("notes")),
        "external_id": check_text("external_id", values.get("external_id"), limit=MAX_NAME),
    }


def check_contacts(contacts: Iterable[dict] | None) -> list[dict]:
    cleaned = []
    for i, contact in enumerate(contacts or ()):
        prefix = f"contacts[{i}]"
        cleaned.append({
            "name": check_text(f"{prefix}.name", contact.get("name"), required=True, limit=MAX_NAME),
            "role": check_text(f"{prefix}.role", contact.get("role"), limit=MAX_NAME),
            "email": check_text(f"{prefix}.email", contact.get("email"), limit=MAX_NAME),
            "phone": check_text(f"{prefix}.phone", contact.get("phone"), limit=MAX_NAME),
        })
        if cleaned[-1]["email"] and "@" not in cleaned[-1]["email"]:
            raise ValidationError(f"{prefix}.email", N_("is not an email address"))
    return cleaned
