"""The checklist as an admin keeps it: items added to a stage, reworded per language,
moved up or down, retired and restored (admins only once accounts exist; every
change audited).

The 18 items of ``catalogue.CHECKLIST`` keep their keys, stages and meaning: a new
item gets a key of its own (never one used before, as items are retired, not deleted),
and a rewording changes the words shown, not what was recorded. A retired item keeps
its history (the responses that addressed it still name it) but leaves every count
of coverage, gaps, trends, drivers and the at-risk list until it is restored.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from . import funnel, i18n, validation
from .catalogue import CHECKLIST_LABELS, STAGES
from .i18n import N_
from .storage import admin_commands, commands
from .validation import ValidationError
from .wording import item_label

MAX_WORDING = 120
# The first part of a new item's key, as in the 18 original keys (``post.spares``).
KEY_PREFIXES = {"pre_deal": "pre", "operational": "ops", "post_deal": "post"}


def wordings(db, language: str) -> dict[str, str]:
    """Every checklist item's wording in ``language`` (retired items too, for the history
    that names them): key -> text."""
    reworded = _reworded(db, language)
    return {row.key: item_label(row.key, language, row.label, reworded)
            for row in admin_commands.items(db).itertuples()}


def _reworded(db, language: str) -> dict[str, str]:
    found = admin_commands.wordings(db, language)
    return dict(zip(found["item_key"], found["label"]))


def items(db, language: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Every item in stage and checklist order, retired ones last in their stage:
    ``id, key, stage, position, label`` (the words it was created with), ``wording``
    (in ``language``), ``reworded`` (whether an admin reworded it there), ``active``,
    ``original`` (one of the 18 of the model)."""
    found = admin_commands.items(db)
    reworded = _reworded(db, language)
    found["wording"] = [item_label(k, language, label, reworded) for k, label in zip(found["key"], found["label"])]
    found["reworded"] = found["key"].isin(reworded.keys())
    found["active"] = found["active"].astype(bool)
    found["original"] = found["key"].isin(CHECKLIST_LABELS.keys())
    found["stage_position"] = found["stage"].map({stage: n for n, stage in enumerate(STAGES)})
    return (found.sort_values(["stage_position", "active", "position"], ascending=[True, False, True])
            .drop(columns="stage_position").reset_index(drop=True))


def _item(db, key) -> dict:
    """The state of the item ``key``; refuses (field ``key``) an unknown one."""
    item_id = admin_commands.item_id(db, key) if isinstance(key, str) else None
    if item_id is None:
        raise ValidationError("key", N_("unknown checklist item {key!r}"), key=key)
    return commands.snapshot(db, "checklist_item", item_id)


def _check_wording(db, text, language: str, stage: str, key: str | None = None) -> str:
    """A new wording: not empty, not over ``MAX_WORDING`` characters, and not the wording
    another active item of ``stage`` already has in ``language`` (ignoring case)."""
    text = validation.check_text("label", text, required=True, limit=MAX_WORDING)
    validation.check_choice("language", language, tuple(i18n.LANGUAGES))
    taken = items(db, language)
    taken = taken[(taken["stage"] == stage) & taken["active"] & (taken["key"] != key)]
    if text.casefold() in {w.casefold() for w in taken["wording"]}:
        raise ValidationError("label", N_("another item of this stage is already called “{label}”"), label=text)
    return text


def new_key(stage: str, label: str, taken) -> str:
    """A key for a new item of ``stage`` from its ``label``: the stage's prefix and the
    label's first words in ASCII (``post.remote_diagnosis``), numbered when ``taken`` has it."""
    ascii_words = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = "_".join(re.findall(r"[a-z0-9]+", ascii_words))[:40].rstrip("_") or "item"
    key, n = f"{KEY_PREFIXES[stage]}.{slug}", 1
    while key in taken:
        n += 1
        key = f"{KEY_PREFIXES[stage]}.{slug}_{n}"
    return key


def add_item(db, stage: str, label: str, *, language: str = i18n.DEFAULT_LANGUAGE,
             author: str | None = None) -> str:
    """Add an item at the end of ``stage``, worded ``label`` in ``language`` (its words in
    the other languages until an admin rewords it there). Returns its new key."""
    with funnel.change(db, author, role="admin") as change:
        validation.check_choice("stage", stage, STAGES)
        text = _check_wording(db, label, language, stage)
        key = new_key(stage, text, set(admin_commands.items(db)["key"]))
        item_id = admin_commands.insert_item(db, key, stage, text)
        if language != i18n.DEFAULT_LANGUAGE:
            admin_commands.set_wording(db, key, language, text)
        change.record("create", "checklist_item", item_id, None)
        return key


def reword_item(db, key: str, language: str, label: str | None, *, author: str | None = None) -> None:
    """Word item ``key`` as ``label`` in ``language``; an empty ``label`` gives it back
    the catalogue's words there. The key and what responses recorded do not change."""
    with funnel.change(db, author, role="admin") as change:
        before = _item(db, key)
        validation.check_choice("language", language, tuple(i18n.LANGUAGES))
        text = None if not (label or "").strip() else _check_wording(db, label, language, before["stage"], key)
        admin_commands.set_wording(db, key, language, text)
        change.record("update", "checklist_item", before["id"], before)


def move_item(db, key: str, step: int, *, author: str | None = None) -> None:
    """Move active item ``key`` one place up (``step`` −1) or down (+1) in its stage's
    checklist, swapping places with its neighbour; refuses at either end."""
    with funnel.change(db, author, role="admin") as change:
        before = _item(db, key)
        if step not in (-1, 1):
            raise ValidationError("step", N_("an item moves one place: up (−1) or down (+1)"))
        stage = items(db)
        stage = stage[(stage["stage"] == before["stage"]) & stage["active"]].reset_index(drop=True)
        place = stage.index[stage["key"] == key]
        if place.empty:
            raise ValidationError("key", N_("a retired item has no place in the checklist; restore it first"))
        other = place[0] + step
        if not 0 <= other < len(stage):
            raise ValidationError("step", N_("the item is already at that end of its stage"))
        neighbour = _item(db, stage.loc[other, "key"])
        admin_commands.swap_positions(db, key, neighbour["key"])
        change.record("update", "checklist_item", before["id"], before)
        change.record("update", "checklist_item", neighbour["id"], neighbour)


def retire_item(db, key: str, *, author: str | None = None) -> None:
    """Retire item ``key``: its history stays, every count leaves it out (see the module)."""
    _set_active(db, key, False, author)


def restore_item(db, key: str, *, author: str | None = None) -> None:
    """Bring retired item ``key`` back, with the coverage its past responses gave."""
    _set_active(db, key, True, author)


def _set_active(db, key: str, active: bool, author: str | None) -> None:
    with funnel.change(db, author, role="admin") as change:
        before = _item(db, key)
        if bool(before["active"]) == active:
            raise ValidationError("key", N_("the item is already active") if active
                                  else N_("the item is already retired"))
        listed = items(db)
        if not active and (listed["active"] & (listed["stage"] == before["stage"])).sum() == 1:
            raise ValidationError("key", N_("a stage keeps at least one active item"))
        admin_commands.set_active(db, key, active)
        change.record("update", "checklist_item", before["id"], before)
