"""The yearly mentor review (pure): each mentor's year in figures, and the bottom 20% flagged."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_RATINGS = 3  # fewer ratings than this say too little to rank a mentor on
BOTTOM_SHARE = 0.2


@dataclass(frozen=True)
class MentorYear:
    mentor_id: int
    name: str
    approved_hours: float
    sessions: int
    startups: int
    ratings: tuple[int, ...]  # the startups' stars for this mentor's sessions
    follow_ups: int  # approved logs that recorded follow-up actions
    fee_won: int
    # The startups' progress: accepted KPI results (contracts, sales, investment in won; new jobs) of
    # the startups this mentor mentored that year, when the overseas records are at hand.
    startups_outcome_won: int = 0
    startups_jobs: int = 0


@dataclass(frozen=True)
class ReviewRow:
    year: MentorYear
    average: float | None  # None: fewer than MIN_RATINGS ratings
    rank: int | None  # 1 is best, among the ranked mentors
    flagged: bool  # in the bottom 20% of the ranked mentors: not renewed without a reason

    @property
    def follow_up_share(self) -> float:
        return self.year.follow_ups / self.year.sessions if self.year.sessions else 0.0


def review_year(years: list[MentorYear]) -> list[ReviewRow]:
    """Rank mentors with enough ratings by average rating (then hours, then id) and flag the bottom 20%.

    The number flagged is floor(20% of the ranked mentors), so never more than a fifth is flagged;
    mentors with too few ratings are listed after the ranked ones, unranked and unflagged.
    """
    ranked = [y for y in years if len(y.ratings) >= MIN_RATINGS]
    unranked = [y for y in years if len(y.ratings) < MIN_RATINGS]
    ranked.sort(key=lambda y: (-sum(y.ratings) / len(y.ratings), -y.approved_hours, y.mentor_id))
    flagged_from = len(ranked) - math.floor(len(ranked) * BOTTOM_SHARE)
    rows = [
        ReviewRow(y, round(sum(y.ratings) / len(y.ratings), 2), index + 1, index >= flagged_from)
        for index, y in enumerate(ranked)
    ]
    rows += [ReviewRow(y, None, None, False) for y in sorted(unranked, key=lambda y: y.mentor_id)]
    return rows
