"""Score aggregation (pure): weighted totals, the trimmed mean, bonus after trimming, ranking,
and the evaluator-adjusted view that shows when one harsh or lenient evaluator decides a place.

The official rule (DOMAIN.md): a review's total is the sum of points times weights; with at
least `min_reviews` reviews one highest and one lowest total are dropped before the mean;
bonus points are added after trimming, capped; penalties are subtracted likewise.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class ScoreError(ValueError):
    """A score sheet that cannot be counted: the message names the criterion."""

    def __init__(self, code: str, criterion: str, message: str):
        super().__init__(message)
        self.code, self.criterion = code, criterion


@dataclass(frozen=True)
class Criterion:
    key: str
    max_points: float
    weight: float = 1.0


def weighted_total(points: Mapping[str, float], rubric: Sequence[Criterion]) -> float:
    """The review's total: each criterion's points times its weight.

    Raises ScoreError for an unknown criterion, a missing one, or points outside 0..max.
    """
    known = {c.key for c in rubric}
    for key in points:
        if key not in known:
            raise ScoreError("unknown_criterion", key, f"There is no criterion {key!r} in this call's rubric.")
    total = 0.0
    for criterion in rubric:
        if criterion.key not in points or points[criterion.key] is None:
            raise ScoreError("missing", criterion.key, f"Score {criterion.key!r}.")
        value = points[criterion.key]
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ScoreError("not_a_number", criterion.key, f"{criterion.key!r} needs a number.")
        if not 0 <= value <= criterion.max_points:
            raise ScoreError(
                "out_of_range", criterion.key, f"{criterion.key!r} must be between 0 and {criterion.max_points:g}."
            )
        total += value * criterion.weight
    return total


def trimmed_mean(totals: Sequence[float], *, min_reviews: int) -> float | None:
    """Mean of the totals, without one highest and one lowest once there are enough."""
    ordered = sorted(totals)
    if not ordered:
        return None
    if len(ordered) >= min_reviews and len(ordered) >= 3:
        ordered = ordered[1:-1]
    return sum(ordered) / len(ordered)


@dataclass(frozen=True)
class BonusRule:
    when: str  # a condition name such as "physical_ai", "women_led"
    points: float


def bonus_points(conditions: Mapping[str, bool], rules: Sequence[BonusRule], *, cap: float | None) -> float:
    """Sum of the bonus points whose condition holds, capped in total."""
    total = sum(rule.points for rule in rules if conditions.get(rule.when))
    return min(total, cap) if cap is not None else total


@dataclass(frozen=True)
class FinalScore:
    trimmed_mean: float | None
    bonus: float
    penalty: float
    final: float | None
    trimmed: bool


def final_score(
    totals: Sequence[float], *, min_reviews: int, bonus: float = 0.0, penalty: float = 0.0, ceiling: float | None = None
) -> FinalScore:
    """The official score: trimmed mean, then bonus added and penalty subtracted, within 0..ceiling."""
    mean = trimmed_mean(totals, min_reviews=min_reviews)
    if mean is None:
        return FinalScore(None, bonus, penalty, None, trimmed=False)
    value = max(0.0, mean + bonus - penalty)
    if ceiling is not None:
        value = min(value, ceiling)
    return FinalScore(mean, bonus, penalty, value, trimmed=len(totals) >= max(min_reviews, 3))


@dataclass(frozen=True)
class Ranked:
    application_id: int
    score: float | None
    tie_values: tuple = ()
    rank: int | None = None


def rank(entries: Sequence[Ranked]) -> list[Ranked]:
    """Order by score, then by the tie-breakers (higher first); equal on all share a rank (1, 2, 2, 4).

    Entries without a score come last, unranked.
    """
    scored = sorted(
        (e for e in entries if e.score is not None),
        key=lambda e: (-e.score, *(-v for v in e.tie_values), e.application_id),
    )
    result, previous, current_rank = [], None, 0
    for position, entry in enumerate(scored, start=1):
        key = (round(entry.score, 9), *entry.tie_values)
        if key != previous:
            current_rank, previous = position, key
        result.append(Ranked(entry.application_id, entry.score, entry.tie_values, current_rank))
    result += [Ranked(e.application_id, None, e.tie_values, None) for e in entries if e.score is None]
    return result


@dataclass(frozen=True)
class Review:
    reviewer_id: int
    application_id: int
    total: float


@dataclass
class AdjustedView:
    """What the officer sees beside the official score (it informs; it does not decide)."""

    adjusted: dict[int, float] = field(default_factory=dict)  # application -> mean adjusted total
    reviewer_bias: dict[int, float] = field(default_factory=dict)  # reviewer -> shrunk mean minus overall mean
    outliers: list[Review] = field(default_factory=list)
    agreement: float | None = None  # mean spread (sd) of totals per application; lower is closer


def _pvariance(values: Sequence[float]) -> float:
    """Population variance in floats (statistics.pvariance works in exact fractions: 10x slower)."""
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values) / len(values)


def adjusted_scores(reviews: Sequence[Review], *, shrinkage: float = 3.0, outlier_z: float = 2.0) -> AdjustedView:
    """Standardise each evaluator's totals against their own mean and spread.

    With few reviews an evaluator's mean and spread are pulled toward everyone's (a
    shrinkage of `shrinkage` pseudo-reviews), so two reviews do not make a harsh evaluator.
    A review is an outlier when it lies more than `outlier_z` overall spreads from the
    mean of the other reviews of the same application.
    """
    view = AdjustedView()
    if not reviews:
        return view
    totals = [r.total for r in reviews]
    overall_mean = statistics.fmean(totals)
    overall_sd = math.sqrt(_pvariance(totals)) or 1.0
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(review.total)
    centre, spread = {}, {}
    for reviewer, values in by_reviewer.items():
        n = len(values)
        mean = statistics.fmean(values)
        variance = _pvariance(values) if n > 1 else 0.0
        centre[reviewer] = (n * mean + shrinkage * overall_mean) / (n + shrinkage)
        spread[reviewer] = math.sqrt((n * variance + shrinkage * overall_sd**2) / (n + shrinkage)) or 1.0
        view.reviewer_bias[reviewer] = centre[reviewer] - overall_mean
    by_application: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_application[review.application_id].append(review)
    spreads = []
    for application, items in by_application.items():
        adjusted = [
            overall_mean + overall_sd * (r.total - centre[r.reviewer_id]) / spread[r.reviewer_id] for r in items
        ]
        view.adjusted[application] = statistics.fmean(adjusted)
        if len(items) > 1:
            spreads.append(math.sqrt(_pvariance([r.total for r in items])))
        for review in items:
            others = [r.total for r in items if r is not review]
            if others and abs(review.total - statistics.fmean(others)) > outlier_z * overall_sd:
                view.outliers.append(review)
    view.agreement = statistics.fmean(spreads) if spreads else None
    return view
