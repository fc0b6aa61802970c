"""Tables, charts and forms of the service-and-promises page and of the journey's
service section: the fault clock of each case, the compliance trend, and the
forms that open a case, stop its clocks and record or resolve a promise."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import crm_core
from crm_core import promises, service

from . import (
    SHOWN,
    Context,
    _,
    escape_markdown,
    fmt_date,
    fmt_each,
    fmt_month,
    fmt_number,
    fmt_pct,
    mode_label,
    read,
    stage_label,
)
from .charts import journey_link, month_axis, share_axis
from .followups import save_closing
from .forms import confirmation, field_error, other_error, save
from .journey import timeline_chart
from .presented import draw, presented

CLOCK_COLOURS = {"first_reply": "#4C78A8", "attention": "#F58518", "repair": "#54A24B"}


def clock_now() -> dt.datetime:
    """The moment open clocks run to, to the minute (so reads cache for a minute)."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def fmt_hours(hours) -> str:
    """A duration for people: ``10 h`` below two days, ``3.1 days`` from two days on; missing -> ``—``."""
    if hours is None or pd.isna(hours):
        return "—"
    if abs(hours) >= 48:
        return _("{days} days", days=fmt_number(hours / 24, 1))
    return _("{hours} h", hours=fmt_number(hours, 1))


def fmt_price_premium(ratio) -> str:
    """A spare-part price against its reference (``service.price_premium``): ``+13 % above reference``,
    ``at the reference price``, ``5 % below reference``; missing -> ``—``."""
    premium = service.price_premium(ratio)
    if premium is None:
        return "—"
    if round(premium, 2) == 0:
        return _("at the reference price")
    if premium > 0:
        return _("+{share} above reference", share=fmt_pct(premium))
    return _("{share} below reference", share=fmt_pct(-premium))


def priority_label(priority: str) -> str:
    return _(service.PRIORITY_LABELS.get(priority, priority))


def clock_label(clock: str) -> str:
    return _(service.CLOCK_LABELS[clock])


def clock_texts(cases: pd.DataFrame, clock: str) -> list[str]:
    """Per case, ``clock`` for people: ``✅ 2.5 h`` (stopped in time), ``🔴 10 h``
    (stopped late), ``⏳ 3 h left``, ``🔴 4 h late``, ``—`` (not needed)."""
    hours = fmt_each(cases[f"{clock}_hours"], fmt_hours)
    left = fmt_each(cases[f"{clock}_left"].abs(), fmt_hours)
    return ["⏳ " + _("{hours} left", hours=left_text) if running and left_hours >= 0 else
            "🔴 " + _("{hours} late", hours=left_text) if running else
            "—" if pd.isna(h) else ("🔴 " if breached else "✅ ") + h_text
            for running, left_hours, left_text, h, h_text, breached in zip(
                cases[f"{clock}_running"], cases[f"{clock}_left"], left, cases[f"{clock}_hours"], hours,
                cases[f"{clock}_breached"])]


def cases_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases for people: customer, priority, reported, what, one column per clock, expert, journey link."""
    table = pd.DataFrame({
        _("Customer"): cases["name"], _("Priority"): cases["priority"].map(priority_label),
        _("Reported"): cases["reported_at"].str.replace("T", " "), _("Fault"): cases["description"]})
    for clock in service.CLOCKS:
        table[clock_label(clock)] = clock_texts(cases, clock)
    table[_("Expert")] = cases["expert"].fillna("—")
    table["journey"] = journey_link(cases["customer_id"])
    return table


def open_cases_table(ctx: Context, filters: dict | None, now: dt.datetime) -> pd.DataFrame:
    """The ``SHOWN`` most urgent open cases as ``cases_table`` (for ``presented``)."""
    figures = read(ctx, crm_core.service_portfolio, ctx.as_of, filters=filters, now=now)
    return cases_table(figures.waiting.head(SHOWN))


def spares_table(ctx: Context, filters: dict | None, now: dt.datetime) -> pd.DataFrame:
    """Per customer, spare parts' quoted and reference prices (least fair first), ``SHOWN`` rows."""
    spares = read(ctx, crm_core.service_portfolio, ctx.as_of, filters=filters, now=now).spares.head(SHOWN)
    return pd.DataFrame({
        _("Customer"): spares["name"], _("Cases"): spares["cases"],
        _("Quoted"): fmt_each(spares["quoted"], lambda v: fmt_number(v, 0)),
        _("Reference"): fmt_each(spares["reference"], lambda v: fmt_number(v, 0)),
        _("Against the reference"): fmt_each(spares["ratio"], fmt_price_premium)})


def compliance_table(ctx: Context, filters: dict | None, now: dt.datetime) -> pd.DataFrame:
    """Priority × clock: share of decided clocks stopped within target, with counts (for ``presented``)."""
    compliance = read(ctx, crm_core.service_portfolio, ctx.as_of, filters=filters, now=now).compliance
    cells = compliance.assign(text=[f"{fmt_pct(c)} ({m}/{d})" if d else "—" for c, m, d in
                                    zip(compliance["compliance"], compliance["met"], compliance["decided"])])
    table = cells.pivot(index="priority", columns="clock", values="text").reindex(
        index=list(service.PRIORITIES), columns=list(service.CLOCKS))
    return table.rename(index=priority_label, columns=clock_label).rename_axis(_("Priority")).reset_index()


def trend_chart(ctx: Context, filters: dict | None, now: dt.datetime) -> alt.Chart:
    """Compliance per clock by month reported, the month still running left out (see ``partial_month``)."""
    trend = read(ctx, crm_core.service_portfolio, ctx.as_of, filters=filters, now=now).trend
    frame = trend[~trend["partial"]].dropna(subset=["compliance"]).assign(
        clock_label=lambda f: f["clock"].map(clock_label), month=lambda f: pd.to_datetime(f["month"]),
        median_text=lambda f: fmt_each(f["median_hours"], fmt_hours),
        compliance_text=lambda f: fmt_each(f["compliance"], fmt_pct),
        month_text=lambda f: fmt_each(f["month"], fmt_month))
    return alt.Chart(frame, title=_("Clocks within target, by month reported")).mark_line(point=True).encode(
        x=month_axis(_("Month reported")),
        y=alt.Y("compliance:Q", title=_("Within target"), axis=share_axis(), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("clock_label:N", title=_("Clock"),
                        scale=alt.Scale(domain=[clock_label(c) for c in service.CLOCKS],
                                        range=list(CLOCK_COLOURS.values()))),
        tooltip=[alt.Tooltip("month_text:N", title=_("Month")),
                 alt.Tooltip("clock_label:N", title=_("Clock")),
                 alt.Tooltip("compliance_text:N", title=_("Within target")),
                 alt.Tooltip("median_text:N", title=_("Median time")), alt.Tooltip("cases:Q", title=_("Cases"))],
    ).properties(height=280)


def promises_table(found: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        _("Customer"): found["name"], _("Promise"): found["what"],
        _("Kind"): found["kind"].map(lambda k: _(promises.KIND_LABELS.get(k, k))),
        _("Stage"): found["stage"].map(stage_label), _("Made"): fmt_each(found["made_on"], fmt_date),
        _("By"): found["made_by"].fillna("—"), _("Promised"): found["promised_value"].fillna("—"),
        _("Due"): fmt_each(found["due_on"], lambda d: fmt_date(d) if isinstance(d, str) else "—"),
        _("Status"): found["status"].map(lambda s: _(promises.STATUS_LABELS[s]))
        + found["overdue"].map({True: " · " + _("overdue"), False: ""}),
        _("Delivered"): found["actual_value"].fillna("—"),
        _("Slip (days)"): found["slip_days"].map(lambda d: "—" if pd.isna(d) else f"{int(d):+d}")})


def promises_shown(ctx: Context, customer_id: int | None, filters: dict | None, only: str | None) -> pd.DataFrame:
    """The first ``SHOWN`` promises of ``promise_list`` (``only``: ``open``/``overdue``) as ``promises_table``."""
    return promises_table(read(ctx, crm_core.promise_list, ctx.as_of, customer_id=customer_id, filters=filters,
                               only=only, limit=SHOWN))


def _moment(prefix: str) -> dt.datetime:
    state = st.session_state
    return dt.datetime.combine(state[f"{prefix}_day"], state[f"{prefix}_time"])


def _when(prefix: str, label: str) -> None:
    day, time = st.columns(2)
    day.date_input(label, value=dt.date.today(), key=f"{prefix}_day")
    time.time_input(_("Time"), value=dt.time(dt.datetime.now().hour), step=900, key=f"{prefix}_time")


def case_form(ctx: Context, customer_id: int, author: str | None) -> None:
    """Open a case for ``customer_id``."""
    confirmation("case")
    with st.form("case"):
        _when("case", _("Reported on"))
        field_error("case", "reported_at")
        st.segmented_control(_("Priority"), service.PRIORITIES, default="normal", required=True,
                             format_func=priority_label, key="case_priority")
        st.text_input(_("What does not work?"), key="case_description", max_chars=5000)
        field_error("case", "description")
        other_error("case", ("reported_at", "description"))
        state = st.session_state
        st.form_submit_button(_("Open the case"), type="primary", on_click=lambda: save(
            "case", ctx.path, crm_core.open_case, customer_id, _moment("case"), state["case_description"],
            state["case_priority"], author=author, reset={"case_description": ""},
            done=_("Case opened; its clocks run.")))


def event_form(ctx: Context, waiting: pd.DataFrame, author: str | None) -> None:
    """Stop a clock of an open case (or close it), optionally logging the matching checklist response."""
    confirmation("event")
    events = {"first_reply": _("First reply"), "attention": _("Expert assigned"), "repair": _("Repaired"),
              "close": _("Closed")}
    labels = dict(zip(waiting["case_id"].astype(int).tolist(), waiting["name"] + " · " + waiting["description"] + " ("
                      + waiting["reported_at"].str.replace("T", " ") + ")"))
    with st.form("event"):
        st.selectbox(_("Open case"), list(labels), format_func=labels.get, key="event_case")
        st.segmented_control(_("What happened"), list(events), default="first_reply", required=True,
                             format_func=events.get, key="event_kind")
        _when("event", _("When"))
        field_error("event", "at", "event")
        st.text_input(_("Expert or team (for an expert assigned)"), key="event_expert")
        field_error("event", "expert")
        quoted, reference = st.columns(2)
        quoted.number_input(_("Spare parts: quoted price"), min_value=0.0, value=None, key="event_quoted")
        reference.number_input(_("Spare parts: reference price"), min_value=0.0, value=None, key="event_reference")
        field_error("event", "spare_quoted_price", "spare_reference_price")
        st.checkbox(_("Also log the matching post-deal checklist response"), value=True, key="event_log")
        mode, quality, completeness = st.columns(3)
        mode.selectbox(_("Mode"), crm_core.MODES, format_func=mode_label, key="event_mode")
        quality.segmented_control(_("Quality"), [1, 2, 3, 4, 5], default=4, key="event_quality")
        completeness.segmented_control(_("Completeness"), [1, 2, 3, 4, 5], default=4, key="event_completeness")
        field_error("event", "response", "quality", "completeness", "mode")
        known = ("at", "event", "expert", "spare_quoted_price", "spare_reference_price", "response", "quality",
                 "completeness", "mode")
        other_error("event", known)
        state = st.session_state
        st.form_submit_button(_("Save"), type="primary", on_click=lambda: save_closing(
            "event", ctx.path, crm_core.log_case_event, state["event_case"], state["event_kind"], _moment("event"),
            expert=state["event_expert"], spare_quoted_price=state["event_quoted"],
            spare_reference_price=state["event_reference"],
            response={"mode": state["event_mode"], "quality": state["event_quality"],
                      "completeness": state["event_completeness"]} if state["event_log"] else None,
            author=author, reset={"event_expert": "", "event_quoted": None, "event_reference": None},
            done=_("Saved; the clock and the checklist agree.")))


def promise_form(ctx: Context, customer_id: int, author: str | None) -> None:
    """Record a promise made to ``customer_id`` in one of the stages it reached."""
    confirmation("promise")
    journey = read(ctx.of_customer(customer_id), crm_core.journey, customer_id)
    stages = tuple(crm_core.scores.reached_stages(journey.current_stage))
    with st.form("promise"):
        st.text_input(_("What was promised?"), key="promise_what", max_chars=5000)
        field_error("promise", "what")
        kind, stage, made = st.columns(3)
        kind.selectbox(_("Kind"), promises.KINDS, format_func=lambda k: _(promises.KIND_LABELS[k]), key="promise_kind")
        stage.selectbox(_("Stage"), stages, index=len(stages) - 1, format_func=stage_label, key="promise_stage")
        made.date_input(_("Made on"), value=dt.date.today(), key="promise_made")
        field_error("promise", "stage", "made_on", "kind")
        by, value, due = st.columns(3)
        by.text_input(_("Made by"), key="promise_by")
        value.text_input(_("Promised value"), key="promise_value")
        due.date_input(_("Due on"), value=None, key="promise_due")
        field_error("promise", "due_on", "made_by", "promised_value")
        other_error("promise", ("what", "stage", "made_on", "kind", "due_on", "made_by", "promised_value"))
        state = st.session_state
        st.form_submit_button(_("Record the promise"), type="primary", on_click=lambda: save(
            "promise", ctx.path, crm_core.record_promise, customer_id, state["promise_stage"], state["promise_made"],
            state["promise_kind"], state["promise_what"], made_by=state["promise_by"],
            promised_value=state["promise_value"], due_on=state["promise_due"], author=author,
            reset={"promise_what": "", "promise_value": "", "promise_due": None}, done=_("Promise recorded.")))


def resolve_form(ctx: Context, open_promises: pd.DataFrame, author: str | None) -> None:
    """Mark an open promise kept, broken or renegotiated."""
    confirmation("resolve")
    labels = dict(zip(open_promises["promise_id"].astype(int).tolist(),
                      open_promises["name"] + " · " + open_promises["what"]))
    with st.form("resolve"):
        st.selectbox(_("Open promise"), list(labels), format_func=labels.get, key="resolve_promise")
        status, day = st.columns(2)
        status.segmented_control(_("Outcome"), promises.RESOLUTIONS, default="kept", required=True,
                                 format_func=lambda s: _(promises.STATUS_LABELS[s]), key="resolve_status")
        day.date_input(_("On"), value=dt.date.today(), key="resolve_day")
        st.text_input(_("What was delivered"), key="resolve_actual")
        field_error("resolve", "status", "resolved_on", "actual_value")
        other_error("resolve", ("status", "resolved_on", "actual_value"))
        state = st.session_state
        st.form_submit_button(_("Save"), type="primary", on_click=lambda: save(
            "resolve", ctx.path, crm_core.resolve_promise, state["resolve_promise"], state["resolve_status"],
            state["resolve_day"], actual_value=state["resolve_actual"], author=author, reset={"resolve_actual": ""},
            done=_("Promise updated.")))


def journey_timeline(ctx: Context, customer_id: int) -> alt.Chart:
    """The journey's timeline with the customer's broken promises on it."""
    found = read(ctx, crm_core.promise_list, ctx.as_of, customer_id=customer_id)
    return timeline_chart(read(ctx, crm_core.journey, customer_id, ctx.as_of), found[found["status"] == "broken"])


def journey_cases(ctx: Context, customer_id: int, now: dt.datetime) -> pd.DataFrame:
    """The customer's service cases as on the service page, by the moment reported."""
    cases = read(ctx, crm_core.case_clocks, ctx.as_of, customer_id=customer_id, now=now)
    return cases_table(cases).drop(columns=[_("Customer"), "journey"]).set_index(_("Reported"))


def journey_promises(ctx: Context, customer_id: int) -> pd.DataFrame:
    found = read(ctx, crm_core.promise_list, ctx.as_of, customer_id=customer_id)
    return promises_table(found).drop(columns=[_("Customer")]).set_index(_("Promise"))


def journey_section(ctx: Context, journey: crm_core.Journey, customer_id: int) -> None:
    """The journey's timeline with the customer's broken promises on it, then its
    service cases (clocks as on the service page) and promises."""
    found = read(ctx, crm_core.promise_list, ctx.as_of, customer_id=customer_id)
    broken = found[found["status"] == "broken"]
    if len(journey.responses) or len(journey.opinions) or len(broken):
        draw(ctx, journey_timeline, customer_id)
    st.subheader(_("Service cases"), anchor=False)
    cases = presented(ctx, journey_cases, customer_id, clock_now())
    if cases.empty:
        st.caption(_("No service case."))
    else:
        st.table(cases)
    st.subheader(_("Promises"), anchor=False)
    if found.empty:
        st.caption(_("No promise recorded."))
    else:
        for row in broken.itertuples():
            st.warning(_("Broken promise: {what} (due {due}, broken {day})", what=escape_markdown(row.what),
                         due=fmt_date(row.due_on) if row.due_on else "—", day=fmt_date(row.resolved_on)), icon="🤝")
        st.table(presented(ctx, journey_promises, customer_id))
