"""What the pages show. Every read takes an open database (``connect()``) and an
optional ``as_of`` (a date or ``YYYY-MM-DD``): the state at the end of that
day; ``None`` means now. Reads return pandas DataFrames or a small dataclass.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import scores
from .catalogue import STAGE_POSITION, STAGES
from .storage import queries
from .storage.commands import audit_rows as history_rows
from .snapshot import SnapshotDay, days_before
from .validation import parse_date


def portfolio(db, as_of=None, filters: dict | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """One row per customer: ``customer_id, name, sector, region, account_manager,
    created_on, stage, final_opinion`` (nullable: not rated), ``rated_stages,
    stage_opinion`` (current stage), ``items_covered, items_total, coverage``
    (current stage), ``responses, last_response_on, days_since_response``.

    ``filters`` may restrict ``sector``, ``region`` and ``account_manager``
    (a value or a list each)."""
    found = queries.portfolio(db, SnapshotDay.of(as_of).bound, filters)
    found["final_opinion"] = found["final_value"].where(found["rated_stages"].fillna(0) > 0).astype("Int64")
    found["stage_opinion"] = found["stage_opinion"].where(found["stage_rated"].fillna(0) > 0).astype("Int64")
    found["rated_stages"] = found["rated_stages"].fillna(0).astype(int)
    found["coverage"] = scores.coverage(found["items_covered"], found["items_total"])
    found["days_since_response"] = pd.array(
        days_before(SnapshotDay.of(as_of).reference(today), found["last_response_on"]), dtype="Int64")
    return found.drop(columns=["final_value", "stage_rated"])


def delivery_scores(found, opinion):
    """``found`` (a DataFrame, or a dict of numpy arrays, with ``responses, quality_sum,
    completeness_sum, coverage`` of a stage) plus ``mean_quality, mean_completeness,
    response_score`` and ``gap`` (response score - ``opinion``, rounded to 2 decimals)."""
    found["mean_quality"] = scores.mean_rating(found["quality_sum"], found["responses"])
    found["mean_completeness"] = scores.mean_rating(found["completeness_sum"], found["responses"])
    found["response_score"] = scores.response_score(found["coverage"], found["mean_quality"],
                                                     found["mean_completeness"])
    found["gap"] = scores.self_assessment_gap(found["response_score"], opinion)
    return found


@dataclass
class Journey:
    """One customer's story up to ``as_of``."""

    customer: dict
    contacts: pd.DataFrame
    stage_entries: pd.DataFrame
    current_stage: str | None
    final_opinion: int | None
    stages: pd.DataFrame      # one row per stage: reached, entered_on, scores, opinion, gap
    checklist: pd.DataFrame   # one row per item: stage, label, done, times, first_on, last_on
    responses: pd.DataFrame
    opinions: pd.DataFrame


def journey(db, customer_id: int, as_of=None) -> Journey | None:
    """Everything about one customer (``None`` if there is no such customer)."""
    customer = queries.customer(db, customer_id)
    if customer is None:
        return None
    day = SnapshotDay.of(as_of).bound
    entries = queries.stage_entries(db, customer_id, day)
    current = entries["stage"].iloc[-1] if len(entries) else None
    # One statement for the three stages (a stage has scores when it has a response or a
    # rated opinion), computed on arrays of three values instead of a merged DataFrame.
    raw = queries.customer_stages(db, customer_id, day, STAGES)
    figures = {column: np.array([np.nan if row[column] is None else row[column] for row in raw], dtype=float)
               for column in ("responses", "quality_sum", "completeness_sum", "items_covered", "items_total",
                              "opinion")}
    figures["coverage"] = scores.coverage(figures["items_covered"], figures["items_total"])
    delivery_scores(figures, figures["opinion"])
    scored = np.array([row["delivered"] == 1 or row["opinion"] is not None for row in raw])
    reached = np.array([row["stage"] in scores.reached_stages(current) for row in raw])
    stages = pd.DataFrame({"stage": STAGES, "reached": reached,
                           "entered_on": [np.nan if row["entered_on"] is None else row["entered_on"] for row in raw],
                           "responses": np.where(scored, np.nan_to_num(figures["responses"]), 0).astype(int),
                           **{column: np.where(scored, figures[column], np.nan) for column in (
                               "mean_quality", "mean_completeness", "coverage", "response_score")},
                           "opinion": pd.array([int(v) if keep else None for v, keep in zip(
                               figures["opinion"], scored & reached & ~np.isnan(figures["opinion"]))], dtype="Int64"),
                           "gap": np.where(scored, figures["gap"], np.nan)})
    latest = {row.stage: int(row.opinion) for row in stages.itertuples() if not pd.isna(row.opinion)}
    checklist = queries.customer_checklist(db, customer_id, day)
    checklist["times"] = checklist["times"].fillna(0).astype(int)
    checklist["done"] = checklist["times"] > 0
    return Journey(
        customer=customer,
        contacts=queries.contacts(db, customer_id),
        stage_entries=entries,
        current_stage=current,
        final_opinion=scores.final_opinion(latest, current),
        stages=stages,
        checklist=checklist,
        responses=queries.responses(db, customer_id, day),
        opinions=queries.opinions(db, customer_id, day),
    )


def score_history(journey: Journey) -> pd.DataFrame:
    """How one customer's stages evolved: ``stage, day, measure, value`` with
    ``measure`` either ``response_score`` (our delivery at that stage as of each
    response day: coverage, mean quality and completeness of the responses so
    far, ``scores.response_score``) or ``opinion`` (each recorded opinion).
    Both on the -2..+2 scale, so a chart can set them side by side."""
    items_total = journey.checklist["stage"].value_counts().to_dict()
    # One point per stage, measure and day: the state at the end of that day, so a later
    # row of the same day replaces an earlier one. Plain loops: a customer has a few
    # hundred rows at most, and pandas per-row work cost more than the sums.
    points: dict[tuple[str, str, str], float] = {}
    seen: dict[str, set[str]] = {}
    sums: dict[str, list[int]] = {}
    given = journey.responses
    for stage, day, items, quality, completeness in zip(given["stage"], given["responded_on"], given["items"],
                                                        given["quality"], given["completeness"]):
        seen.setdefault(stage, set()).update(items)
        count, quality_sum, completeness_sum = sums.setdefault(stage, [0, 0, 0])
        sums[stage] = [count + 1, quality_sum + quality, completeness_sum + completeness]
        covered = scores.coverage(len(seen[stage]), int(items_total.get(stage, 0)))
        points[(stage, day, "response_score")] = scores.response_score(
            covered, sums[stage][1] / sums[stage][0], sums[stage][2] / sums[stage][0])
    for stage, day, score in zip(journey.opinions["stage"], journey.opinions["opinion_on"], journey.opinions["score"]):
        points[(stage, day, "opinion")] = float(score)
    return pd.DataFrame([(*key, points[key]) for key in sorted(points)], columns=["stage", "day", "measure", "value"])


def change_log(db, customer_id: int | None = None, limit: int = 200) -> pd.DataFrame:
    """The newest ``limit`` audit rows (of one customer when given), newest first:
    ``change_id, at, author, action, entity, entity_id, fields`` (the names of the
    fields that differ between before and after; all of them for a create or
    delete), ``undone`` (a later undo reverted it)."""
    trail = history_rows(db, customer_id)
    if trail.empty:
        return trail.assign(fields=[], undone=[])
    undone = set(trail["undoes"].dropna().astype(int))
    trail = trail.iloc[::-1].head(limit).copy()

    def fields(before, after) -> list[str]:
        old, new = (json.loads(before) if isinstance(before, str) else {}), \
            (json.loads(after) if isinstance(after, str) else {})
        return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k) and k != "id")

    trail["fields"] = [fields(b, a) for b, a in zip(trail["before"], trail["after"])]
    trail["undone"] = trail["change_id"].isin(undone)
    columns = ["change_id", "at", "author", "action", "entity", "entity_id", "fields", "undone"]
    return trail[columns].reset_index(drop=True)


def checklist_coverage(db, stage: str, as_of=None, filters: dict | None = None) -> pd.DataFrame:
    """Customer x checklist item for every customer that had reached ``stage``:
    ``customer_id, name, sector, region, account_manager, stage`` (current),
    ``item_key, label, first_on, last_on, times, done``; customers by name, items in
    checklist order."""
    day = SnapshotDay.of(as_of).bound
    return coverage_grid(db, queries.stage_customers(db, day, stages_from(stage), filters), stage, day)


def stages_from(stage: str) -> tuple[str, ...]:
    """``stage`` and the stages after it: a customer now in one of them has reached ``stage``."""
    return STAGES[STAGE_POSITION[stage]:]


def coverage_grid(db, customers: pd.DataFrame, stage: str, day: str) -> pd.DataFrame:
    """``customers`` (profile rows, ``customer_id`` first) x the active checklist items of
    ``stage``, with each item's ``first_on, last_on, times`` up to ``day`` and ``done``.

    The grid is laid out with numpy (customer ``r``, item ``k`` at row ``r * items + k``)
    and the addressed items are written into it, instead of a cross merge and a merge."""
    items = queries.checklist_items(db)
    items = items[items["stage"] == stage]
    width = len(items)
    grid = customers.iloc[np.repeat(np.arange(len(customers)), width)].reset_index(drop=True)
    each_item = np.tile(np.arange(width), len(customers))
    for name, column in (("item_key", "key"), ("label", "label")):
        grid[name] = pd.array(items[column].to_numpy(), dtype="str").take(each_item)
    covered = queries.item_coverage(db, stage, day, None if len(customers) > 100 else list(customers["customer_id"]))
    row = pd.Index(customers["customer_id"]).get_indexer(covered["customer_id"])
    column = pd.Index(items["key"]).get_indexer(covered["item_key"])
    kept = np.flatnonzero((row >= 0) & (column >= 0))
    # the covered row of each grid row, -1 where the item was not addressed
    source = np.full(len(grid), -1)
    source[row[kept] * width + column[kept]] = kept
    for name in ("first_on", "last_on"):
        grid[name] = pd.array(covered[name].to_numpy(), dtype="str").take(source, allow_fill=True)
    times = np.append(covered["times"].to_numpy(dtype=int), 0)[source]   # -1 picks the appended 0
    grid["times"] = times
    grid["done"] = times > 0
    return grid


def opinion_trend(db, as_of=None, by: str | None = None, customer_id: int | None = None,
                  filters: dict | None = None) -> pd.DataFrame:
    """Monthly opinion at each month's end: ``month, group, mean, std, rated, total``.

    ``by=None`` gives the final opinion of the portfolio (group ``all``);
    ``by="stage"`` the opinion of each stage; ``by`` = ``sector``, ``region`` or
    ``account_manager`` the final opinion per group. ``customer_id`` narrows to
    one customer (then ``mean`` is that customer's opinion)."""
    series = STAGES if by == "stage" else ("final",)
    sums = queries.opinion_step_sums(db, series, SnapshotDay.of(as_of).bound, by if by != "stage" else None,
                                     customer_id, filters)
    columns = ["month", "group", "mean", "std", "rated", "total"]
    if sums.empty:
        return pd.DataFrame(columns=columns)
    sums["group"] = sums["series"] if by == "stage" else (sums["grp"] if by else "all")
    sums["group"] = sums["group"].fillna("(none)")
    first = pd.Period(sums["month"].min(), "M")
    last = pd.Period(SnapshotDay.of(as_of).reference().isoformat()[:7], "M")
    months = pd.period_range(first, max(first, last), freq="M").strftime("%Y-%m")
    monthly = sums.groupby(["group", "month"])[["value", "square", "rated"]].sum()
    full = pd.MultiIndex.from_product([monthly.index.levels[0], months], names=["group", "month"])
    cumulative = monthly.reindex(full, fill_value=0).groupby(level="group").cumsum().reset_index()
    rated = cumulative["rated"].where(cumulative["rated"] > 0)
    cumulative["mean"] = (cumulative["value"] / rated).round(3)
    variance = (cumulative["square"] / rated - (cumulative["value"] / rated) ** 2).clip(lower=0)
    cumulative["std"] = np.sqrt(variance).round(3)
    cumulative["total"] = cumulative["value"]
    return cumulative[columns][cumulative["rated"] > 0].reset_index(drop=True)


def with_rating_means(frame: pd.DataFrame) -> pd.DataFrame:
    frame["mean_quality"] = scores.mean_rating(frame["quality_sum"], frame["responses"]).round(2)
    frame["mean_completeness"] = scores.mean_rating(frame["completeness_sum"], frame["responses"]).round(2)
    return frame.drop(columns=["quality_sum", "completeness_sum"])


def quality_by_stage_mode(db, as_of=None, since=None) -> pd.DataFrame:
    """Stage x mode: ``responses, mean_quality, mean_completeness`` for responses in
    the months from ``since`` (a date; whole months) up to ``as_of``."""
    monthly = queries.mode_month(db, SnapshotDay.of(as_of).bound)
    if since is not None:
        monthly = monthly[monthly["month"] >= parse_date("since", since).isoformat()[:7]]
    grouped = monthly.groupby(["stage", "mode"], as_index=False)[
        ["responses", "quality_sum", "completeness_sum"]].sum()
    return with_rating_means(grouped)


def has_customers(db) -> bool:
    """Whether there is any customer."""
    return queries.has_customers(db)


def customer_names(db) -> pd.DataFrame:
    """``customer_id, name`` of every customer, by name."""
    return queries.customer_names(db)


def filter_values(db) -> dict[str, list[str]]:
    """Distinct ``sector``, ``region`` and ``account_manager`` values."""
    return queries.filter_values(db)


def checklist_items(db) -> pd.DataFrame:
    """The active checklist items: ``key, stage, position, label``."""
    return queries.checklist_items(db)


def last_mode(db, author: str | None) -> str | None:
    """The mode ``author`` used last, to pre-select it in the next entry (None if unknown)."""
    return queries.last_mode(db, author) if author else None
