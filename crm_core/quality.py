"""How good our responses are per mode of communication: mean quality and completeness
over the recent months, their monthly trend, and the weakest responses. Takes an open
database and an optional ``as_of``; returns DataFrames.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .catalogue import MODES, STAGES
from .reads import with_rating_means
from .snapshot import SnapshotDay
from .storage import period_queries, queries
from .validation import check_stage, parse_date

RECENT_MONTHS = 3


def default_since(as_of=None, today: dt.date | None = None) -> dt.date:
    """The first day of the month ``RECENT_MONTHS - 1`` months before ``as_of``'s month:
    "recent" = the last three calendar months, the current one included."""
    day = SnapshotDay.of(as_of).reference(today)
    month = pd.Period(day, "M") - (RECENT_MONTHS - 1)
    return month.start_time.date()


def _since_month(as_of, since, today) -> str:
    return (parse_date("since", since) if since is not None else default_since(as_of, today)).isoformat()[:7]


def _monthly_ratings(db, as_of, stage: str | None) -> pd.DataFrame:
    check_stage(stage)
    monthly = queries.mode_month(db, SnapshotDay.of(as_of).bound)
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
    grouped = with_rating_means(grouped.astype({"responses": float, "quality_sum": float,
                                            "completeness_sum": float}))
    return grouped.astype({"responses": int})


def quality_trend(db, as_of=None, stage: str | None = None) -> pd.DataFrame:
    """Per month and mode: ``responses, mean_quality, mean_completeness`` in ``stage``
    (``None``: every stage)."""
    monthly = _monthly_ratings(db, as_of, stage)
    grouped = monthly.groupby(["month", "mode"], as_index=False)[
        ["responses", "quality_sum", "completeness_sum"]].sum()
    return with_rating_means(grouped)


def weakest_responses(db, as_of=None, since=None, stage: str | None = None, limit: int = 20,
                      today: dt.date | None = None) -> pd.DataFrame:
    """The ``limit`` lowest-rated responses (quality + completeness; newest first among
    equals) from the first day of ``since``'s month (default ``default_since``) up
    to ``as_of``, in ``stage`` or every stage: ``id, customer_id, name, stage, mode,
    responded_on, quality, completeness, summary, author``."""
    check_stage(stage)
    since_day = f"{_since_month(as_of, since, today)}-01"
    stages = (stage,) if stage is not None else STAGES
    return period_queries.weakest_responses(db, since_day, SnapshotDay.of(as_of).bound, stages, MODES, int(limit))
