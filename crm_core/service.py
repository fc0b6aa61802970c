"""The post-deal fault clock.

A **service case** is a fault a customer reported at a moment (date and time)
with a priority. Three clocks start at the report and stop at an event:

* ``first_reply`` — our first reply (checklist ``post.immediate_reply``);
* ``attention`` — an expert or team assigned (``post.quick_attention``,
  ``post.expert_team``);
* ``repair`` — the fault repaired (``post.repair_priority``; ``post.spares``
  too when spare parts were supplied at a fair price, quoted ÷ reference ≤
  ``FAIR_PRICE_RATIO``).

Each priority has a target in hours per clock (``DEFAULT_TARGETS``: critical
1/4/24, high 4/8/48, normal 8/24/120, low 24/72/240; an admin may change them). Per case and
clock: **elapsed** hours (to the event, or to the reference moment while the
clock runs), **breached** (elapsed > target) and, on a running clock, hours
**left** (target − elapsed; negative = overdue). A clock of a case closed
before its event is not needed: no time, no breach.

Portfolio: the **median** elapsed hours of stopped clocks, and **compliance**
= clocks stopped within target ÷ clocks decided (stopped, or running and
already breached; a running clock within target is not decided yet).

The reference moment of every read is the end of ``as_of`` (or ``now``,
whichever is earlier), so a snapshot does not move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import followups, funnel, validation, writes
from .i18n import N_
from .storage import commands, relationship_commands, relationship_queries
from .storage.entities import DEFAULT_TARGETS, TARGET_COLUMNS
from .validation import ValidationError
from .snapshot import SnapshotDay

PRIORITIES: tuple[str, ...] = ("critical", "high", "normal", "low")
PRIORITY_LABELS: dict[str, str] = {"critical": N_("Critical"), "high": N_("High"), "normal": N_("Normal"),
                                   "low": N_("Low")}
CLOCKS: tuple[str, ...] = ("first_reply", "attention", "repair")
CLOCK_LABELS: dict[str, str] = {"first_reply": N_("First reply"), "attention": N_("Attention"),
                                "repair": N_("Repair")}
CLOCK_COLUMNS = {"first_reply": "first_reply_at", "attention": "attention_at", "repair": "repaired_at"}
EVENTS: tuple[str, ...] = (*CLOCKS, "close")
# The checklist items an event gives, so the checklist and the clock never disagree.
EVENT_ITEMS = {"first_reply": ("post.immediate_reply",), "attention": ("post.quick_attention", "post.expert_team"),
               "repair": ("post.repair_priority",)}
FAIR_PRICE_RATIO = 1.05
MAX_TARGET_HOURS = 24 * 365


# --- validation ---------------------------------------------------------------------

def parse_moment(field: str, value) -> dt.datetime:
    """Accept a ``datetime`` or ISO text (``2026-03-02T14:30`` or ``2026-03-02 14:30``);
    return a naive datetime to the minute."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(field, N_("{value!r} is not a date and time (use YYYY-MM-DD HH:MM)"),
                                  value=value) from None
    else:
        raise ValidationError(field, N_("{value!r} is not a date and time (use YYYY-MM-DD HH:MM)"), value=value)
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def check_moment(field: str, value, *, not_before: dt.datetime, now: dt.datetime, too_early: str) -> str:
    """A moment not in the future and not before ``not_before``; returns ISO text to the minute.
    ``too_early`` is the refusal's whole sentence (``{moment}``, ``{limit}``), so it translates as one."""
    moment = parse_moment(field, value)
    if moment > now:
        raise ValidationError(field, N_("{moment} is in the future"), moment=f"{moment:%Y-%m-%d %H:%M}")
    if moment < not_before:
        raise ValidationError(field, too_early, moment=f"{moment:%Y-%m-%d %H:%M}", limit=f"{not_before:%Y-%m-%d %H:%M}")
    return moment.isoformat(timespec="minutes")


def check_price(field: str, value) -> float | None:
    amount = validation.check_amount(field, value)
    if amount is not None and amount == float("inf"):
        raise ValidationError(field, N_("is not a finite number"))
    return amount


def check_hours(field: str, value) -> float:
    if value is None or value == "":
        raise ValidationError(field, N_("enter a number of hours"))
    hours = check_price(field, value)
    if hours <= 0 or hours > MAX_TARGET_HOURS:
        raise ValidationError(field, N_("must be more than 0 and at most {hours} hours"), hours=MAX_TARGET_HOURS)
    return hours


# --- writes -------------------------------------------------------------------------

def open_case(db, customer_id: int, reported_at, description: str, priority: str, *,
              author: str | None = None, now: dt.datetime | None = None) -> int:
    """Open a service case reported at ``reported_at`` (a moment). Returns the case id."""
    now = now or dt.datetime.now()
    with funnel.change(db, author) as change:
        customer = funnel.customer(db, customer_id)
        created = dt.datetime.fromisoformat(customer["created_on"])
        values = {
            "customer_id": customer_id,
            "reported_at": check_moment("reported_at", reported_at, not_before=created, now=now,
                                        too_early=N_("{moment} is before the customer existed ({limit})")),
            "description": validation.check_text("description", description, required=True),
            "priority": validation.check_choice("priority", priority, PRIORITIES),
            "author": change.author,
        }
        case_id = relationship_commands.insert(db, "service_case", values)
        change.record("create", "service_case", case_id, None)
        return case_id


def log_case_event(db, case_id: int, event: str, at, *, expert: str | None = None,
                   spare_quoted_price=None, spare_reference_price=None, response: dict | None = None,
                   author: str | None = None, now: dt.datetime | None = None) -> int | None:
    """Stop one clock of a case (``first_reply``, ``attention`` with ``expert``,
    ``repair`` with optional spare-part prices) or ``close`` it, at ``at``.

    With ``response`` (``mode, quality, completeness``, optional ``summary``)
    the matching post-deal checklist response is logged in the same change, so
    one undo takes back both. Returns that response's id (or None)."""
    now = now or dt.datetime.now()
    with funnel.change(db, author) as change:
        before = funnel.existing(db, "service_case", case_id)
        validation.check_choice("event", event, EVENTS)
        if before["closed_at"]:
            raise ValidationError("event", N_("the case is closed"))
        column = CLOCK_COLUMNS.get(event, "closed_at")
        if before[column]:
            raise ValidationError("event", N_("already logged at {moment}; undo to correct it"),
                                  moment=before[column].replace("T", " "))
        reported = dt.datetime.fromisoformat(before["reported_at"])
        logged = [dt.datetime.fromisoformat(before[c]) for c in CLOCK_COLUMNS.values() if before[c]]
        not_before, too_early = ((max(logged), N_("{moment} is before the last event ({limit})")) if event == "close"
                                 and logged else (reported, N_("{moment} is before the report ({limit})")))
        values = {**before, column: check_moment("at", at, not_before=not_before, now=now, too_early=too_early)}
        items = list(EVENT_ITEMS.get(event, ()))
        if event == "attention":
            values["expert"] = validation.check_text("expert", expert, required=True, limit=validation.MAX_NAME)
        if event == "repair":
            values["spare_quoted_price"] = check_price("spare_quoted_price", spare_quoted_price)
            values["spare_reference_price"] = check_price("spare_reference_price", spare_reference_price)
            if (values["spare_quoted_price"] is None) != (values["spare_reference_price"] is None):
                raise ValidationError("spare_reference_price",
                                      N_("give both the quoted and the reference price, or neither"))
            if values["spare_reference_price"] == 0:
                raise ValidationError("spare_reference_price", N_("must be more than zero"))
            if values["spare_quoted_price"] is not None and \
                    values["spare_quoted_price"] <= values["spare_reference_price"] * FAIR_PRICE_RATIO:
                items.append("post.spares")
        relationship_commands.update(db, "service_case", case_id, values)
        change.record("update", "service_case", case_id, before)
        if response is None or not items:
            return None
        return _log_checklist_response(db, change, values, items, response, now.date())


def _log_checklist_response(db, change, case: dict, items: list[str], response: dict, today: dt.date) -> int:
    day = max(case[c] for c in (*CLOCK_COLUMNS.values(), "closed_at") if case[c])[:10]
    values = {"customer_id": case["customer_id"], "stage": "post_deal", "responded_on": day,
              "mode": response.get("mode"), "items": items, "quality": response.get("quality"),
              "completeness": response.get("completeness"),
              "summary": response.get("summary") or case["description"], "author": change.author}
    try:
        cleaned = writes.check_response(db, values, today)
    except ValidationError as error:
        if error.field != "stage":
            raise
        raise ValidationError("response", N_("the customer was not in post-deal on that day; "
                                             "save the event without the checklist response")) from None
    response_id = commands.insert_response(db, cleaned)
    change.record("create", "response", response_id, None)
    followups.close_by_response(db, change, response_id, cleaned)
    return response_id


def set_service_target(db, priority: str, first_reply_hours, attention_hours, repair_hours, *,
                       author: str | None = None) -> None:
    """Change the hours allowed for ``priority`` (admins only once accounts exist)."""
    with funnel.change(db, author, role="admin") as change:
        validation.check_choice("priority", priority, PRIORITIES)
        values = {"priority": priority,
                  "first_reply_hours": check_hours("first_reply_hours", first_reply_hours),
                  "attention_hours": check_hours("attention_hours", attention_hours),
                  "repair_hours": check_hours("repair_hours", repair_hours)}
        target_id = relationship_commands.target_id(db, priority)
        if target_id is None:
            target_id = relationship_commands.insert(db, "service_target", values)
            change.record("create", "service_target", target_id, None)
        else:
            before = commands.snapshot(db, "service_target", target_id)
            relationship_commands.update(db, "service_target", target_id, values)
            change.record("update", "service_target", target_id, before)


# --- reads --------------------------------------------------------------------------

def reference_moment(as_of=None, now: dt.datetime | None = None) -> dt.datetime:
    """The moment running clocks are measured to: ``now`` (default: the real now),
    but no later than the end of ``as_of``."""
    moment = (now or dt.datetime.now()).replace(tzinfo=None)
    if as_of is not None:
        end = dt.datetime.combine(SnapshotDay.of(as_of).day, dt.time()) + dt.timedelta(days=1)
        moment = min(moment, end)
    return moment


def price_premium(ratio):
    """How far a quoted spare-part price is above its reference: quoted ÷ reference − 1
    (``0.13``: 13 % above; negative: below). Takes the ratio (a number or None); returns
    a float, or None without a ratio."""
    return None if ratio is None or pd.isna(ratio) else ratio - 1


def service_targets(db) -> pd.DataFrame:
    """``priority, first_reply_hours, attention_hours, repair_hours`` in priority order
    (the defaults where nobody changed them)."""
    chosen = relationship_queries.service_targets(db).set_index("priority")
    return pd.DataFrame([
        (priority, *(chosen.loc[priority, TARGET_COLUMNS] if priority in chosen.index else DEFAULT_TARGETS[priority]))
        for priority in PRIORITIES], columns=["priority", *TARGET_COLUMNS]).astype({c: float for c in TARGET_COLUMNS})


def _moments(texts: pd.Series) -> np.ndarray:
    """ISO date-time texts (NULL: NaT) as numpy moments to the microsecond."""
    return np.array(texts.to_numpy(dtype=object, na_value=None), dtype="datetime64[us]")


def _hours(delta: np.ndarray) -> np.ndarray:
    """Time spans (NaT: NaN) in hours, to 0.01 h."""
    return np.round(delta / np.timedelta64(1, "s") / 3600, 2)


def case_clocks(db, as_of=None, customer_id: int | None = None, filters: dict | None = None,
                now: dt.datetime | None = None, open_only: bool = False) -> pd.DataFrame:
    """One row per case reported by ``as_of``: ``case_id, customer_id, name, sector,
    region, account_manager, reported_at, description, priority, expert, status``
    (open/closed), spare prices and ``price_ratio`` (quoted ÷ reference), and per
    clock ``<clock>_at`` (stop), ``<clock>_target``, ``<clock>_hours`` (elapsed),
    ``<clock>_running``, ``<clock>_breached``, ``<clock>_left`` (hours, running
    clocks only); ``breached`` (any clock), ``hours_left`` (least left on a
    running clock). Sorted most urgent first: least time left, then priority.

    Computed on one numpy array per column, the frame made once: column by column in
    pandas it cost 25-40 ms for 521 open cases, and as much for a customer's two."""
    found = relationship_queries.service_cases(db, SnapshotDay.of(as_of).bound, customer_id, filters, open_only)
    found = found.rename(columns={"repaired_at": "repair_at"})
    targets = service_targets(db).set_index("priority")
    at = targets.index.get_indexer(found["priority"])
    moment = np.datetime64(reference_moment(as_of, now), "us")
    reported = _moments(found["reported_at"])
    still_open = np.isnat(_moments(found["closed_at"]))
    columns = {f"{clock}_target": targets[f"{clock}_hours"].to_numpy(dtype=float)[at] for clock in CLOCKS}
    columns["status"] = np.where(still_open, "open", "closed")
    for clock in CLOCKS:
        stop = _moments(found[f"{clock}_at"])
        running = np.isnat(stop) & still_open
        elapsed = np.where(np.isnat(stop), np.where(running, _hours(moment - reported), np.nan),
                           _hours(stop - reported))
        target = columns[f"{clock}_target"]
        columns.update({f"{clock}_hours": elapsed, f"{clock}_running": running, f"{clock}_breached": elapsed > target,
                        f"{clock}_left": np.where(running, np.round(target - elapsed, 2), np.nan)})
    columns["breached"] = np.logical_or.reduce([columns[f"{c}_breached"] for c in CLOCKS])
    columns["hours_left"] = np.fmin.reduce([columns[f"{c}_left"] for c in CLOCKS])
    with np.errstate(divide="ignore", invalid="ignore"):    # as pandas divides: x / 0 is inf, 0 / 0 NaN
        columns["price_ratio"] = np.round(found["spare_quoted_price"].to_numpy(dtype=float)
                                          / found["spare_reference_price"].to_numpy(dtype=float), 3)
    rank = found["priority"].map({p: i for i, p in enumerate(PRIORITIES)}).to_numpy()
    order = np.lexsort((found["reported_at"].to_numpy(dtype=object), rank, np.nan_to_num(columns["hours_left"],
                                                                                          nan=np.inf)))
    return found.assign(**columns).take(order).reset_index(drop=True)


def open_cases(db, as_of=None, filters: dict | None = None, now: dt.datetime | None = None,
               customer_id: int | None = None) -> pd.DataFrame:
    """The cases open at ``as_of``, most urgent first (columns of ``case_clocks``)."""
    return case_clocks(db, as_of, customer_id, filters, now, open_only=True)


@dataclass
class ServicePortfolio:
    """The fault clock across the portfolio at ``as_of``."""

    cases: int
    open_cases: int
    open_breached: int
    waiting: pd.DataFrame              # the open cases, most urgent first (``open_cases``)
    medians: dict[str, float | None]   # clock -> median hours of stopped clocks
    compliance: pd.DataFrame           # priority, clock, met, decided, compliance (0..1 or NaN)
    trend: pd.DataFrame                # month, clock, cases, median_hours, compliance, partial (month not over)
    spares: pd.DataFrame               # customer_id, name, cases, quoted, reference, ratio (sum ÷ sum)
    price_ratio: float | None          # all spare parts: sum quoted ÷ sum reference


def _running_breaches(cases: pd.DataFrame) -> pd.DataFrame:
    """Per clock, whether it runs past its target on each of ``cases`` (``case_clocks`` rows)."""
    return pd.DataFrame({clock: cases[f"{clock}_running"] & cases[f"{clock}_breached"] for clock in CLOCKS},
                        index=cases.index, dtype=bool)


def service_portfolio(db, as_of=None, filters: dict | None = None,
                      now: dt.datetime | None = None) -> ServicePortfolio:
    """Medians, compliance per priority, monthly trend (by month reported) and
    spare-part price fairness over the cases reported by ``as_of``.

    Stopped clocks do not depend on the moment, so one compact row per case
    serves their counts and medians; only the open cases' running clocks are
    judged against ``now`` (and handed out: ``waiting``, for the list of them, instead of
    a second pass over the cases)."""
    day = SnapshotDay.of(as_of).bound
    targets = service_targets(db).set_index("priority")
    hours = relationship_queries.case_hours(db, day, CLOCK_COLUMNS, filters)
    stopped = hours[list(CLOCKS)].to_numpy(dtype=float)
    within = stopped <= targets.reindex(hours["priority"])[[f"{clock}_hours" for clock in CLOCKS]].to_numpy()
    counts = pd.DataFrame({"month": hours["month"], "priority": hours["priority"], "cases": 1,
                           **{f"{clock}_stopped": ~np.isnan(stopped[:, i]) for i, clock in enumerate(CLOCKS)},
                           **{f"{clock}_met": within[:, i] for i, clock in enumerate(CLOCKS)}}
                          ).groupby(["month", "priority"]).sum()
    waiting = open_cases(db, as_of, filters, now)
    late = _running_breaches(waiting).assign(month=waiting["reported_at"].str[:7], priority=waiting["priority"])
    late = late.groupby(["month", "priority"])[list(CLOCKS)].sum()
    for clock in CLOCKS:
        counts[f"{clock}_decided"] = counts[f"{clock}_stopped"] + late[clock].reindex(counts.index, fill_value=0)
    monthly_medians = hours.groupby("month")[list(CLOCKS)].median()
    by_priority = counts.groupby(level="priority").sum()
    compliance = pd.DataFrame(
        [(priority, clock, *(int(by_priority[f"{clock}_{k}"].get(priority, 0)) for k in ("met", "decided")))
         for clock in CLOCKS for priority in PRIORITIES], columns=["priority", "clock", "met", "decided"])
    compliance["compliance"] = compliance["met"] / compliance["decided"].where(compliance["decided"] > 0)
    by_month = counts.groupby(level="month").sum()
    trend = pd.DataFrame({
        "month": np.repeat(by_month.index.to_numpy(), len(CLOCKS)),
        "clock": np.tile(CLOCKS, len(by_month)),
        "cases": np.repeat(by_month["cases"].to_numpy(), len(CLOCKS)),
        "median_hours": monthly_medians.reindex(by_month.index).to_numpy().ravel() if len(by_month) else [],
        **{k: by_month[[f"{c}_{k}" for c in CLOCKS]].to_numpy().ravel() for k in ("met", "decided")}})
    trend["compliance"] = trend["met"] / trend["decided"].where(trend["decided"] > 0)
    trend = trend.astype({"median_hours": float, "compliance": float})
    # The month of the reference moment is still running: its few cases are not yet a month's figure.
    trend["partial"] = trend["month"] == reference_moment(as_of, now).strftime("%Y-%m")
    spares = relationship_queries.spare_prices(db, day, filters)
    spares["ratio"] = (spares["quoted"] / spares["reference"]).round(3)
    return ServicePortfolio(
        cases=int(counts["cases"].sum()), open_cases=len(waiting),
        open_breached=int(_running_breaches(waiting).any(axis=1).sum()), waiting=waiting,
        medians={clock: None if pd.isna(median) else float(median)
                 for clock, median in hours[list(CLOCKS)].median().items()},
        compliance=compliance,
        trend=trend[["month", "clock", "cases", "median_hours", "compliance", "partial"]].sort_values(
            ["month", "clock"]).reset_index(drop=True),
        spares=spares.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True),
        price_ratio=round(float(spares["quoted"].sum() / spares["reference"].sum()), 3) if len(spares) else None)


def customers_in_breach(db, as_of=None, now: dt.datetime | None = None) -> set[int]:
    """Customers with an open case whose running clock is past its target at ``as_of``."""
    found = open_cases(db, as_of, now=now)
    late = pd.concat([found[f"{c}_running"] & found[f"{c}_breached"] for c in CLOCKS], axis=1).any(axis=1) \
        if len(found) else pd.Series(dtype=bool)
    return set(found.loc[late, "customer_id"].astype(int))
