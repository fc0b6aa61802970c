"""Log a response, record an opinion or move a stage: right after the call."""

import datetime as dt

import streamlit as st

import crm_core
from pages.common import empty_state, read, setup
from pages.common.forms import author, confirmation, customer_picker, field_error, other_error, save

ctx = setup("Log a response", "✍️")
who = author()
names = read(ctx, "customer_names")
if names.empty:
    empty_state("There is no customer to log a response for yet.")
    st.stop()
customer_id = customer_picker(names)
if customer_id is None:
    st.info("Pick the customer you just spoke with.")
    st.stop()
journey = read(ctx, "journey", customer_id)
st.caption(f"Now in **{crm_core.STAGE_LABELS.get(journey.current_stage, '—')}**. "
           f"Entries are stamped with your name{f' ({who})' if who else ''} and today's date by default.")
response_tab, opinion_tab, stage_tab = st.tabs(["Response", "Opinion", "Stage"])

with response_tab:
    confirmation("response")
    stage = st.segmented_control("Stage", crm_core.STAGES, default=journey.current_stage, required=True,
                                 format_func=crm_core.STAGE_LABELS.get, key="response_stage")
    checklist = journey.checklist[journey.checklist["stage"] == stage]
    item_label = {row.item_key: ("✓ " if row.done else "○ ") + row.label for row in checklist.itertuples()}
    with st.form("response"):
        items = st.pills("Checklist items addressed (○ = still missing)", list(item_label),
                         selection_mode="multi", format_func=item_label.get, key="response_items")
        field_error("response", "items")
        left, right, when, how = st.columns(4)
        left.segmented_control("Quality", [1, 2, 3, 4, 5], key="response_quality")
        right.segmented_control("Completeness", [1, 2, 3, 4, 5], key="response_completeness")
        when.date_input("Date", value=dt.date.today(), max_value=dt.date.today(), key="response_date")
        last = read(ctx, "last_mode", who)
        how.selectbox("Mode", crm_core.MODES, index=crm_core.MODES.index(last) if last else 0,
                      format_func=crm_core.MODE_LABELS.get, key="response_mode")
        with left:
            field_error("response", "quality")
        with right:
            field_error("response", "completeness")
        with when:
            field_error("response", "responded_on")
        st.text_input("Summary (Enter saves)", key="response_summary", max_chars=5000,
                      placeholder="What did we give the customer?")
        field_error("response", "summary")
        other_error("response", ("items", "quality", "completeness", "responded_on", "summary"))
        state = st.session_state
        st.form_submit_button("Save response", type="primary", on_click=lambda: save(
            "response", ctx.path, crm_core.log_response, customer_id, stage, state["response_date"],
            state["response_mode"], state["response_items"], state["response_quality"],
            state["response_completeness"], state["response_summary"], who,
            reset={"response_items": [], "response_quality": None, "response_completeness": None,
                   "response_summary": ""},
            done=f"Response saved for {journey.customer['name']}."))

with opinion_tab:
    confirmation("opinion")
    reached = crm_core.scores.reached_stages(journey.current_stage)
    with st.form("opinion"):
        stage = st.segmented_control("Stage", reached, default=journey.current_stage, required=True,
                                     format_func=crm_core.STAGE_LABELS.get, key="opinion_stage")
        st.segmented_control("Opinion", list(range(-2, 3)), key="opinion_score",
                             format_func=lambda v: f"{v:+d} {crm_core.OPINION_LABELS[v]}")
        field_error("opinion", "score")
        source, when = st.columns(2)
        source.selectbox("Source", crm_core.OPINION_SOURCES, key="opinion_source")
        when.date_input("Date", value=dt.date.today(), max_value=dt.date.today(), key="opinion_date")
        with when:
            field_error("opinion", "opinion_on", "stage")
        st.text_input("Note", key="opinion_note")
        other_error("opinion", ("score", "opinion_on", "stage"))
        state = st.session_state
        st.form_submit_button("Save opinion", type="primary", on_click=lambda: save(
            "opinion", ctx.path, crm_core.record_opinion, customer_id, state["opinion_stage"],
            state["opinion_date"], state["opinion_score"], source=state["opinion_source"],
            note=state["opinion_note"], author=who, reset={"opinion_score": None, "opinion_note": ""},
            done="Opinion saved."))

with stage_tab:
    confirmation("stage")
    with st.form("stage"):
        kind = st.radio("Change", ["forward", "correction"], horizontal=True, key="stage_kind",
                        format_func={"forward": "Move to the next stage",
                                     "correction": "Correct the stage"}.get)
        st.selectbox("New stage", crm_core.STAGES, format_func=crm_core.STAGE_LABELS.get, key="stage_to")
        field_error("stage", "stage")
        st.date_input("Entered on", value=dt.date.today(), max_value=dt.date.today(), key="stage_date")
        field_error("stage", "entered_on")
        st.text_input("Reason (needed for a correction)", key="stage_reason")
        field_error("stage", "reason")
        other_error("stage", ("stage", "entered_on", "reason"))
        state = st.session_state
        st.form_submit_button("Save stage change", type="primary", on_click=lambda: save(
            "stage", ctx.path, crm_core.move_stage, customer_id, state["stage_to"], state["stage_date"],
            kind=state["stage_kind"], reason=state["stage_reason"], author=who,
            reset={"stage_reason": ""}, done="Stage change saved."))
