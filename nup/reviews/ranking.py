"""The ranking of a call's stage: official scores beside the evaluator-adjusted view.

Reads the counted score sheets in one query and aggregates them with the pure rules of
`nup.reviews.scoring`, so the page, the API, the exports and the decisions agree.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.programmes.policy import PRIORITY_CONDITION, policy_of
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, AssignmentStatus, Decision, Outcome, Penalty, Stage
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


def compute_ranking(call: Call, stage: str = Stage.DOCUMENT, *, with_priority: bool = True) -> Ranking:
    """Rank the stage's applications by the official rule and show the adjusted view beside it.

    `with_priority=False` leaves out the Physical AI bonus: the ranking as it would be
    without the call's priority policy, for the side-by-side view.
    """
    if stage == Stage.PRESENTATION:
        scope = select(Decision.application_id).where(
            Decision.call_id == call.id, Decision.stage == Stage.DOCUMENT, Decision.outcome == Outcome.ADVANCED
        )
    else:
        scope = select(Assignment.application_id).where(Assignment.call_id == call.id, Assignment.stage == stage)
    # Five columns, not whole applications: the plan text and documents would cost seconds at 5,000.
    applications = {
        row.id: row
        for row in db.session.execute(
            select(
                Application.id,
                Application.receipt_number,
                Application.company_name,
                Application.track,
                Application.physical_ai,
            ).where(Application.call_id == call.id, Application.id.in_(scope))
        )
    }
    sheets = db.session.execute(
        select(Assignment.application_id, Assignment.reviewer_id, Assignment.status, Assignment.total).where(
            Assignment.call_id == call.id, Assignment.stage == stage, Assignment.status.in_(ACTIVE)
        )
    ).all()
    keys = [c["key"] for c in call.rubric]
    means = {
        row[0]: {key: value for key, value in zip(keys, row[1:], strict=True) if value is not None}
        for row in db.session.execute(
            select(Assignment.application_id, *[func.avg(Assignment.scores[key].as_float()) for key in keys])
            .where(
                Assignment.call_id == call.id,
                Assignment.stage == stage,
                Assignment.status == AssignmentStatus.SUBMITTED,
            )
            .group_by(Assignment.application_id)
        )
    }
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
    reviews: list[Review] = []
    for application_id, reviewer_id, status, total in sheets:
        assigned[application_id] += 1
        if status == AssignmentStatus.SUBMITTED and total is not None:
            totals[application_id].append(total)
            reviews.append(Review(reviewer_id, application_id, total))
    rules = [
        BonusRule(r["when"], float(r["points"]))
        for r in call.bonus_rules or []
        if with_priority or r["when"] != PRIORITY_CONDITION
    ]
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
            criterion_means={k: float(v) for k, v in means.get(application_id, {}).items()},
        )
    tie_keys = list(call.tie_breakers or [])
    # The priority policy may put Physical AI first among equal final scores.
    priority_ties = with_priority and policy_of(call)["tie_breaker"]
    for ranked in rank(
        [
            Ranked(
                r.application_id,
                r.final_score,
                ((1 if r.physical_ai else 0,) if priority_ties else ())
                + tuple(r.criterion_means.get(k, 0.0) for k in tie_keys),
            )
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


# Rankings computed in this process, by what they were computed from; a page view recomputes
# only when a score, a penalty, a priority decision or the call's rules changed.
_CACHE: OrderedDict[tuple, Ranking] = OrderedDict()
_CACHE_SIZE = 8


def ranking_fingerprint(call: Call, stage: str) -> tuple:
    """A cheap summary of everything the ranking depends on (three small aggregate queries)."""
    sheets = db.session.execute(
        select(func.count(Assignment.id), func.sum(Assignment.version), func.max(Assignment.updated_at)).where(
            Assignment.call_id == call.id, Assignment.stage == stage
        )
    ).one()
    penalties = db.session.execute(
        select(func.count(Penalty.id), func.sum(Penalty.points), func.max(Penalty.recorded_at))
        .join(Application, Application.id == Penalty.application_id)
        .where(Application.call_id == call.id)
    ).one()
    applications = db.session.execute(
        select(
            func.count(Application.id).filter(Application.physical_ai.is_(True)),
            func.max(Application.priority_decided_at),
            func.count(Decision.id),
            func.max(Decision.decided_at),
        )
        .select_from(Application)
        .outerjoin(Decision, (Decision.application_id == Application.id) & (Decision.stage == Stage.DOCUMENT))
        .where(Application.call_id == call.id)
    ).one()
    rules = json.dumps(
        [call.rubric, call.bonus_rules, call.bonus_cap, call.trim_min_reviews, call.tie_breakers, call.priority_policy],
        sort_keys=True,
    )
    return (call.id, stage, rules, tuple(sheets), tuple(penalties), tuple(applications))


def cached_ranking(call: Call, stage: str = Stage.DOCUMENT, *, with_priority: bool = True) -> Ranking:
    """compute_ranking, reused while nothing it depends on has changed."""
    key = (*ranking_fingerprint(call, stage), with_priority)
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    result = compute_ranking(call, stage, with_priority=with_priority)
    _CACHE[key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result
