"""Portfolio analyses behind the gaps, trends and quality pages: which checklist
items we keep failing to give, who moved most, whether we rate ourselves higher
than our customers do, and how each mode of communication performs.

Like ``reads``, every function takes an open database and an optional
``as_of`` (``None`` = now) and returns DataFrames; the formulas themselves
stay in ``scores``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import scores
from .catalogue import MODES, STAGE_POSITION, STAGES
from .i18n import N_
from .reads import _rating_means, as_of_text, coverage_grid, reference_day, stages_from
from .storage import period_queries, queries
from .validation import ValidationError, parse_date

DEFAULT_PERIOD_DAYS = 180
RECENT_MONTHS = 3


def _check_stage(stage: str | None, allow_none: bool = True) -> None:
    if stage is None and allow_none:
        return
    if stage not in STAGE_POSITION:
        raise ValidationError("stage", N_("unknown stage {stage!r}"), stage=stage)


# --- checklist gaps --------------------------------------------------------------------

@dataclass
class ChecklistGaps:
    """What we keep failing to give at one stage (see ``checklist_gaps``)."""

    stage: str
    customers_total: int       # customers that had reached the stage
    customers_with_gaps: int   # of those, customers missing at least one item
    items: pd.DataFrame        # one row per item: item_key, label, missing, customers, missing_share
    customers: pd.DataFrame    # one row per customer, most gaps first
    cells: pd.DataFrame        # customer x item of the ``top`` customers with most gaps (gaps > 0)


def checklist_gaps(db, stage: str, as_of=None, filters: dict | None = None, top: int = 40) -> ChecklistGaps:
    """Checklist gaps at ``stage`` over the customers that had reached it (``checklist_coverage``).

    * ``items``: ``item_key, label, missing`` (customers without it), ``customers``,
      ``missing_share`` (0..1); most often missing first, then checklist order.
    * ``customers``: ``customer_id, name, sector, region, account_manager, stage``
      (current), ``missing, items_total, last_on`` (last day any item of the stage
      was addressed); most gaps first, then by name.
    * ``cells``: the ``checklist_coverage`` rows of the ``top`` first customers with at
      least one gap, with ``rank`` (their position in ``customers``)."""
    _check_stage(stage, allow_none=False)
    day = as_of_text(as_of)
    checklist = queries.checklist_items(db)
    checklist = checklist[checklist["stage"] == stage]
    keys = list(checklist["key"])
    found = queries.stage_gaps(db, stage, day, stages_from(stage), keys, filters)
    # Without an item the coverage grid has no row, so nobody counts as having reached the stage.
    customers = found.iloc[:0] if not keys else found
    # customer x item: 1 where addressed, from the bit mask of each customer
    given = (customers["addressed"].fillna(0).astype(np.int64).to_numpy()[:, None] >> np.arange(len(keys))) & 1
    items = pd.DataFrame({"item_key": checklist["key"].to_numpy(), "label": checklist["label"].to_numpy(),
                          "missing": len(customers) - given.sum(axis=0), "customers": len(customers)})
    items = items.iloc[:0] if customers.empty else items
    items["missing_share"] = items["missing"] / items["customers"].where(items["customers"] > 0)
    items["position"] = range(len(items))
    items = items.sort_values(["missing", "position"], ascending=[False, True]).drop(columns="position")
    customers = customers.drop(columns="addressed").assign(missing=len(keys) - given.sum(axis=1),
                                                           items_total=len(keys))
    customers = customers[["customer_id", "name", "sector", "region", "account_manager", "stage", "missing",
                           "items_total", "last_on"]]
    customers = customers.sort_values(["missing", "name", "customer_id"], ascending=[False, True, True])
    customers = customers.reset_index(drop=True)
    worst = customers[customers["missing"] > 0].head(top)
    cells = coverage_grid(db, worst.drop(columns=["missing", "items_total", "last_on"]), stage, day)
    cells["rank"] = np.repeat(worst.index.to_numpy(), len(keys))
    return ChecklistGaps(stage=stage, customers_total=len(customers),
                         customers_with_gaps=int((customers["missing"] > 0).sum()), items=items.reset_index(drop=True),
                         customers=customers, cells=cells.sort_values(["rank", "item_key"]).reset_index(drop=True))


# --- biggest movers ----------------------------------------------------------------------

def period_start(as_of=None, period_days: int = DEFAULT_PERIOD_DAYS, today: dt.date | None = None) -> dt.date:
    """The first day of a period of ``period_days`` days ending on ``as_of`` (or today)."""
    return reference_day(as_of, today) - dt.timedelta(days=int(period_days))


def final_opinion_sums(db, as_of=None, period_days: int = DEFAULT_PERIOD_DAYS,
                       today: dt.date | None = None) -> pd.DataFrame:
    """Per customer with a final opinion by ``as_of``: ``customer_id, start_value,
    start_rated, end_value, end_rated`` (the final opinion and its rated flag, 1 or 0,
    at the period's start and at ``as_of``; values count only when rated) and
    ``change`` (end - start; NaN unless rated at both ends and different)."""
    if int(period_days) < 1:
        raise ValidationError("period_days", N_("the period must be at least one day"))
    sums = period_queries.final_opinion_at_two_dates(
        db, period_start(as_of, period_days, today).isoformat(), as_of_text(as_of))
    moved = (sums["start_rated"] > 0) & (sums["end_rated"] > 0) & (sums["start_value"] != sums["end_value"])
    sums["change"] = (sums["end_value"] - sums["start_value"]).where(moved)
    return sums


def biggest_movers(db, as_of=None, period_days: int = DEFAULT_PERIOD_DAYS, filters: dict | None = None,
                   limit: int | None = 10, today: dt.date | None = None) -> pd.DataFrame:
    """Customers whose final opinion changed most between the period's start
    (``period_start``) and ``as_of``: the same final opinion as
    ``portfolio(as_of=start)`` and ``portfolio(as_of=as_of)``, read from the
    opinion steps in one pass.

    Only customers rated on both days whose opinion changed: ``customer_id, name,
    sector, region, account_manager, stage_start, stage, opinion_start,
    opinion_end, change``; largest change first (falls before rises when equal),
    at most ``limit`` rows (``None``: all)."""
    start = period_start(as_of, period_days, today).isoformat()
    end = as_of_text(as_of)
    sums = final_opinion_sums(db, as_of, period_days, today)
    if filters:
        sums = sums[sums["customer_id"].isin(period_queries.customer_ids(db, filters)["customer_id"])]
    moved = sums[sums["change"].notna()].copy()
    moved["size"] = moved["change"].abs()
    moved = moved.sort_values(["size", "change", "customer_id"], ascending=[False, True, True])
    if limit is not None:
        moved = moved.head(limit)
    ids = [int(i) for i in moved["customer_id"]]
    profiles = period_queries.customer_profiles(db, ids, start, end)
    found = moved.merge(profiles, on="customer_id", how="left")
    found = found.rename(columns={"start_value": "opinion_start", "end_value": "opinion_end"})
    columns = ["customer_id", "name", "sector", "region", "account_manager", "stage_start", "stage",
               "opinion_start", "opinion_end", "change"]
    return found[columns].astype({"opinion_start": int, "opinion_end": int, "change": int}).reset_index(drop=True)


# --- self-assessment gap over time -----------------------------------------------------------

def _monthly_cumulative(frame: pd.DataFrame, columns: list[str], months: list[str]) -> pd.DataFrame:
    """Sum ``columns`` per stage and month (``day`` -> month), reindex to every stage x
    month, and accumulate over the months."""
    frame = frame.assign(month=frame["day"].str[:7]) if "day" in frame else frame
    monthly = frame.groupby(["stage", "month"])[columns].sum()
    full = pd.MultiIndex.from_product([list(STAGES), months], names=["stage", "month"])
    return monthly.reindex(full, fill_value=0).groupby(level="stage").cumsum()


def self_assessment_trend(db, as_of=None) -> pd.DataFrame:
    """Per stage and month (state at each month's end, or at ``as_of`` in its month):
    our response score against the customers' opinion of that stage.

    ``month, stage, customers`` (with a response in the stage), ``mean_coverage,
    mean_quality, mean_completeness, response_score, rated, opinion, gap``.

    * ``response_score`` = ``scores.response_score`` of the stage's pooled
      delivery: the mean checklist coverage of the customers with a response in
      the stage, and quality and completeness averaged over all the stage's
      responses so far.
    * ``opinion`` = mean stage opinion of the customers rated in that stage (the
      ``mean`` of ``opinion_trend(by="stage")``).
    * ``gap`` = response score - opinion (positive: we rate ourselves higher than
      our customers do). Missing when either side is missing.

    Reads the summary tables only, so it stays fast on large portfolios."""
    day = as_of_text(as_of)
    customers = period_queries.first_responses_by_day(db, day)
    items = period_queries.items_first_covered_by_day(db, day)
    ratings = queries.mode_month(db, day)
    opinions = period_queries.stage_opinion_steps_by_day(db, day)
    firsts = [f["day"].min() for f in (customers, items, opinions) if len(f)]
    firsts += [ratings["month"].min()] if len(ratings) else []
    columns = ["month", "stage", "customers", "mean_coverage", "mean_quality", "mean_completeness",
               "response_score", "rated", "opinion", "gap"]
    if not firsts:
        return pd.DataFrame(columns=columns)
    first = pd.Period(min(firsts)[:7], "M")
    last = pd.Period(reference_day(as_of).isoformat()[:7], "M")
    months = list(pd.period_range(first, max(first, last), freq="M").strftime("%Y-%m"))
    found = pd.concat([
        _monthly_cumulative(customers, ["customers"], months),
        _monthly_cumulative(items, ["items"], months),
        _monthly_cumulative(ratings, ["responses", "quality_sum", "completeness_sum"], months),
        _monthly_cumulative(opinions, ["value", "rated"], months),
    ], axis=1).reset_index()
    totals = found["stage"].map(period_queries.active_items_per_stage(db)).fillna(0)
    with_response = found["customers"].where(found["customers"] > 0)
    found["mean_coverage"] = scores.coverage(found["items"], (with_response * totals).fillna(0))
    responses = found["responses"].where(found["responses"] > 0)
    found["mean_quality"] = found["quality_sum"] / responses
    found["mean_completeness"] = found["completeness_sum"] / responses
    found["response_score"] = scores.response_score(found["mean_coverage"], found["mean_quality"],
                                                    found["mean_completeness"])
    found["opinion"] = (found["value"] / found["rated"].where(found["rated"] > 0)).round(3)
    found["gap"] = (found["response_score"] - found["opinion"]).round(2)
    found = found[found["response_score"].notna() | found["opinion"].notna()]
    found = found.astype({"customers": int, "rated": int})
    return found.sort_values(["month", "stage"], key=lambda col: col.map(STAGE_POSITION)
                             if col.name == "stage" else col)[columns].reset_index(drop=True)


# --- response quality by mode --------------------------------------------------------------------

def default_since(as_of=None, today: dt.date | None = None) -> dt.date:
    """The first day of the month ``RECENT_MONTHS - 1`` months before ``as_of``'s month:
    "recent" = the last three calendar months, the current one included."""
    day = reference_day(as_of, today)
    month = pd.Period(day, "M") - (RECENT_MONTHS - 1)
    return month.start_time.date()


def _since_month(as_of, since, today) -> str:
    return (parse_date("since", since) if since is not None else default_since(as_of, today)).isoformat()[:7]


def _monthly_ratings(db, as_of, stage: str | None) -> pd.DataFrame:
    _check_stage(stage)
    monthly = queries.mode_month(db, as_of_text(as_of))
    return monthly[monthly["stage"] == stage] if stage is not None else monthly


def quality_by_mode(db, as_of=None, since=None, stage: str | None = None,
                    today: dt.date | None = None) -> pd.DataFrame:
    """Per mode (every mode, in catalogue order): ``responses, mean_quality,
    mean_completeness`` of the responses in the months from ``since`` (default
    ``default_since``) up to ``as_of``, in ``stage`` or in every stage."""
    monthly = _monthly_ratings(db, as_of, stage)
    monthly = monthly[monthly["month"] >= _since_month(as_of, since, today)]
    grouped = monthly.groupby("mode")[["responses", "quality_sum", "completeness_sum"]].sum()
    grouped = grouped.reindex(list(MODES), fill_value=0).rename_axis("mode").reset_index()
    grouped = _rating_means(grouped.astype({"responses": float, "quality_sum": float,
                                            "completeness_sum": float}))
    return grouped.astype({"responses": int})


def quality_trend(db, as_of=None, stage: str | None = None) -> pd.DataFrame:
    """Per month and mode: ``responses, mean_quality, mean_completeness`` in ``stage``
    (``None``: every stage, the same as ``mode_trend``)."""
    monthly = _monthly_ratings(db, as_of, stage)
    grouped = monthly.groupby(["month", "mode"], as_index=False)[
        ["responses", "quality_sum", "completeness_sum"]].sum()
    return _rating_means(grouped)


def weakest_responses(db, as_of=None, since=None, stage: str | None = None, limit: int = 20,
                      today: dt.date | None = None) -> pd.DataFrame:
    """The ``limit`` lowest-rated responses (quality + completeness; newest first among
    equals) from the first day of ``since``'s month (default ``default_since``) up
    to ``as_of``, in ``stage`` or every stage: ``id, customer_id, name, stage, mode,
    responded_on, quality, completeness, summary, author``."""
    _check_stage(stage)
    since_day = f"{_since_month(as_of, since, today)}-01"
    stages = (stage,) if stage is not None else STAGES
    return period_queries.weakest_responses(db, since_day, as_of_text(as_of), stages, MODES, int(limit))
