"""Log a response, record an opinion or move a stage: right after the call."""

import datetime as dt

import streamlit as st

import crm_core
from pages.common import (
    _,
    customers_or_stop,
    entry_closed,
    escape_markdown,
    fmt_opinion,
    item_label,
    mode_label,
    read,
    setup,
    source_label,
    stage_label,
)
from pages.common.capture import capture_box
from pages.common.followups import save_closing
from pages.common.forms import confirmation, customer_picker, field_error, other_error, save, session_author

ctx = setup("Log a response", "✍️")
if entry_closed(ctx):
    st.stop()
author = session_author()
names = customers_or_stop(ctx, _("There is no customer to log a response for yet."))
capture_box(ctx.path, names)
customer_id = customer_picker(names)
if customer_id is None:
    st.info(_("Pick the customer you just spoke with."))
    st.stop()
journey = read(ctx.of_customer(customer_id), crm_core.journey, customer_id)   # warm after others' saves
st.caption(_("Now in **{stage}**. Entries are stamped with your name ({name}) and today's date by default.",
             stage=stage_label(journey.current_stage), name=escape_markdown(author)) if author else
           _("Now in **{stage}**. Entries are stamped with your name and today's date by default.",
             stage=stage_label(journey.current_stage)))
response_tab, opinion_tab, stage_tab = st.tabs([_("Response"), _("Opinion"), _("Stage")])

with response_tab:
    confirmation("response")
    stage = st.segmented_control(_("Stage"), crm_core.STAGES, default=journey.current_stage, required=True,
                                 format_func=stage_label, key="response_stage")
    checklist = journey.checklist[journey.checklist["stage"] == stage]
    pill = {row.item_key: ("✓ " if row.done else "○ ") + item_label(row.item_key, row.label)
            for row in checklist.itertuples()}
    with st.form("response"):
        items = st.pills(_("Checklist items addressed (○ = still missing)"), list(pill),
                         selection_mode="multi", format_func=pill.get, key="response_items")
        field_error("response", "items")
        left, right, when, how = st.columns(4)
        left.segmented_control(_("Quality"), [1, 2, 3, 4, 5], key="response_quality")
        right.segmented_control(_("Completeness"), [1, 2, 3, 4, 5], key="response_completeness")
        when.date_input(_("Date"), value=dt.date.today(), key="response_date")
        last = read(ctx, crm_core.last_mode, author)
        how.selectbox(_("Mode"), crm_core.MODES, index=crm_core.MODES.index(last) if last else 0,
                      format_func=mode_label, key="response_mode")
        with left:
            field_error("response", "quality")
        with right:
            field_error("response", "completeness")
        with when:
            field_error("response", "responded_on")
        st.text_input(_("Summary (Enter saves)"), key="response_summary", max_chars=5000,
                      placeholder=_("What did we give the customer?"))
        field_error("response", "summary")
        other_error("response", ("items", "quality", "completeness", "responded_on", "summary"))
        state = st.session_state
        st.form_submit_button(_("Save response"), type="primary", on_click=lambda: save_closing(
            "response", ctx.path, crm_core.log_response, customer_id, stage, state["response_date"],
            state["response_mode"], state["response_items"], state["response_quality"],
            state["response_completeness"], state["response_summary"], author,
            reset={"response_items": [], "response_quality": None, "response_completeness": None,
                   "response_summary": ""},
            done=_("Response saved for {name}.", name=journey.customer["name"])))

with opinion_tab:
    confirmation("opinion")
    reached = crm_core.scores.reached_stages(journey.current_stage)
    with st.form("opinion"):
        stage = st.segmented_control(_("Stage"), reached, default=journey.current_stage, required=True,
                                     format_func=stage_label, key="opinion_stage")
        st.segmented_control(_("Opinion"), list(range(-2, 3)), key="opinion_score",
                             format_func=lambda v: f"{fmt_opinion(v)} {_(crm_core.OPINION_LABELS[v])}")
        field_error("opinion", "score")
        source, when = st.columns(2)
        source.selectbox(_("Source"), crm_core.OPINION_SOURCES, key="opinion_source", format_func=source_label)
        when.date_input(_("Date"), value=dt.date.today(), key="opinion_date")
        with when:
            field_error("opinion", "opinion_on", "stage")
        st.text_input(_("Note"), key="opinion_note")
        other_error("opinion", ("score", "opinion_on", "stage"))
        state = st.session_state
        st.form_submit_button(_("Save opinion"), type="primary", on_click=lambda: save(
            "opinion", ctx.path, crm_core.record_opinion, customer_id, state["opinion_stage"],
            state["opinion_date"], state["opinion_score"], source=state["opinion_source"],
            note=state["opinion_note"], author=author, reset={"opinion_score": None, "opinion_note": ""},
            done=_("Opinion saved.")))

with stage_tab:
    confirmation("stage")
    following = crm_core.validation.next_stage(journey.current_stage)
    # Outside the form, so that choosing the kind of change redraws the stages it can go to.
    kinds = (["forward"] if following else []) + ["correction"]
    # A choice the last save made impossible (the stage it moved to, a move past the last stage) is dropped.
    if st.session_state.get("stage_kind") not in kinds:
        st.session_state.pop("stage_kind", None)
    kind = st.radio(_("Change"), kinds, horizontal=True, key="stage_kind",
                    format_func={"forward": _("Move to the next stage"), "correction": _("Correct the stage")}.get)
    with st.form("stage"):
        if kind == "forward":
            st.session_state["stage_to"] = following
            st.markdown(_("From **{now}** to **{next}**.", now=stage_label(journey.current_stage),
                          next=stage_label(following)))
        else:
            others = [stage for stage in crm_core.STAGES if stage != journey.current_stage]
            if st.session_state.get("stage_to") not in others:
                st.session_state.pop("stage_to", None)
            st.selectbox(_("Correct stage"), others, format_func=stage_label, key="stage_to")
        field_error("stage", "stage")
        st.date_input(_("Entered on"), value=dt.date.today(), key="stage_date")
        field_error("stage", "entered_on")
        st.text_input(_("Reason (needed for a correction)"), key="stage_reason")
        field_error("stage", "reason")
        other_error("stage", ("stage", "entered_on", "reason"))
        state = st.session_state
        st.form_submit_button(_("Save stage change"), type="primary", on_click=lambda: save(
            "stage", ctx.path, crm_core.move_stage, customer_id, state["stage_to"], state["stage_date"],
            kind=state["stage_kind"], reason=state["stage_reason"], author=author,
            reset={"stage_reason": ""}, done=_("Stage change saved.")))
