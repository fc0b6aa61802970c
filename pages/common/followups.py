"""Follow-ups on the pages (rules in ``crm_core.followups``): the button beside the
advice "give next" that makes one, the customer's follow-ups on the journey with
their editor, "My follow-ups" on the overview, and the confirmation of a logged
response that closed some (``save_closing``). Each page calls one of these with one line."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import crm_core

from . import Context, _, date_input_format, escape_markdown, expander, fmt_date, fmt_each, item_label, n_, read
from .auth import signed_in
from .charts import journey_link, link_column
from .forms import confirmation, field_error, has_news, other_error, save, session_author

STATUS_ICONS = {"open": "⏳", "done": "✅", "cancelled": "✖️"}


def _author() -> str | None:
    """Who is acting, read without drawing the sidebar's name box (the page draws it once,
    later in the run): the signed-in user, or the name typed in that box."""
    user = signed_in()
    return user.name if user is not None else st.session_state.get("author") or None


def _status(status: str) -> str:
    return f"{STATUS_ICONS[status]} {_(crm_core.followups.STATUS_LABELS[status])}"


def _due(row) -> str:
    """A follow-up's due day, marked when it is overdue."""
    return (_("{day} (overdue)", day=fmt_date(row["due_on"])) if row["overdue"] else fmt_date(row["due_on"]))


def follow_up_button(ctx: Context, customer_id: int, item_key: str) -> None:
    """Under the advice to give ``item_key`` next: the one click that makes its follow-up
    with the defaults (the account manager, due in a week), or, once there is one open,
    who is to give it by when. Nothing on a past snapshot but the open one."""
    confirmation("follow_up")
    other_error("follow_up", ())
    found = read(ctx, crm_core.follow_up_list, ctx.as_of, customer_id)
    current = found[(found["item_key"] == item_key) & (found["status"] == "open")]
    if len(current):
        row = current.iloc[0]
        st.caption("📌 " + _("Follow-up open: {owner}, due {day}.", owner=escape_markdown(row["owner"]),
                               day=_due(row)))
        return
    if ctx.as_of is not None:
        return
    due = dt.date.today() + dt.timedelta(days=crm_core.followups.DEFAULT_DUE_DAYS)
    user = signed_in()
    st.button("📌 " + _("Follow up (due {day})", day=fmt_date(due)), key=f"follow_up:{customer_id}:{item_key}",
              disabled=user is not None and not user.can_write,
              help=_("Makes a follow-up for the customer's account manager. Change the owner or the day "
                     "under Follow-ups."),
              on_click=lambda: save("follow_up", ctx.path, crm_core.create_follow_up, customer_id, item_key,
                                    author=_author(), done=_("Follow-up made.")))


def _table(found: pd.DataFrame, with_customer: bool) -> pd.DataFrame:
    """The follow-ups ``found`` as shown: customer (``with_customer``), item, owner, due,
    status and closing day, in the session's language."""
    shown = {_("Customer"): found["name"]} if with_customer else {}
    return pd.DataFrame({
        **shown,
        _("Item"): [item_label(key, label) for key, label in zip(found["item_key"], found["label"])],
        _("Owner"): found["owner"], _("Due on"): [_due(row) for _i, row in found.iterrows()],
        _("Status"): fmt_each(found["status"], _status),
        _("Closed on"): fmt_each(found["closed_on"], lambda d: fmt_date(d) if isinstance(d, str) else "—"),
    })


BOX = "follow_ups_box"   # the journey's follow-ups expander: its open state, kept per session


def journey_follow_ups(ctx: Context, customer_id: int) -> None:
    """The customer's follow-ups at ``ctx.as_of`` (nothing when there is none) in a closed
    expander whose label counts them, open ones first; live, one open follow-up at a time
    can be reassigned, re-dated, done or cancelled."""
    found = read(ctx, crm_core.follow_up_list, ctx.as_of, customer_id)
    if found.empty:
        return
    found = found.sort_values("status", key=lambda s: s != "open", kind="stable").reset_index(drop=True)
    opened = found[found["status"] == "open"]
    late = int(found["overdue"].sum())
    counts = [n_("{n} follow-up open", "{n} follow-ups open", len(opened)),
              *([_("{n} overdue", n=late)] if late else []), _("{n} in all", n=len(found))]
    # Closed: the journey's charts stay where they were; the label says what is inside, and
    # the table and editor are built only once it is opened (opening it reruns the page).
    box = expander("📌 " + " · ".join(counts), BOX, open_now=has_news("follow_up_edit"))
    if not box.open:
        return
    with box:
        confirmation("follow_up_edit")
        st.dataframe(_table(found, with_customer=False), hide_index=True, width="stretch")
        if ctx.as_of is None and len(opened):
            _editor(ctx, opened)


def _editor(ctx: Context, opened: pd.DataFrame) -> None:
    """Change one of the ``opened`` follow-ups: owner, due day and note, or close it."""
    labels = {int(row.follow_up_id): f"{item_label(row.item_key, row.label)} · {row.owner}"
              for row in opened.itertuples()}
    picked = st.selectbox(_("Follow-up to change"), list(labels), format_func=labels.get, key="follow_up_pick")
    row = opened[opened["follow_up_id"] == picked].iloc[0]
    key = "follow_up_edit"
    # The inputs are keyed by the follow-up and its stored values, so another pick, a save
    # or an undo fills them afresh instead of showing what was typed for another state.
    inputs = f"{key}:{picked}:{row['owner']}:{row['due_on']}:{row['note']}"
    with st.form(f"{key}:{picked}"):
        left, right = st.columns(2)
        left.text_input(_("Owner"), row["owner"], key=f"{inputs}:owner")
        right.date_input(_("Due on"), dt.date.fromisoformat(row["due_on"]), key=f"{inputs}:due_on",
                         format=date_input_format())
        field_error(key, "owner", "due_on")
        st.text_input(_("Note"), row["note"] or "", key=f"{inputs}:note")
        other_error(key, ("owner", "due_on"))
        state = st.session_state
        save_col, done_col, cancel_col = st.columns(3)
        save_col.form_submit_button(_("Save changes"), type="primary", on_click=lambda: save(
            key, ctx.path, crm_core.update_follow_up, picked, owner=state[f"{inputs}:owner"],
            due_on=state[f"{inputs}:due_on"], note=state[f"{inputs}:note"], author=_author(),
            done=_("Follow-up changed.")))
        done_col.form_submit_button("✅ " + _("Mark done"), on_click=lambda: save(
            key, ctx.path, crm_core.close_follow_up, picked, "done", author=_author(),
            done=_("Follow-up done.")))
        cancel_col.form_submit_button("✖️ " + _("Cancel the follow-up"), on_click=lambda: save(
            key, ctx.path, crm_core.close_follow_up, picked, "cancelled", author=_author(),
            done=_("Follow-up cancelled. Undo it in the History tab.")))


def my_follow_ups(ctx: Context) -> None:
    """"My follow-ups" of the person using the page at ``ctx.as_of``: overdue, due, and
    done this week, each row a link to the customer's journey."""
    st.subheader("📌 " + _("My follow-ups"), anchor=False)
    # Signed in, the name is known; in open mode the name box is drawn here, on a page without entry forms.
    user = signed_in()
    author = user.name if user is not None else session_author()
    if not author:
        st.caption(_("Type your name under “You are” in the sidebar to see your follow-ups."))
        return
    found = read(ctx, crm_core.my_follow_ups, author, ctx.as_of)
    counts = found["group"].value_counts()
    st.caption(_("{overdue} overdue · {due} due · {done} done this week", overdue=int(counts.get("overdue", 0)),
                 due=int(counts.get("due", 0)), done=int(counts.get("done", 0))))
    if found.empty:
        return
    groups = {"overdue": "🔴 " + _("Overdue"), "due": "⏳ " + _("Due"), "done": "✅ " + _("Done this week")}
    # The owner is the reader and the group says the status: neither column is shown.
    table = _table(found, with_customer=True).drop(columns=[_("Owner"), _("Status")])
    table.insert(0, _("Follow-up"), found["group"].map(groups).to_numpy())
    table["journey"] = journey_link(found["customer_id"]).to_numpy()
    st.dataframe(table, hide_index=True, width="stretch", column_config={"journey": link_column()},
                 key="my_follow_ups")


def save_closing(form: str, path: str, write, *args, done: str, **kwargs) -> None:
    """``save`` for ``form`` of a ``write`` that returns the id of the response it logged
    (``crm_core.log_response``; ``log_case_event``, None when it logged none), whose
    confirmation ``done`` also names the follow-ups that response closed."""
    response_id = save(form, path, write, *args, done=done, **kwargs)
    if response_id is None:
        return
    with crm_core.connect(path) as db:
        closed = crm_core.followups.closed_by(db, response_id)
    if closed:
        st.session_state[f"{form}:done"] = " ".join(
            [done, *(_("Follow-up “{item}” closed.", item=item_label(state["item_key"])) for state in closed)])
