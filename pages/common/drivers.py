"""Which responses move opinion: the readable table and the difference chart of the
"What moves opinion" page."""

from __future__ import annotations

import altair as alt
import pandas as pd

import crm_core

from . import Context, _, fmt_number, fmt_opinion, item_label, mode_label, read, stage_label

# "No clear difference" a dark and "too few to say" a pale grey: two mid greys could not be told apart.
CLEAR = {"higher": "#2E8B57", "lower": crm_core.catalogue.NEGATIVE_COLOUR, "unclear": "#5D6D7E", "too_few": "#E5E8E8"}


def reading_labels() -> dict[str, str]:
    """Each reading of ``crm_core.analysis.readings`` as the page says it, in ``READINGS`` order."""
    words = {"higher": _("higher where given"), "lower": _("lower where given"), "unclear": _("no clear difference"),
             "too_few": _("too few to say")}
    return {reading: words[reading] for reading in crm_core.analysis.READINGS}


def readable(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``table`` (items or modes of ``crm_core.opinion_drivers``; ``key`` is ``item_key``
    or ``mode``) with the columns a person reads: ``name``, ``verdict`` and the
    counts, means, difference and interval as text."""
    names = (table["item_key"].combine(table["label"], item_label) if key == "item_key"
             else table["mode"].map(mode_label))
    tone = crm_core.analysis.readings(table)
    return table.assign(
        name=names, verdict=tone.map(reading_labels()), tone=tone,
        difference_text=table["difference"].map(fmt_opinion),
        interval_text=[_("{low} to {high}", low=fmt_opinion(low), high=fmt_opinion(high)) if pd.notna(low) else "—"
                       for low, high in zip(table["low"], table["high"])],
        with_text=[_("{mean} ({n} customers)", mean=fmt_number(m, 2), n=fmt_number(n, 0))
                   for m, n in zip(table["mean_with"], table["customers_with"])],
        without_text=[_("{mean} ({n} customers)", mean=fmt_number(m, 2), n=fmt_number(n, 0))
                      for m, n in zip(table["mean_without"], table["customers_without"])])


def readable_drivers(ctx: Context, stage: str, filters: dict | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The items and modes of ``crm_core.opinion_drivers`` for ``stage`` and ``filters``,
    each through ``readable`` (call it through ``presented`` with a context keyed on the
    stage, ``crm_core.stage_scope``, as every read of the analysis is)."""
    found = read(ctx, crm_core.opinion_drivers, stage, ctx.as_of, filters=filters)
    return readable(found.items, "item_key"), readable(found.modes, "mode")


def drivers_chart(ctx: Context, stage: str, filters: dict | None, kind: str) -> alt.LayerChart:
    """The ``difference_chart`` of the ``items`` or ``modes`` (``kind``) of ``readable_drivers``."""
    items, modes = readable_drivers(ctx, stage, filters)
    if kind == "items":
        return difference_chart(items, _("Checklist items of {stage}: opinion where given minus where not",
                                         stage=stage_label(stage)))
    return difference_chart(modes, _("Modes at {stage}: opinion with a response in that mode minus without",
                                     stage=stage_label(stage)))


def difference_chart(table: pd.DataFrame, title: str) -> alt.LayerChart:
    """Bars of the difference per row of ``readable`` output, its 95 % interval as a
    line, greyed where there are too few customers to say; tooltips give the counts
    and means."""
    shown = table.assign(difference=table["difference"].fillna(0))
    tones = reading_labels()
    base = alt.Chart(shown).encode(y=alt.Y("name:N", title=None, sort=list(shown["name"]),
                                           axis=alt.Axis(labelLimit=320)))
    tooltip = [alt.Tooltip("name:N", title=_("Response")), alt.Tooltip("verdict:N", title=_("Reading")),
               alt.Tooltip("difference_text:N", title=_("Difference in opinion")),
               alt.Tooltip("interval_text:N", title=_("95% interval")),
               alt.Tooltip("with_text:N", title=_("Mean opinion where given")),
               alt.Tooltip("without_text:N", title=_("Mean opinion where not given"))]
    bars = base.mark_bar().encode(
        x=alt.X("difference:Q", title=_("Difference in the stage's latest opinion (given − not given)")),
        color=alt.Color("verdict:N", title=_("Reading"), scale=alt.Scale(
            domain=list(tones.values()), range=[CLEAR[reading] for reading in tones])),
        tooltip=tooltip)
    whiskers = base.mark_rule(color="#17202A", strokeWidth=2).encode(x=alt.X("low:Q"), x2=alt.X2("high:Q"),
                                                                      tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888").encode(x=alt.X("x:Q"))
    return (bars + whiskers + zero).properties(title=title, height=alt.Step(34))
