"""The log page's "from a mail or an invite": drop ``.eml`` / ``.ics`` files or paste a
mail's source; each message becomes a draft (``crm_core.capture``) that fills the
response form (customer, stage, day, mode, summary). The user checks the checklist
items and ratings and saves with the form's own button: nothing is saved here.
Several messages make a review list, one row each, used or skipped one by one.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import crm_core
from crm_core import capture

from . import _, escape_markdown, fmt_date, mode_label
from .forms import error_text

DRAFTS, CURRENT, PROBLEMS = "capture:drafts", "capture:current", "capture:problems"
FILE_TYPES = ["eml", "ics", "msg", "txt"]


def _read(path: str, sources: list[tuple[bytes, str]]) -> None:
    """Draft every source (bytes, name); keep the drafts and each refused file's reason,
    and fill the form with the first draft."""
    state = st.session_state
    drafts, problems = [], []
    with crm_core.connect(path) as db:
        for data, name in sources:
            try:
                drafts += capture.drafts(db, data, name)
            except crm_core.ValidationError as error:
                problems.append(error_text(error))
    state[DRAFTS], state[PROBLEMS] = drafts, problems
    state.pop(CURRENT, None)
    if drafts:
        use(0)


def _dropped(path: str, key: str) -> None:
    state = st.session_state
    files = state.get(key) or []
    if files:
        _read(path, [(file.getvalue(), file.name) for file in files])
        # A new key empties the drop zone for the next files; the drafts stay in the list.
        state["capture_round"] = state.get("capture_round", 0) + 1


def _pasted(path: str) -> None:
    text = st.session_state.get("capture_source", "")
    _read(path, [(text.encode("utf-8"), _("pasted message"))])


def use(index: int) -> None:
    """Fill the response form (and the customer choice) with draft ``index``."""
    state = st.session_state
    draft = state[DRAFTS][index]
    state[CURRENT] = index
    if draft.customer_id is not None:
        st.query_params["customer"] = str(draft.customer_id)
        state["customer_pick"] = draft.customer_id
    if draft.stage:
        state["response_stage"] = draft.stage
    state["response_date"] = draft.when.date() if draft.when else dt.date.today()
    state["response_mode"] = draft.mode
    state["response_summary"] = draft.summary


def skip(index: int) -> None:
    """Drop draft ``index`` from the review list."""
    state = st.session_state
    del state[DRAFTS][index]
    current = state.get(CURRENT)
    if current == index:
        state.pop(CURRENT, None)
    elif current is not None and current > index:
        state[CURRENT] = current - 1


def capture_box(path: str, names: dict[int, str]) -> None:
    """The drop zone, the paste box and the review list; ``names``: customer id -> name."""
    state = st.session_state
    # The form saved the draft in use: it leaves the review list and the next one fills the form.
    if "response:done" in state and state.get(CURRENT) is not None:
        saved = state[CURRENT]
        skip(saved)
        if state[DRAFTS]:
            use(min(saved, len(state[DRAFTS]) - 1))
    drafts = state.get(DRAFTS, [])
    with st.expander(_("📨 From a mail or an invite"), expanded=bool(drafts or state.get(PROBLEMS))):
        key = f"capture_files:{state.get('capture_round', 0)}"
        st.file_uploader(_("Drop .eml mails or .ics invites (several at once make a list to review)"),
                         type=FILE_TYPES, accept_multiple_files=True, key=key, on_change=_dropped, args=(path, key))
        # Read when the text is committed (Ctrl+Enter, or leaving the box): no button of its own.
        st.text_area(_("…or paste a mail's source, headers and text (Ctrl+Enter reads it)"), key="capture_source",
                     height=80, on_change=_pasted, args=(path,))
        for problem in state.get(PROBLEMS, []):
            st.error(problem, icon="⚠️")
        for index, draft in enumerate(drafts):
            _draft_row(index, draft, names, index == state.get(CURRENT))


def _draft_row(index: int, draft: capture.Draft, names: dict[int, str], in_use: bool) -> None:
    icon = "📧" if draft.kind == "email" else "📅"
    who = names.get(draft.customer_id, _("customer not found"))
    day = fmt_date(draft.when.date()) if draft.when else _("no date")
    text, use_column, skip_column = st.columns([6, 1, 1], vertical_alignment="center")
    text.markdown(f"{icon} {'**▶** ' if in_use else ''}{day} · {escape_markdown(who)} · "
                  f"{mode_label(draft.mode)} · {escape_markdown(draft.summary)}")
    for note in draft.notes:
        text.caption(_(note))
    use_column.button(_("Use"), key=f"capture_use:{index}", on_click=use, args=(index,), disabled=in_use)
    skip_column.button(_("Skip"), key=f"capture_skip:{index}", on_click=skip, args=(index,))
