"""The fixed vocabulary of the product: stages, checklist items, modes, scales.

Everything else reads these definitions. The checklist items are also seeded
into the ``checklist_items`` table (so an admin screen can add items later
without code changes); the 18 keys below never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES: tuple[str, ...] = ("pre_deal", "operational", "post_deal")
STAGE_LABELS: dict[str, str] = {
    "pre_deal": "Pre-deal",
    "operational": "Operational",
    "post_deal": "Post-deal",
}
STAGE_POSITION: dict[str, int] = {stage: i for i, stage in enumerate(STAGES)}

MODES: tuple[str, ...] = ("face_to_face", "phone", "email_fax")
MODE_LABELS: dict[str, str] = {
    "face_to_face": "Face to face",
    "phone": "Phone",
    "email_fax": "Email / fax",
}

# One colour per stage and per mode, used by every chart of every page.
STAGE_COLOURS: dict[str, str] = {
    "pre_deal": "#4C78A8",
    "operational": "#F58518",
    "post_deal": "#54A24B",
}
MODE_COLOURS: dict[str, str] = {
    "face_to_face": "#7B4EA3",
    "phone": "#E45756",
    "email_fax": "#72B7B2",
}

QUALITY_RANGE = (1, 5)
COMPLETENESS_RANGE = (1, 5)
OPINION_RANGE = (-2, 2)
OPINION_LABELS: dict[int, str] = {
    -2: "Very negative",
    -1: "Negative",
    0: "Neutral",
    1: "Positive",
    2: "Very positive",
}
OPINION_SOURCES: tuple[str, ...] = ("meeting", "survey", "call", "email", "other")
STAGE_ENTRY_KINDS: tuple[str, ...] = ("forward", "correction")


@dataclass(frozen=True)
class ChecklistItem:
    """One response the customer expects at a stage."""

    key: str
    stage: str
    label: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("pre.data", "pre_deal", "Detailed, complete data"),
    ChecklistItem("pre.evaluations", "pre_deal", "Evaluation of the options"),
    ChecklistItem("pre.technology", "pre_deal", "Briefing on recent technology"),
    ChecklistItem("pre.maintenance", "pre_deal", "Maintenance needs of each option"),
    ChecklistItem("pre.references", "pre_deal", "Pros and cons of similar projects"),
    ChecklistItem("ops.progress", "operational", "Regular progress reports"),
    ChecklistItem("ops.status", "operational", "Status of technology, engineering, manufacturing"),
    ChecklistItem("ops.delays", "operational", "Plan for actual delays"),
    ChecklistItem("ops.changes", "operational", "Possible and planned changes"),
    ChecklistItem("ops.testing", "operational", "Testing strategy and QC constraints"),
    ChecklistItem("post.immediate_reply", "post_deal", "Immediate reply to abnormal functioning"),
    ChecklistItem("post.quick_attention", "post_deal", "Quick attention to breakdowns"),
    ChecklistItem("post.repair_priority", "post_deal", "Priority in repairs"),
    ChecklistItem("post.expert_team", "post_deal", "Dedicated expert team"),
    ChecklistItem("post.efficiency", "post_deal", "Help running with less capacity"),
    ChecklistItem("post.spares", "post_deal", "Spare parts at actual price"),
    ChecklistItem("post.training", "post_deal", "Training for end users"),
    ChecklistItem("post.service", "post_deal", "Better maintenance and service"),
)
