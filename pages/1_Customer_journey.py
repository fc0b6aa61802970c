"""Customer journey: what happened with this customer?"""

import pandas as pd
import streamlit as st

import crm_core
from pages.common import (
    _,
    customers_or_stop,
    download,
    escape_markdown,
    fmt_date,
    fmt_days_ago,
    fmt_each,
    fmt_opinion,
    fmt_pct,
    item_label,
    log_link,
    mode_label,
    n_,
    read,
    risk_reasons,
    setup,
    source_label,
    stage_label,
)
from pages.common.charts import journey_link, link_column
from pages.common.followups import journey_follow_ups
from pages.common.forms import confirmation, customer_picker, other_error, save, session_author
from pages.common.journey import (
    checklist_table,
    contributions,
    next_best_response,
    opinion_editor,
    response_editor,
    score_trend,
)
from pages.common.pack import pack_button
from pages.common.presented import draw
from pages.common.service import journey_section

ctx = setup("Customer journey", "🧭")
SUGGESTED = 8   # customers offered when no customer is chosen yet
ACTIONS = {"create": _("added"), "update": _("changed"), "delete": _("deleted"), "undo": _("undone")}
ENTITIES = {"customer": _("profile"), "response": _("response"), "opinion": _("opinion"),
            "stage_entry": _("stage change"), "follow_up": _("follow-up")}
names = customers_or_stop(ctx, _("There are no customers yet."))
customer_id = customer_picker(names)
if customer_id is None:
    st.info(_("Pick a customer to see their journey, or open one of these."))
    recent_side, risky_side = st.columns(2)
    recent, risky = read(ctx, crm_core.suggested_customers, ctx.as_of, SUGGESTED)
    recent_side.subheader(_("Recently in touch"), anchor=False)
    recent_side.dataframe(pd.DataFrame({
        _("Customer"): recent["name"], _("Last response"): fmt_each(recent["last_response_on"], fmt_date),
        "journey": journey_link(recent["customer_id"])}),
        hide_index=True, width="stretch", column_config={"journey": link_column()}, key="recent_customers")
    risky_side.subheader(_("At risk"), anchor=False)
    if risky.empty:
        risky_side.caption(_("No customer is at risk."))
    else:
        risky_side.dataframe(pd.DataFrame({
            _("Customer"): risky["name"], _("Why"): fmt_each(risky["reasons"], risk_reasons),
            "journey": journey_link(risky["customer_id"])}),
            hide_index=True, width="stretch", column_config={"journey": link_column()}, key="risky_customers")
    st.stop()
# The customer's own reads are keyed on its writes: a colleague's save for another customer
# leaves them warm. The advice below is keyed on the customer and its stage's analysis.
own = ctx.of_customer(customer_id)
journey = read(own, crm_core.journey, customer_id, ctx.as_of)
customer = journey.customer
if journey.current_stage is None:
    st.info(_("{name} did not exist yet on that day (created {day}).", name=escape_markdown(customer["name"]),
              day=fmt_date(customer["created_on"])))
    st.stop()

st.header(escape_markdown(customer["name"]), anchor=False)
profile = [customer.get(k) for k in ("sector", "region", "account_manager")]
st.caption(" · ".join(escape_markdown(v) for v in profile if v) + " · "
           + _("customer since {day}", day=fmt_date(customer["created_on"])))
if ctx.as_of is None:
    log_link(customer_id)
pack_button(ctx, customer_id)
last = journey.responses["responded_on"].max() if len(journey.responses) else None
days = None if last is None else (ctx.today - pd.Timestamp(last).date()).days
now = journey.stages[journey.stages["stage"] == journey.current_stage].iloc[0]
kpis = st.columns(4)
kpis[0].metric(_("Current stage"), stage_label(journey.current_stage), border=True)
kpis[1].metric(_("Final opinion"), fmt_opinion(journey.final_opinion), border=True,
               help=_("Sum of the latest opinion of each reached stage (−6 … +6)."))
kpis[2].metric(_("Checklist coverage of the current stage"), fmt_pct(now["coverage"]), border=True)
kpis[3].metric(_("Last response"), fmt_days_ago(days), border=True)
next_best_response(ctx, customer_id, journey.current_stage)
journey_follow_ups(own, customer_id)

# Only the open tab is built: tabs bound to the URL run lazily, so a view ships one tab's charts and
# tables instead of four (``.open`` says which one the browser shows).
overview_tab, checklist_tab, records_tab, history_tab = st.tabs(
    [_("Journey"), _("Checklist"), _("Responses and opinions"), _("History")], key="tab", bind="query-params")
if overview_tab.open:
    with overview_tab:
        left, right = st.columns([2, 3])
        draw(own, contributions, customer_id, into=left)
        if journey.responses.empty and journey.opinions.empty:
            right.info(_("No response or opinion recorded yet."))
        else:
            draw(own, score_trend, customer_id, into=right)
        journey_section(own, journey, customer_id)

if checklist_tab.open:
    with checklist_tab:
        reached = journey.stages[journey.stages["reached"]]
        for column, row in zip(st.columns(3), reached.itertuples()):
            column.subheader(stage_label(row.stage), anchor=False)
            column.caption(_("{covered} given · opinion {opinion} · our score {score}", covered=fmt_pct(row.coverage),
                             opinion=fmt_opinion(row.opinion), score=fmt_opinion(row.response_score)))
            column.dataframe(checklist_table(journey, row.stage), hide_index=True, width="stretch")

author = session_author()
if records_tab.open:
    with records_tab:
        confirmation("journey")
        other_error("journey", ())
        labels = dict(zip(journey.checklist["item_key"], journey.checklist["label"]))
        responses = journey.responses.iloc[::-1].reset_index(drop=True)
        st.subheader(n_("{n} response", "{n} responses", len(responses)), anchor=False)
        shown = pd.DataFrame({
            _("Date"): responses["responded_on"].map(fmt_date), _("Stage"): responses["stage"].map(stage_label),
            _("Mode"): responses["mode"].map(mode_label), _("Summary"): responses["summary"],
            _("Checklist items"): responses["items"].map(
                lambda keys: ", ".join(item_label(k, labels.get(k)) for k in keys)),
            _("Quality"): responses["quality"], _("Completeness"): responses["completeness"],
            _("Author"): responses["author"]})
        # On a past snapshot the rows are read only: a change made there would not show in it.
        editable = ctx.as_of is None
        if len(responses):
            picked = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun" if editable else "ignore",
                                  selection_mode="single-row", key="pick_response")
            download(responses, f"responses-customer-{customer_id}")
            if editable and picked.selection.rows:
                response_editor(ctx.path, journey, responses.iloc[picked.selection.rows[0]], author)
        opinions = journey.opinions.iloc[::-1].reset_index(drop=True)
        st.subheader(n_("{n} opinion", "{n} opinions", len(opinions)), anchor=False)
        if len(opinions):
            picked = st.dataframe(pd.DataFrame({
                _("Date"): opinions["opinion_on"].map(fmt_date), _("Stage"): opinions["stage"].map(stage_label),
                _("Opinion"): opinions["score"].map(fmt_opinion), _("Source"): opinions["source"].map(source_label),
                _("Note"): opinions["note"], _("Author"): opinions["author"]}),
                hide_index=True, width="stretch", on_select="rerun" if editable else "ignore",
                selection_mode="single-row", key="pick_opinion")
            if editable and picked.selection.rows:
                opinion_editor(ctx.path, opinions.iloc[picked.selection.rows[0]], author)
        if editable and (len(responses) or len(opinions)):
            st.caption(_("Select a row to change or delete it."))

if history_tab.open:
    with history_tab:
        confirmation("undo")
        other_error("undo", ())
        if ctx.as_of is None:
            st.button("↩️ " + _("Undo my last change"), disabled=not author, on_click=lambda: save(
                "undo", ctx.path, crm_core.undo, author, done=_("Your last change was undone.")))
        log = read(own, crm_core.change_log, customer_id)
        if log.empty:
            st.info(_("No change recorded for this customer yet."))
        else:
            st.dataframe(pd.DataFrame({
                _("When"): log["at"].str[:16].str.replace("T", " "), _("Who"): log["author"].fillna("—"),
                _("What"): [" · ".join([ENTITIES.get(entity, entity), ACTIONS.get(action, action)]
                                      + ([_("later undone")] if undone else []))
                            for action, entity, undone in zip(log["action"], log["entity"], log["undone"])],
                _("Fields"): log["fields"].map(", ".join)}), hide_index=True, width="stretch")
