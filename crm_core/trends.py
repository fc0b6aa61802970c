"""How opinion moved: the customers whose final opinion changed most over a period, and
whether we rate our own delivery higher than our customers rate us (the self-assessment
trend). Takes an open database and an optional ``as_of``; returns DataFrames; the
formulas stay in ``scores``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import scores
from .catalogue import STAGE_POSITION, STAGES
from .i18n import N_
from .snapshot import SnapshotDay
from .storage import period_queries, queries
from .validation import ValidationError

DEFAULT_PERIOD_DAYS = 180


def period_start(as_of=None, period_days: int = DEFAULT_PERIOD_DAYS, today: dt.date | None = None) -> dt.date:
    """The first day of a period of ``period_days`` days ending on ``as_of`` (or today)."""
    return SnapshotDay.of(as_of).reference(today) - dt.timedelta(days=int(period_days))


def final_opinion_sums(db, as_of=None, period_days: int = DEFAULT_PERIOD_DAYS,
                       today: dt.date | None = None) -> pd.DataFrame:
    """Per customer with a final opinion by ``as_of``: ``customer_id, start_value,
    start_rated, end_value, end_rated`` (the final opinion and its rated flag, 1 or 0,
    at the period's start and at ``as_of``; values count only when rated) and
    ``change`` (end - start; NaN unless rated at both ends and different)."""
    if int(period_days) < 1:
        raise ValidationError("period_days", N_("the period must be at least one day"))
    sums = period_queries.final_opinion_at_two_dates(
        db, period_start(as_of, period_days, today).isoformat(), SnapshotDay.of(as_of).bound)
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
    end = SnapshotDay.of(as_of).bound
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
    day = SnapshotDay.of(as_of).bound
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
    last = pd.Period(SnapshotDay.of(as_of).reference().isoformat()[:7], "M")
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
    found["mean_quality"] = scores.mean_rating(found["quality_sum"], found["responses"])
    found["mean_completeness"] = scores.mean_rating(found["completeness_sum"], found["responses"])
    found["response_score"] = scores.response_score(found["mean_coverage"], found["mean_quality"],
                                                    found["mean_completeness"])
    found["opinion"] = (found["value"] / found["rated"].where(found["rated"] > 0)).round(3)
    found["gap"] = scores.self_assessment_gap(found["response_score"], found["opinion"])
    found = found[found["response_score"].notna() | found["opinion"].notna()]
    found = found.astype({"customers": int, "rated": int})
    return found.sort_values(["month", "stage"], key=lambda col: col.map(STAGE_POSITION)
                             if col.name == "stage" else col)[columns].reset_index(drop=True)
