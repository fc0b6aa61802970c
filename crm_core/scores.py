"""Every scoring formula of the product, in one place.

Scales
------
* Opinion of a stage: integer -2 (very negative) ... +2 (very positive),
  as recorded from the customer (meeting, survey, call...).
* Quality and completeness of a response: integer 1 ... 5.

Formulas
--------
``coverage(covered, total)``
    stage checklist coverage = items addressed at least once / items of the
    stage. ``None`` when the stage has no items.

``response_score(coverage, mean_quality, mean_completeness)``
    our own delivery at a stage, on the opinion scale::

        delivery = 0.5 * coverage
                 + 0.25 * (mean_quality - 1) / 4
                 + 0.25 * (mean_completeness - 1) / 4        (0 ... 1)
        response score = 4 * delivery - 2                     (-2 ... +2)

    Giving every expected response (coverage 1) with perfect ratings scores
    +2; giving nothing useful scores -2. ``None`` ("not rated") when the stage
    has no response.

``final_opinion(stage_opinions, current_stage)``
    final opinion = sum over the *reached* stages (up to and including the
    current stage) of the latest opinion of each stage: -6 ... +6. A reached
    stage without an opinion is "not rated" and adds nothing; when no reached
    stage is rated the final opinion itself is ``None``, never a silent 0.

``mean_rating(rating_sum, responses)``
    mean quality (or completeness) = sum of the ratings / number of responses.
    ``None`` when there is no response.

``self_assessment_gap(response_score, opinion)``
    gap = response score - opinion, rounded to 2 decimals. Positive: we think
    we did better than the customer does (the dangerous case). ``None`` when
    either side is missing.

``opinion_band(final_opinion)``
    the band of a final opinion (``catalogue.OPINION_BANDS``): its sign —
    negative -6 ... -1, neutral 0, positive +1 ... +6 — as the stage scale
    calls -1 negative and +1 positive; ``not_rated`` when there is none.

The functions accept plain numbers; all but ``final_opinion`` also accept
pandas Series and numpy arrays, so reads apply the very same formula to whole
columns.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from .catalogue import OPINION_BANDS, STAGE_POSITION, STAGES

COVERAGE_WEIGHT = 0.5
QUALITY_WEIGHT = 0.25
COMPLETENESS_WEIGHT = 0.25


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def coverage(covered, total):
    """Items addressed at least once / items of the stage.

    Takes numbers, aligned Series or numpy arrays; returns a float in 0..1, or
    ``None`` (NaN for Series and arrays) when ``total`` is 0.
    """
    if isinstance(covered, pd.Series) or isinstance(total, pd.Series):
        total = pd.Series(total, index=covered.index) if not isinstance(total, pd.Series) else total
        return covered.astype(float) / total.where(total > 0)
    if isinstance(covered, np.ndarray):
        return covered.astype(float) / np.where(total > 0, total, np.nan)
    if not total:
        return None
    return covered / total


def mean_rating(rating_sum, responses):
    """Mean quality (or completeness) of ``responses`` responses whose ratings sum to
    ``rating_sum``. Takes numbers, aligned Series or numpy arrays; returns a float, or
    ``None`` (NaN for Series and arrays) when there is no response."""
    if isinstance(responses, pd.Series):
        return rating_sum / responses.where(responses > 0)
    if isinstance(responses, np.ndarray):
        return rating_sum / np.where(responses > 0, responses, np.nan)
    if _missing(responses) or not responses:
        return None
    return rating_sum / responses


def response_score(coverage_value, mean_quality, mean_completeness):
    """Our delivery at a stage on the -2..+2 opinion scale (see module doc).

    Takes numbers, aligned Series or numpy arrays (a few rows are much cheaper
    as arrays); returns ``None`` (NaN for Series and arrays) when the stage had
    no response (mean quality missing).
    """
    if isinstance(mean_quality, (pd.Series, np.ndarray)):
        covered = coverage_value.fillna(0) if isinstance(coverage_value, pd.Series) \
            else np.where(np.isnan(coverage_value), 0.0, coverage_value)
        delivery = (
            COVERAGE_WEIGHT * covered
            + QUALITY_WEIGHT * (mean_quality - 1) / 4
            + COMPLETENESS_WEIGHT * (mean_completeness - 1) / 4
        )
        return (4 * delivery - 2).round(2)
    if _missing(mean_quality) or _missing(mean_completeness):
        return None
    delivery = (
        COVERAGE_WEIGHT * (coverage_value or 0)
        + QUALITY_WEIGHT * (mean_quality - 1) / 4
        + COMPLETENESS_WEIGHT * (mean_completeness - 1) / 4
    )
    return round(4 * delivery - 2, 2)


def reached_stages(current_stage: str | None) -> tuple[str, ...]:
    """The stages up to and including ``current_stage`` (none before a first entry)."""
    if current_stage is None:
        return ()
    return STAGES[: STAGE_POSITION[current_stage] + 1]


def final_opinion(stage_opinions: Mapping[str, int | None], current_stage: str | None):
    """Sum of the latest opinion of each reached stage.

    ``stage_opinions`` maps stage -> latest opinion (or ``None``). Returns an
    int in -6..+6, or ``None`` when no reached stage is rated.
    """
    rated = [
        stage_opinions[stage]
        for stage in reached_stages(current_stage)
        if stage_opinions.get(stage) is not None
    ]
    return sum(rated) if rated else None


def self_assessment_gap(score, opinion):
    """Response score minus opinion, rounded to 2 decimals. Takes numbers, aligned Series
    or numpy arrays; ``None`` (NaN for Series and arrays) when either is missing."""
    if isinstance(score, (pd.Series, np.ndarray)) or isinstance(opinion, (pd.Series, np.ndarray)):
        return (score - opinion).round(2)
    if _missing(score) or _missing(opinion):
        return None
    return round(score - opinion, 2)


def opinion_band(final_opinion: pd.Series) -> pd.Series:
    """The band key (``catalogue.OPINION_BANDS``) of each final opinion of the Series;
    ``not_rated`` for a missing one."""
    opinion = final_opinion.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(np.select([(opinion >= low) & (opinion <= high) for _key, low, high in OPINION_BANDS],
                               [key for key, _low, _high in OPINION_BANDS], "not_rated"), index=final_opinion.index)
