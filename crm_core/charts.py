"""The Altair charts that both a page and the meeting pack draw, built from crm_core's reads
in a given language, so the PDF shows the very chart the page shows. The pages call them
through ``pages.common`` with the session's language; ``pack`` renders them to PNG.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from . import scores
from .catalogue import OPINION_BAND_COLOURS, OPINION_BANDS, STAGE_COLOURS, STAGES
from .i18n import month_abbreviations
from .reads import Journey
from .wording import band_label, each, month, number, opinion, stage_label, translator, with_labels


def stage_colour(lang: str, title: str | None = None) -> alt.Color:
    """The one colour per stage of every chart, on the ``stage_label`` column."""
    return alt.Color("stage_label:N", title=title or translator(lang)("Stage"),
                     scale=alt.Scale(domain=[stage_label(s, lang) for s in STAGES],
                                     range=[STAGE_COLOURS[s] for s in STAGES]))


def time_axis(field: str, title: str, lang: str) -> alt.X:
    """An x axis of dates (the temporal ``field``) labelled in ``lang``: a tick on the first
    of a month reads ``nov. 2026``, so a long timeline shows its years, any other tick
    ``23 nov.``. Vega's own month names are English, so the labels are looked up in a
    list (the Vega-Lite spec's ``labelExpr``)."""
    names = f"{json.dumps(month_abbreviations(lang))}[month(datum.value)]"
    return alt.X(f"{field}:T", title=title, axis=alt.Axis(labelExpr=(
        f"date(datum.value) == 1 ? {names} + ' ' + year(datum.value) : date(datum.value) + ' ' + {names}")))


def contributions_chart(journey: Journey, lang: str) -> alt.LayerChart:
    """The sum rule made visible: each reached stage's latest opinion as a step of a
    waterfall from 0 to the final opinion (a stage not rated adds nothing)."""
    _ = translator(lang)
    steps, running = [], 0
    for row in journey.stages[journey.stages["reached"]].itertuples():
        value = 0 if pd.isna(row.opinion) else int(row.opinion)
        steps.append({"stage": row.stage, "label": stage_label(row.stage, lang), "start": running,
                      "end": running + value, "text": opinion(row.opinion, lang)})
        running += value
    steps.append({"stage": None, "label": _("Final opinion"), "start": 0, "end": running,
                  "text": opinion(journey.final_opinion, lang)})
    frame = pd.DataFrame(steps).assign(stage_label=lambda f: f["label"])
    title = alt.Title(_("Final opinion = sum of each stage's latest opinion"),
                      subtitle=[_("A waterfall: each stage starts where the previous one ended."),
                                _("The last bar is the total.")])
    # The layers get their data from the layer chart: layers that carry the same frame make
    # Altair hash it (its text form) to hoist it, a few ms per chart.
    base = alt.Chart().encode(
        x=alt.X("label:N", title=None, sort=list(frame["label"]), axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=48).encode(
        y=alt.Y("start:Q", title=_("Opinion"), scale=alt.Scale(domain=[-6, 6])), y2=alt.Y2("end:Q"),
        color=alt.condition(alt.datum.stage == None, alt.value("#34495E"),  # noqa: E711
                            stage_colour(lang).legend(None)),
        tooltip=[alt.Tooltip("label:N", title=_("Stage")), alt.Tooltip("text:N", title=_("Opinion"))])
    labels = base.mark_text(dy=-10, fontSize=14, fontWeight="bold").encode(
        y=alt.Y("max_end:Q"), text=alt.Text("text:N")).transform_calculate(
        max_end="max(datum.start, datum.end)")
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888").encode(y=alt.Y("y:Q"))
    return alt.layer(bars, labels, zero, data=frame).properties(title=title, height=280)


def stages_chart(per_stage: dict[str, int], lang: str) -> alt.Chart:
    """Customers per current stage (bars): ``per_stage`` of the overview's figures (``Overview``)."""
    _ = translator(lang)
    frame = with_labels(pd.DataFrame({"stage": list(per_stage), "customers": list(per_stage.values())}), lang)
    return alt.Chart(frame, title=_("Customers per stage")).mark_bar().encode(
        x=alt.X("customers:Q", title=_("Customers")),
        y=alt.Y("stage_label:N", title=None, sort=[stage_label(s, lang) for s in STAGES]),
        color=stage_colour(lang).legend(None),
        tooltip=[alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("customers:Q", title=_("Customers"))])


def opinions_chart(opinion_counts: pd.DataFrame, lang: str) -> alt.Chart:
    """Rated customers per final opinion (−6 … +6): ``opinion_counts`` of the overview's
    figures (``Overview``), coloured by its band (``scores.opinion_band``), in the words and
    colours of the outcomes page."""
    _ = translator(lang)
    bands = [band for band, _low, _high in OPINION_BANDS]
    opinions = opinion_counts.assign(
        tone=scores.opinion_band(opinion_counts["final_opinion"]).map(lambda band: band_label(band, lang)))
    return alt.Chart(opinions, title=_("Final opinion of rated customers")).mark_bar().encode(
        x=alt.X("final_opinion:O", title=_("Final opinion (−6 … +6)"), scale=alt.Scale(domain=list(range(-6, 7)))),
        y=alt.Y("customers:Q", title=_("Customers")),
        color=alt.Color("tone:N", title=None, scale=alt.Scale(
            domain=[band_label(band, lang) for band in bands],
            range=[OPINION_BAND_COLOURS[band] for band in bands])),
        tooltip=[alt.Tooltip("final_opinion:O", title=_("Final opinion")),
                 alt.Tooltip("customers:Q", title=_("Customers"))])


def opinion_trend_chart(trend: pd.DataFrame, by: str, split_label: str, lang: str) -> alt.LayerChart | alt.FacetChart:
    """The monthly mean ± 1 standard deviation of ``reads.opinion_trend`` split ``by``
    (``all``, ``stage`` or a profile field named ``split_label``): one chart for the
    portfolio, one small panel per group otherwise."""
    _ = translator(lang)
    what = _("Opinion of each stage (−2 … +2)") if by == "stage" else _("Final opinion (−6 … +6)")
    data = with_labels(trend.rename(columns={"group": "stage"}) if by == "stage" else trend, lang)
    data = data.assign(mean_text=each(data["mean"], lambda v: opinion(v, lang)),
                       month_text=each(data["month"], lambda v: month(v, lang)),
                       std_text=each(data["std"], lambda v: number(v, lang)))
    colour = (stage_colour(lang) if by == "stage" else alt.Color("group:N", title=split_label)).legend(None)
    base = alt.Chart().encode(x=time_axis("month", _("Month"), lang), color=colour)
    band = base.mark_errorband(opacity=0.2).encode(y=alt.Y("mean:Q", title=what), yError=alt.YError("std:Q"))
    line = base.mark_line(point=True).encode(y=alt.Y("mean:Q"), tooltip=[
        alt.Tooltip("month_text:N", title=_("Month")),
        alt.Tooltip("stage_label:N" if by == "stage" else "group:N", title=split_label),
        alt.Tooltip("mean_text:N", title=_("Mean opinion")),
        alt.Tooltip("std_text:N", title=_("Spread (std)")),
        alt.Tooltip("rated:Q", title=_("Rated customers"))])
    title = (_("Opinion of each stage: monthly mean ± 1 standard deviation") if by == "stage" else
             _("Final opinion: monthly mean ± 1 standard deviation"))
    chart = alt.layer(band, line, data=data)
    if by == "all":
        return chart.properties(title=title, height=380)
    # one small chart per group: overlapping bands are unreadable
    panel = "stage_label:N" if by == "stage" else "group:N"
    order = [stage_label(s, lang) for s in STAGES] if by == "stage" else "ascending"
    return chart.properties(width=320, height=200).facet(
        facet=alt.Facet(panel, title=None, sort=order), columns=3, title=title)
