"""Charts and editors of the customer journey page."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import crm_core

from . import (
    Context,
    _,
    date_input_format,
    escape_markdown,
    fmt_date,
    fmt_each,
    fmt_opinion,
    item_label,
    lang,
    mode_colour,
    mode_label,
    read,
    stage_colour,
    stage_label,
    with_labels,
)
from .charts import line_style, time_axis
from .followups import follow_up_button
from .forms import confirmation, field_error, other_error, save
from .presented import presented


def contributions(ctx: Context, customer_id: int) -> alt.Chart:
    """``crm_core.charts.contributions_chart`` of the customer's journey at the snapshot day (for ``draw``)."""
    return crm_core.charts.contributions_chart(read(ctx, crm_core.journey, customer_id, ctx.as_of), lang())


def score_trend(ctx: Context, customer_id: int) -> alt.LayerChart:
    """``scores_chart`` of the customer's ``score_history`` (for ``draw``; the journey has a
    response or an opinion)."""
    return scores_chart(crm_core.score_history(read(ctx, crm_core.journey, customer_id, ctx.as_of)))


def timeline_chart(journey: crm_core.Journey, broken: pd.DataFrame | None = None) -> alt.Chart:
    """Responses (dots, colour = mode) and opinions (diamonds) across the stages over time,
    and the ``broken`` promises (``promise_list`` rows; red crosses on the day they broke)."""
    labels = dict(zip(journey.checklist["item_key"], journey.checklist["label"]))
    responses = with_labels(journey.responses).assign(
        items_text=journey.responses["items"].map(lambda keys: ", ".join(item_label(k, labels.get(k)) for k in keys)
                                                  or "—"),
        day=pd.to_datetime(journey.responses["responded_on"]),
        day_text=fmt_each(journey.responses["responded_on"], fmt_date))
    order = [stage_label(s) for s in crm_core.STAGES]
    dots = alt.Chart(responses).mark_circle(size=140, opacity=0.85).encode(
        x=time_axis("day", _("Date")),
        y=alt.Y("stage_label:N", title=None, sort=order, scale=alt.Scale(domain=order)),
        color=mode_colour(),
        tooltip=[alt.Tooltip("day_text:N", title=_("Date")),
                 alt.Tooltip("mode_label:N", title=_("Mode")), alt.Tooltip("summary:N", title=_("Summary")),
                 alt.Tooltip("items_text:N", title=_("Checklist items")),
                 alt.Tooltip("quality:Q", title=_("Quality")),
                 alt.Tooltip("completeness:Q", title=_("Completeness"))])
    opinions = with_labels(journey.opinions).assign(day=pd.to_datetime(journey.opinions["opinion_on"]),
                                                    day_text=fmt_each(journey.opinions["opinion_on"], fmt_date),
                                                    opinion=journey.opinions["score"].map(fmt_opinion))
    diamonds = alt.Chart(opinions).mark_point(shape="diamond", size=180, filled=True, color="#222").encode(
        x=time_axis("day", _("Date")), y=alt.Y("stage_label:N", sort=order),
        tooltip=[alt.Tooltip("day_text:N", title=_("Date")),
                 alt.Tooltip("opinion:N", title=_("Opinion")), alt.Tooltip("note:N", title=_("Note"))])
    if broken is None or broken.empty:
        return (dots + diamonds).properties(title=_("Timeline: responses (dots) and opinions (◆)"), height=220)
    crosses = alt.Chart(with_labels(broken).assign(day=pd.to_datetime(broken["resolved_on"]),
                                                   day_text=fmt_each(broken["resolved_on"], fmt_date))).mark_point(
        shape="cross", size=220, filled=True, color=crm_core.catalogue.NEGATIVE_COLOUR).encode(
        x=time_axis("day", _("Date")), y=alt.Y("stage_label:N", sort=order),
        tooltip=[alt.Tooltip("day_text:N", title=_("Broken on")),
                 alt.Tooltip("what:N", title=_("Promise")), alt.Tooltip("made_by:N", title=_("Made by"))])
    return (dots + diamonds + crosses).properties(
        title=_("Timeline: responses (dots), opinions (◆) and broken promises (✚)"), height=220)


def scores_chart(history: pd.DataFrame) -> alt.LayerChart:
    """Opinion and our response score per stage over time, on the same −2 … +2 scale."""
    names = {"response_score": _("Our response score"), "opinion": _("Customer's opinion")}
    frame = with_labels(history).assign(day=pd.to_datetime(history["day"]),
                                        measure_label=history["measure"].map(names),
                                        day_text=fmt_each(history["day"], fmt_date),
                                        value_text=history["value"].map(fmt_opinion))
    tooltip = [alt.Tooltip("stage_label:N", title=_("Stage")), alt.Tooltip("measure_label:N", title=_("Measure")),
               alt.Tooltip("day_text:N", title=_("Date")), alt.Tooltip("value_text:N", title=_("Value"))]
    base = alt.Chart().encode(   # the data on the layer chart: see crm_core.charts.contributions_chart
        x=time_axis("day", _("Date")),
        y=alt.Y("value:Q", title=_("Score (−2 … +2)"), scale=alt.Scale(domain=[-2, 2])),
        color=stage_colour(), tooltip=tooltip)
    # The points are a layer of their own: on a line with points the legend of the line
    # style would draw points, which have no style.
    lines = base.mark_line(interpolate="step-after").encode(
        strokeDash=line_style("measure_label", _("Measure"), names["opinion"], names["response_score"]))
    return alt.layer(lines, base.mark_point(filled=True, size=40), data=frame).properties(
        title=_("Opinion vs our response score per stage"), height=280)


def checklist_table(journey: crm_core.Journey, stage: str) -> pd.DataFrame:
    """The checklist of ``stage``: given or missing, item, times, last date addressed. The
    status comes first: in a stage's narrow column a long item wording pushed it out of view."""
    rows = journey.checklist[journey.checklist["stage"] == stage]
    return pd.DataFrame({
        _("Status"): rows["done"].map({True: "✅ " + _("Given"), False: "❌ " + _("Missing")}).values,
        _("Item"): [item_label(k, label) for k, label in zip(rows["item_key"], rows["label"])],
        _("Times"): rows["times"].values,
        _("Last addressed"): rows["last_on"].map(lambda d: fmt_date(d) if isinstance(d, str) else "—").values,
    })


def _values(key: str, fields: tuple[str, ...]) -> dict:
    """The submitted values of an editor form: read when its button's callback
    runs, after the form's widgets got the new values."""
    return {field: st.session_state[f"{key}:{field}"] for field in fields}


def response_editor(path: str, journey: crm_core.Journey, response: pd.Series, author: str | None) -> None:
    """Edit or delete one response; the error stays next to its field, the input in the form."""
    key = f"edit_response:{int(response['id'])}"
    labels = journey.checklist[journey.checklist["stage"] == response["stage"]]
    labels = dict(zip(labels["item_key"], labels["label"]))
    confirmation(key)
    with st.form(key):
        st.multiselect(_("Checklist items addressed"), list(labels), default=list(response["items"]),
                       format_func=lambda k: item_label(k, labels[k]), key=f"{key}:items")
        field_error(key, "items")
        left, middle, right = st.columns(3)
        left.number_input(_("Quality"), 1, 5, int(response["quality"]), key=f"{key}:quality")
        middle.number_input(_("Completeness"), 1, 5, int(response["completeness"]), key=f"{key}:completeness")
        right.date_input(_("Date"), dt.date.fromisoformat(response["responded_on"]), key=f"{key}:responded_on",
                         format=date_input_format())
        field_error(key, "quality", "completeness", "responded_on")
        st.selectbox(_("Mode"), crm_core.MODES, index=crm_core.MODES.index(response["mode"]),
                     format_func=mode_label, key=f"{key}:mode")
        st.text_input(_("Summary"), response["summary"], max_chars=5000, key=f"{key}:summary")
        field_error(key, "summary")
        other_error(key, ("items", "quality", "completeness", "responded_on", "summary"))
        fields = ("items", "quality", "completeness", "responded_on", "mode", "summary")
        save_col, delete_col = st.columns(2)
        save_col.form_submit_button(_("Save changes"), type="primary", on_click=lambda: save(
            key, path, crm_core.update_response, int(response["id"]), _values(key, fields), author=author,
            done=_("Response changed.")))
        delete_col.form_submit_button("🗑 " + _("Delete this response"), on_click=lambda: save(
            "journey", path, crm_core.delete_response, int(response["id"]), author=author,
            done=_("Response deleted. Undo it in the History tab.")))


def opinion_editor(path: str, opinion: pd.Series, author: str | None) -> None:
    """Edit or delete one opinion."""
    key = f"edit_opinion:{int(opinion['id'])}"
    confirmation(key)
    with st.form(key):
        left, right = st.columns(2)
        left.select_slider(_("Opinion"), list(range(crm_core.OPINION_RANGE[0], crm_core.OPINION_RANGE[1] + 1)),
                           int(opinion["score"]), key=f"{key}:score",
                           format_func=lambda v: f"{fmt_opinion(v)} {_(crm_core.OPINION_LABELS[v])}")
        right.date_input(_("Date"), dt.date.fromisoformat(opinion["opinion_on"]), key=f"{key}:opinion_on",
                         format=date_input_format())
        field_error(key, "score", "opinion_on", "stage")
        st.text_input(_("Note"), opinion["note"] or "", key=f"{key}:note")
        other_error(key, ("score", "opinion_on", "stage"))
        save_col, delete_col = st.columns(2)
        save_col.form_submit_button(_("Save changes"), type="primary", on_click=lambda: save(
            key, path, crm_core.update_opinion, int(opinion["id"]), _values(key, ("score", "opinion_on", "note")),
            author=author, done=_("Opinion changed.")))
        delete_col.form_submit_button("🗑 " + _("Delete this opinion"), on_click=lambda: save(
            "journey", path, crm_core.delete_opinion, int(opinion["id"]), author=author,
            done=_("Opinion deleted. Undo it in the History tab.")))


def next_best_ranking(ctx: Context, customer_id: int) -> pd.DataFrame:
    """``crm_core.next_best_of`` the customer's journey at ``ctx.as_of``, against the
    stage's analysis as the "what moves opinion" page reads it (the same cached read,
    so opening another customer of the stage does not redo it, and keyed on that stage's
    responses and opinions; the journey as the page reads it, keyed on the customer's writes)."""
    journey = read(ctx.of_customer(customer_id), crm_core.journey, customer_id, ctx.as_of)
    return crm_core.next_best_of(journey, read(ctx.scoped(crm_core.stage_scope(journey.current_stage)),
                                               crm_core.opinion_drivers, journey.current_stage, ctx.as_of,
                                               filters=None))


def next_best_response(ctx: Context, customer_id: int, stage: str) -> None:
    """The line "Give next: <item> (+1.2 opinion where given)" for one customer (in
    ``stage`` at ``ctx.as_of``), with the other missing items of its current stage in their
    ranked order (``next_best_ranking``), and under them the follow-up of the first one
    (``followups.follow_up_button``); nothing when none is missing. Kept until a write
    touches the customer or the stage's responses and opinions: a colleague's save in
    another stage leaves it warm."""
    advice = ctx.scoped(crm_core.customer_scope(customer_id), crm_core.stage_scope(stage))
    ranked = presented(advice, next_best_ranking, customer_id)
    if ranked.empty:
        return
    names = ranked["item_key"].combine(ranked["label"], item_label)
    best = ranked.iloc[0]
    if best["too_few"]:
        st.info(_("Give next: **{item}** (too few customers with an opinion to say how much it moves it).",
                  item=escape_markdown(names.iloc[0])), icon="💡")
    else:
        st.info(_("Give next: **{item}** ({difference} opinion where given).",
                  item=escape_markdown(names.iloc[0]), difference=fmt_opinion(best["difference"])), icon="💡")
    if len(ranked) > 1:
        st.caption(_("Then: {items}. Ranked by how the latest opinion of this stage differs where each was given.",
                     items=", ".join(escape_markdown(name) for name in names.iloc[1:])))
    follow_up_button(ctx.of_customer(customer_id), customer_id, best["item_key"])
