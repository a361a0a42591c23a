"""The ranking of a call's stage: official scores beside the evaluator-adjusted view.

Reads the counted score sheets in one query and aggregates them with the pure rules of
`nup.reviews.scoring`, so the page, the API, the exports and the decisions agree.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews.assigning import ACTIVE, assignable_applications
from nup.reviews.models import Assignment, AssignmentStatus, Penalty, Stage
from nup.reviews.scores import max_total
from nup.reviews.scoring import BonusRule, Ranked, Review, adjusted_scores, bonus_points, final_score, rank


@dataclass
class RankingRow:
    application_id: int
    receipt_number: str | None
    company_name: str
    track: str
    physical_ai: bool
    raw_scores: list[float]
    assigned: int
    trimmed_mean: float | None
    bonus: float
    penalty: float
    final_score: float | None
    rank: int | None = None
    adjusted_score: float | None = None
    adjusted_rank: int | None = None
    outliers: list[int] = field(default_factory=list)  # reviewer ids whose total is an outlier
    criterion_means: dict[str, float] = field(default_factory=dict)

    @property
    def rank_shift(self) -> int | None:
        if self.rank is None or self.adjusted_rank is None:
            return None
        return self.rank - self.adjusted_rank

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and len(self.raw_scores) >= self.assigned


@dataclass
class Ranking:
    call_id: int
    stage: str
    rows: list[RankingRow]
    agreement: float | None
    reviewer_bias: dict[int, float]
    max_total: float

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.final_score is not None)


def conditions_of(application_physical_ai: bool) -> dict[str, bool]:
    """The bonus conditions an application meets (the Physical AI field is known to the system)."""
    return {"physical_ai": bool(application_physical_ai)}


def compute_ranking(call: Call, stage: str = Stage.DOCUMENT) -> Ranking:
    """Rank the stage's applications by the official rule and show the adjusted view beside it."""
    applications = {
        a.id: a
        for a in (
            assignable_applications(call, stage)
            if stage == Stage.PRESENTATION
            else db.session.scalars(
                select(Application).where(
                    Application.call_id == call.id,
                    Application.id.in_(
                        select(Assignment.application_id).where(
                            Assignment.call_id == call.id, Assignment.stage == stage
                        )
                    ),
                )
            )
        )
    }
    sheets = db.session.execute(
        select(
            Assignment.application_id, Assignment.reviewer_id, Assignment.status, Assignment.total, Assignment.scores
        ).where(Assignment.call_id == call.id, Assignment.stage == stage, Assignment.status.in_(ACTIVE))
    ).all()
    penalties = dict(
        db.session.execute(
            select(Penalty.application_id, func.sum(Penalty.points))
            .join(Application, Application.id == Penalty.application_id)
            .where(Application.call_id == call.id)
            .group_by(Penalty.application_id)
        ).all()
    )
    totals: dict[int, list[float]] = defaultdict(list)
    assigned: dict[int, int] = defaultdict(int)
    per_criterion: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    reviews: list[Review] = []
    for application_id, reviewer_id, status, total, scores in sheets:
        assigned[application_id] += 1
        if status == AssignmentStatus.SUBMITTED and total is not None:
            totals[application_id].append(total)
            reviews.append(Review(reviewer_id, application_id, total))
            for key, value in (scores or {}).items():
                per_criterion[application_id][key].append(float(value))
    rules = [BonusRule(r["when"], float(r["points"])) for r in call.bonus_rules or []]
    ceiling = max_total(call) or None
    rows: dict[int, RankingRow] = {}
    for application_id, application in applications.items():
        raw = sorted(totals.get(application_id, []), reverse=True)
        bonus = bonus_points(conditions_of(application.physical_ai), rules, cap=call.bonus_cap) if raw else 0.0
        penalty = float(penalties.get(application_id) or 0.0)
        official = final_score(raw, min_reviews=call.trim_min_reviews, bonus=bonus, penalty=penalty)
        rows[application_id] = RankingRow(
            application_id=application_id,
            receipt_number=application.receipt_number,
            company_name=application.company_name,
            track=application.track,
            physical_ai=application.physical_ai,
            raw_scores=raw,
            assigned=assigned.get(application_id, 0),
            trimmed_mean=official.trimmed_mean,
            bonus=bonus,
            penalty=penalty,
            final_score=official.final,
            criterion_means={k: statistics.fmean(v) for k, v in per_criterion[application_id].items()},
        )
    tie_keys = list(call.tie_breakers or [])
    for ranked in rank(
        [
            Ranked(r.application_id, r.final_score, tuple(r.criterion_means.get(k, 0.0) for k in tie_keys))
            for r in rows.values()
        ]
    ):
        rows[ranked.application_id].rank = ranked.rank
    view = adjusted_scores(reviews)
    for application_id, adjusted in view.adjusted.items():
        row = rows.get(application_id)
        if row is not None:
            row.adjusted_score = adjusted + row.bonus - row.penalty
    for ranked in rank([Ranked(r.application_id, r.adjusted_score) for r in rows.values()]):
        rows[ranked.application_id].adjusted_rank = ranked.rank
    for outlier in view.outliers:
        if outlier.application_id in rows:
            rows[outlier.application_id].outliers.append(outlier.reviewer_id)
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.application_id))
    return Ranking(call.id, stage, ordered, view.agreement, view.reviewer_bias, ceiling or 0.0)
