"""The fixed vocabulary of the product: stages, checklist items, modes, scales.

Everything else reads these definitions. The checklist items are also seeded
into the ``checklist_items`` table (so an admin screen can add items later
without code changes); the 18 keys below never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_

STAGES: tuple[str, ...] = ("pre_deal", "operational", "post_deal")
STAGE_LABELS: dict[str, str] = {
    "pre_deal": N_("Pre-deal"),
    "operational": N_("Operational"),
    "post_deal": N_("Post-deal"),
}
STAGE_POSITION: dict[str, int] = {stage: i for i, stage in enumerate(STAGES)}

MODES: tuple[str, ...] = ("face_to_face", "phone", "email_fax")
MODE_LABELS: dict[str, str] = {
    "face_to_face": N_("Face to face"),
    "phone": N_("Phone"),
    "email_fax": N_("Email / fax"),
}

# One colour per stage and per mode, used by every chart of every page. No mode is red:
# red means negative, late or broken on every page (``NEGATIVE_COLOUR``).
STAGE_COLOURS: dict[str, str] = {
    "pre_deal": "#4C78A8",
    "operational": "#F58518",
    "post_deal": "#54A24B",
}
MODE_COLOURS: dict[str, str] = {
    "face_to_face": "#7B4EA3",
    "phone": "#9D755D",
    "email_fax": "#72B7B2",
}

# The bands of the final opinion (-6 ... +6; the rule is ``scores.opinion_band``): its sign,
# as the stage scale calls -1 negative and +1 positive. Every page shows these words and colours.
OPINION_BANDS: tuple[tuple[str, int, int], ...] = (("negative", -6, -1), ("neutral", 0, 0), ("positive", 1, 6))
OPINION_BAND_LABELS: dict[str, str] = {"negative": N_("Negative (−6 … −1)"), "neutral": N_("Neutral (0)"),
                                       "positive": N_("Positive (+1 … +6)"), "not_rated": N_("Not rated")}
NEGATIVE_COLOUR = "#C0392B"
OPINION_BAND_COLOURS: dict[str, str] = {"negative": NEGATIVE_COLOUR, "neutral": "#9AA5B1", "positive": "#2E8B57",
                                        "not_rated": "#D5D8DC"}

QUALITY_RANGE = (1, 5)
COMPLETENESS_RANGE = (1, 5)
OPINION_RANGE = (-2, 2)
OPINION_LABELS: dict[int, str] = {
    -2: N_("Very negative"),
    -1: N_("Negative"),
    0: N_("Neutral"),
    1: N_("Positive"),
    2: N_("Very positive"),
}
OPINION_SOURCES: tuple[str, ...] = ("meeting", "survey", "call", "email", "other")
OPINION_SOURCE_LABELS: dict[str, str] = {
    "meeting": N_("Meeting"),
    "survey": N_("Survey"),
    "call": N_("Call"),
    "email": N_("Email"),
    "other": N_("Other"),
}
STAGE_ENTRY_KINDS: tuple[str, ...] = ("forward", "correction")


@dataclass(frozen=True)
class ChecklistItem:
    """One response the customer expects at a stage."""

    key: str
    stage: str
    label: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("pre.data", "pre_deal", N_("Detailed, complete data")),
    ChecklistItem("pre.evaluations", "pre_deal", N_("Evaluation of the options")),
    ChecklistItem("pre.technology", "pre_deal", N_("Briefing on recent technology")),
    ChecklistItem("pre.maintenance", "pre_deal", N_("Maintenance needs of each option")),
    ChecklistItem("pre.references", "pre_deal", N_("Pros and cons of similar projects")),
    ChecklistItem("ops.progress", "operational", N_("Regular progress reports")),
    ChecklistItem("ops.status", "operational", N_("Status of technology, engineering, manufacturing")),
    ChecklistItem("ops.delays", "operational", N_("Plan for actual delays")),
    ChecklistItem("ops.changes", "operational", N_("Possible and planned changes")),
    ChecklistItem("ops.testing", "operational", N_("Testing strategy and QC constraints")),
    ChecklistItem("post.immediate_reply", "post_deal", N_("Immediate reply to abnormal functioning")),
    ChecklistItem("post.quick_attention", "post_deal", N_("Quick attention to breakdowns")),
    ChecklistItem("post.repair_priority", "post_deal", N_("Priority in repairs")),
    ChecklistItem("post.expert_team", "post_deal", N_("Dedicated expert team")),
    ChecklistItem("post.efficiency", "post_deal", N_("Help running with less capacity")),
    ChecklistItem("post.spares", "post_deal", N_("Spare parts at actual price")),
    ChecklistItem("post.training", "post_deal", N_("Training for end users")),
    ChecklistItem("post.service", "post_deal", N_("Better maintenance and service")),
)
CHECKLIST_LABELS: dict[str, str] = {item.key: item.label for item in CHECKLIST}
