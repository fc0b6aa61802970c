"""The portfolio at a glance: key figures over a period and the customers at risk.

A customer is **at risk** when at least one of these holds at ``as_of``:

* ``negative_opinion`` — the final opinion is in the negative band
  (``scores.opinion_band``, −6 … −1);
* ``falling_opinion`` — the final opinion fell over the period (it was rated
  at the period's start and is lower now);
* ``missing_responses`` — in the current stage, less than
  ``MIN_COVERAGE`` of the expected checklist items were given, after at
  least ``GRACE_DAYS`` in that stage;
* ``silent`` — no response for ``SILENT_DAYS`` days or more (or never, once
  the customer is ``GRACE_DAYS`` old);
* ``overrated`` — the self-assessment gap of the current stage (response
  score − opinion) is ``OVERRATED_GAP`` or more: we think we did well, the
  customer does not;
* ``service_breach`` — an open service case has a running clock past its
  target (see ``service``);
* ``broken_promise`` — a promise was broken during the period, or an open
  promise is past its due date (see ``promises``);
* ``overdue_follow_up`` — at least one follow-up of the advice "give next" is
  overdue (see ``followups``): made on or before ``as_of``, not closed by its
  end, and due before it (live: before today). However many are overdue, it is
  one sign: one point of severity per customer.

Each customer at risk has one **severity**, the sum of three visible parts::

    severity = depth + fall + signals
    depth    = −final opinion when it is negative, else 0     (0 … 6)
    fall     = points the final opinion fell over the period  (0 … 12)
    signals  = 1 per other reason that holds                  (0 … 6)

so the customer's own verdict (how low, how fast it drops) outweighs any one
of our warning signs: a customer at −6 starts at 6 points, one at −1 at 1 and
ranks above it only after a fall of several points or many signs. The list is
sorted by severity, then by the fall, then by silence. **Act now** when the
severity is ``ACT_NOW`` or more (the short list for this week); the others are
to **watch**.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import followups, promises, scores, service
from .catalogue import STAGES
from .trends import final_opinion_sums, period_start
from .reads import delivery_scores, portfolio
from .storage import queries
from .snapshot import SnapshotDay, days_before

MIN_COVERAGE = 0.5
GRACE_DAYS = 30
SILENT_DAYS = 60
OVERRATED_GAP = 1.5
# The reasons that count one point each in ``signals``; the other two are measured in ``depth`` and ``fall``.
SIGNALS = ("missing_responses", "silent", "overrated", "service_breach", "broken_promise", "overdue_follow_up")
REASONS = ("negative_opinion", "falling_opinion", *SIGNALS)
# Act now from 5: the worst opinion alone (−6), or a negative opinion that also fell or shows signs
# (−3 that fell a point with one sign). On the demo portfolio that is 5 to 9 of its 48 customers.
ACT_NOW = 5
# The signs of the relationship beyond responses: live, the writes keep what they need.
_KEPT_SIGNS = ("service_breach", "broken_promise", "overdue_follow_up")
PERIODS = (30, 90, 180, 365)
DEFAULT_PERIOD = 90


@dataclass
class Overview:
    """Key figures of the portfolio at ``as_of`` compared with the period's start."""

    customers: int
    per_stage: dict[str, int]           # stage -> customers now in it (every stage present)
    mean_final_opinion: float | None    # over rated customers; None when nobody is rated
    mean_final_opinion_start: float | None
    rated: int
    mean_coverage: float | None         # coverage of the current stage, averaged over customers
    at_risk: int                        # customers to act on now (severity >= ACT_NOW)
    to_watch: int                       # the other customers at risk
    opinion_counts: pd.DataFrame        # final_opinion (-6..6), customers; only rated customers
    period_start: dt.date

    @property
    def opinion_change(self) -> float | None:
        if self.mean_final_opinion is None or self.mean_final_opinion_start is None:
            return None
        return self.mean_final_opinion - self.mean_final_opinion_start


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.astype(float).mean()) if len(values) else None


def at_risk(db, as_of=None, period_days: int = DEFAULT_PERIOD, filters: dict | None = None,
            today: dt.date | None = None) -> pd.DataFrame:
    """Customers at risk (see the module docstring), most at risk first:
    ``customer_id, name, sector, region, account_manager, stage, final_opinion,
    opinion_change`` (over the period; NA when not rated at both ends),
    ``coverage, items_missing, days_in_stage, days_since_response, gap,
    reasons`` (tuple of ``REASONS`` codes) ``, depth, fall, signals, severity``
    (see ``severity``) ``, act_now`` (bool)."""
    return at_risk_among(db, portfolio(db, as_of, filters, today), as_of, period_days, today)


def at_risk_among(db, found: pd.DataFrame, as_of=None, period_days: int = DEFAULT_PERIOD,
                  today: dt.date | None = None) -> pd.DataFrame:
    """``at_risk`` of the ``portfolio`` rows ``found`` (read once by a caller that needs them
    too, as the customer list does), in the same columns and order."""
    return _at_risk(db, found, final_opinion_sums(db, as_of, period_days, today), as_of, period_days, today)


# The columns of ``at_risk``, in order.
_COLUMNS = ["customer_id", "name", "sector", "region", "account_manager", "stage", "final_opinion", "opinion_change",
            "coverage", "items_missing", "days_in_stage", "days_since_response", "gap", "reasons", "depth", "fall",
            "signals", "severity", "act_now"]


def _at_risk(db, found: pd.DataFrame, finals: pd.DataFrame, as_of, period_days, today) -> pd.DataFrame:
    """``at_risk`` of the ``portfolio`` rows ``found``, given ``final_opinion_sums`` (``finals``).
    Computed on one numpy array per column and turned into a DataFrame only for the customers
    at risk: column by column in pandas it cost 40 ms at 10,000 customers, on every view after
    any save."""
    if found.empty:
        return pd.DataFrame(columns=_COLUMNS)
    day = SnapshotDay.of(as_of).reference(today)
    ids = found["customer_id"].to_numpy()
    signs = _signs(db, as_of, period_days, today)
    at = pd.Index(signs["customer_id"]).get_indexer(ids)

    def sign(column: str, missing) -> np.ndarray:
        return _aligned(signs[column].to_numpy(), at, missing)

    change = _aligned(finals["change"].to_numpy(dtype=float), pd.Index(finals["customer_id"]).get_indexer(ids),
                      np.nan)
    coverage = found["coverage"].to_numpy(dtype=float)
    delivery = delivery_scores({"responses": sign("responses", np.nan).astype(float),
                                "quality_sum": sign("quality_sum", np.nan).astype(float),
                                "completeness_sum": sign("completeness_sum", np.nan).astype(float),
                                "coverage": coverage},
                               found["stage_opinion"].to_numpy(dtype=float, na_value=np.nan))
    in_stage = _aligned(days_before(day, signs["entered_on"]), at, np.nan)
    age = days_before(day, found["created_on"])
    silence = found["days_since_response"].to_numpy(dtype=float, na_value=np.nan)
    # One column per sign of SIGNALS, in its order.
    signals = np.column_stack([
        (np.nan_to_num(coverage) < MIN_COVERAGE) & (np.nan_to_num(in_stage) >= GRACE_DAYS),
        (np.nan_to_num(np.where(np.isnan(silence), age, silence)) >= SILENT_DAYS) & (age >= GRACE_DAYS),
        np.nan_to_num(delivery["gap"], nan=-99) >= OVERRATED_GAP,
        *(sign(name, False).astype(bool) for name in _KEPT_SIGNS),
    ])
    parts = severity(found["final_opinion"], change, signals)
    # One column per reason of REASONS: a negative opinion is the one that has depth.
    flags = np.column_stack([parts["depth"] > 0, np.nan_to_num(change) < 0, signals])
    # Most at risk first (severity, then the fall, then silence, then name), a missing value last;
    # a stable sort keeps the portfolio's order (name, id) among equals.
    risky = np.flatnonzero(flags.any(axis=1))
    order = risky[np.lexsort((found["name"].to_numpy()[risky],
                              -np.nan_to_num(silence[risky], nan=-np.inf),
                              np.nan_to_num(change[risky], nan=np.inf),
                              -parts["severity"][risky]))]
    # Each row's reasons as one number (a bit per reason), spelled once per distinct number.
    codes = flags[order] @ (1 << np.arange(len(REASONS)))
    spelled = {code: tuple(r for bit, r in enumerate(REASONS) if code >> bit & 1) for code in set(codes.tolist())}
    shown = found[["customer_id", "name", "sector", "region", "account_manager", "stage", "final_opinion",
                   "coverage", "days_since_response"]].take(order).reset_index(drop=True)
    missing = (found["items_total"] - found["items_covered"]).to_numpy(dtype=float, na_value=np.nan)
    return shown.assign(
        opinion_change=pd.array(change[order], dtype="Int64"),
        items_missing=np.nan_to_num(missing[order]).astype(int),
        # Whole days, as a column of them would be: integers unless a customer has no stage entry.
        days_in_stage=in_stage[order] if np.isnan(in_stage).any() else in_stage[order].astype(np.int64),
        gap=delivery["gap"][order],
        reasons=[spelled[code] for code in codes.tolist()],
        **{name: values[order] for name, values in parts.items()},
        act_now=parts["severity"][order] >= ACT_NOW,
    )[_COLUMNS]


def _aligned(values: np.ndarray, at: np.ndarray, missing) -> np.ndarray:
    """``values`` taken at the positions ``at`` (``Index.get_indexer``), ``missing`` where
    that is -1: the column of a left join."""
    return np.where(at >= 0, values[np.maximum(at, 0)], missing) if len(values) else np.full(len(at), missing)


def _signs(db, as_of, period_days: int, today: dt.date | None) -> pd.DataFrame:
    """Per customer existing at ``as_of``: ``customer_id, entered_on`` (its current stage's
    entry day), that stage's ``responses, quality_sum, completeness_sum`` and the signs of
    ``_KEPT_SIGNS`` (bool). Live, one read of what writes keep (``risk_summary``) compared
    with the moment; a past day recomputes them from the base rows."""
    since = period_start(as_of, period_days, today)
    if not SnapshotDay.of(as_of).is_live:
        return _recomputed_signs(db, as_of, since, today)
    found = queries.live_risk_rows(db)
    moment = service.reference_moment().isoformat(timespec="microseconds")
    day = SnapshotDay.of(as_of).reference(today).isoformat()
    # ISO texts compare as the moments and days they spell; a missing one is no sign.
    return found.assign(
        service_breach=found["breach_at"].fillna(moment) < moment,
        broken_promise=(found["broken_on"].notna() & (found["broken_on"].fillna("") >= since.isoformat()))
        | (found["promise_due_on"].fillna(day) < day),
        overdue_follow_up=found["follow_up_due_on"].fillna(day) < day,
    ).drop(columns=["breach_at", "promise_due_on", "broken_on", "follow_up_due_on"])


def _recomputed_signs(db, as_of, since: dt.date, today: dt.date | None) -> pd.DataFrame:
    """``_signs`` recomputed from the base rows at ``as_of`` (live too), with promises
    broken from ``since`` on: each open case's clocks, every promise and follow-up."""
    # The gap of the current stage only: its ratings in one statement instead of every stage's scores.
    found = queries.current_stage_delivery(db, SnapshotDay.of(as_of).bound)
    return found.assign(
        service_breach=found["customer_id"].isin(service.customers_in_breach(db, as_of)),
        broken_promise=found["customer_id"].isin(promises.customers_with_broken_promises(
            db, as_of, since=since, today=today)),
        overdue_follow_up=found["customer_id"].isin(followups.customers_with_overdue_follow_ups(db, as_of, today)))


def severity(final_opinion: pd.Series, opinion_change, signals) -> dict[str, np.ndarray]:
    """The severity of each customer and its parts (see the module docstring), from the final
    opinion (a Series) and its change over the period (aligned: a Series or an array, NA when
    unknown) and the signals (a DataFrame or a 2-D array of one boolean column per signal):
    ``{"depth", "fall", "signals", "severity"}``, integer arrays."""
    opinion = final_opinion.to_numpy(dtype=float, na_value=np.nan)
    depth = np.where(scores.opinion_band(final_opinion).to_numpy() == "negative", -opinion, 0).astype(int)
    change = np.asarray(pd.array(opinion_change, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    fall = np.nan_to_num(np.clip(-change, 0, None)).astype(int)
    count = np.asarray(signals, dtype=int).sum(axis=1)
    return {"depth": depth, "fall": fall, "signals": count, "severity": depth + fall + count}


def overview(db, as_of=None, period_days: int = DEFAULT_PERIOD, filters: dict | None = None,
             today: dt.date | None = None) -> tuple[Overview, pd.DataFrame]:
    """The key figures (``Overview``) and the at-risk list (as ``at_risk``) in one
    pass over the portfolio."""
    start = period_start(as_of, period_days, today)
    now = portfolio(db, as_of, filters, today)
    # The final opinion at the period's start comes from the same sums as the change,
    # instead of a second portfolio at that day.
    finals = final_opinion_sums(db, as_of, period_days, today)
    risky = _at_risk(db, now, finals, as_of, period_days, today)
    existing = now.loc[now["created_on"] <= start.isoformat(), "customer_id"]
    then = finals.loc[finals["customer_id"].isin(existing) & (finals["start_rated"] > 0), "start_value"]
    rated = now["final_opinion"].dropna()
    counts = (rated.astype(int).value_counts().rename_axis("final_opinion").reset_index(name="customers")
              .sort_values("final_opinion").reset_index(drop=True))
    figures = Overview(
        customers=len(now),
        per_stage={stage: int((now["stage"] == stage).sum()) for stage in STAGES},
        mean_final_opinion=_mean(now["final_opinion"]),
        mean_final_opinion_start=_mean(then),
        rated=len(rated),
        mean_coverage=_mean(now["coverage"]),
        at_risk=int(risky["act_now"].sum()),
        to_watch=len(risky) - int(risky["act_now"].sum()),
        opinion_counts=counts,
        period_start=start,
    )
    return figures, risky
