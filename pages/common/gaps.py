"""Charts of the checklist gaps page, through ``presented.draw`` (each reads the stage's gaps
itself: looked up once per write, stage, filters and language) and inside it ``presented_of``
(built once per content: a colleague's response seldom changes the shares missing or the
customers with most gaps)."""

from __future__ import annotations

import altair as alt
import pandas as pd

import crm_core

from . import Context, _, fmt_date, fmt_number, fmt_pct, item_label, read, stage_colour, stage_label, with_labels
from .charts import share_axis
from .presented import presented_of


def _labelled(stage: str, items: pd.DataFrame) -> pd.DataFrame:
    """The stage's ``items`` of ``checklist_gaps`` (most often missing first) with their label,
    share and count texts."""
    items = with_labels(items.assign(stage=stage))
    items["label"] = [item_label(k, label) for k, label in zip(items["item_key"], items["label"])]
    items["share_text"] = items["missing_share"].map(fmt_pct)
    items["count_text"] = [_("{missing} of {customers} customers", missing=fmt_number(m, 0),
                             customers=fmt_number(c, 0)) for m, c in zip(items["missing"], items["customers"])]
    return items


def items_chart(ctx: Context, stage: str, filters: dict | None, top: int) -> dict:
    """Share of customers missing each item of ``stage`` (bars, most often missing first)."""
    gaps = read(ctx, crm_core.checklist_gaps, stage, ctx.as_of, filters=filters, top=top)
    return presented_of(_items_chart, (stage, gaps.items))


def _items_chart(shown: tuple[str, pd.DataFrame]) -> alt.Chart:
    stage, items = shown
    items = _labelled(stage, items)
    return alt.Chart(items, title=_("Items most often missing at {stage}", stage=stage_label(stage))).mark_bar().encode(
        x=alt.X("missing_share:Q", title=_("Customers missing it"), axis=share_axis(tickCount=5),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", title=None, sort=list(items["label"]), axis=alt.Axis(labelLimit=320)),
        color=stage_colour().legend(None),
        tooltip=[alt.Tooltip("label:N", title=_("Item")), alt.Tooltip("share_text:N", title=_("Missing at")),
                 alt.Tooltip("count_text:N", title=_("Customers"))])


def gaps_heatmap(ctx: Context, stage: str, filters: dict | None, top: int) -> dict:
    """Customer x item of the ``top`` customers with most gaps: missing or given."""
    gaps = read(ctx, crm_core.checklist_gaps, stage, ctx.as_of, filters=filters, top=top)
    return presented_of(_heatmap, (stage, gaps.items, gaps.cells))


def _heatmap(shown: tuple[str, pd.DataFrame, pd.DataFrame]) -> alt.Chart:
    stage, items, cells = shown
    items = _labelled(stage, items)
    status = alt.Scale(domain=[_("Missing"), _("Given")], range=[crm_core.catalogue.NEGATIVE_COLOUR, "#DDE3EA"])
    cells = cells.assign(status=cells["done"].map({True: _("Given"), False: _("Missing")}),
                         label=[item_label(k, label) for k, label in zip(cells["item_key"], cells["label"])],
                         last_text=cells["last_on"].map(fmt_date))
    return alt.Chart(cells, title=_("Who is missing what at {stage}", stage=stage_label(stage))).mark_rect(
        stroke="white").encode(
        x=alt.X("label:N", title=_("Checklist item"), sort=list(items["label"]), axis=alt.Axis(
            orient="top", labelAngle=-30, labelLimit=260, labelOverlap=False)),
        y=alt.Y("name:N", title=_("Customer"), sort=alt.EncodingSortField("rank", order="ascending"),
                axis=alt.Axis(labelLimit=220, labelOverlap=False)),
        color=alt.Color("status:N", title=_("Response"), scale=status),
        tooltip=[alt.Tooltip("name:N", title=_("Customer")), alt.Tooltip("label:N", title=_("Item")),
                 alt.Tooltip("status:N", title=_("Response")), alt.Tooltip("times:Q", title=_("Times given")),
                 alt.Tooltip("last_text:N", title=_("Last addressed"))]).properties(height=alt.Step(22))
