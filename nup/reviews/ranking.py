"""The ranking of a call's stage: official scores beside the evaluator-adjusted view.

Reads the counted score sheets in one query and aggregates them with the pure rules of
`nup.reviews.scoring`, so the page, the API, the exports and the decisions agree.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import redis
from sqlalchemy import func, select

from nup import redis_client
from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.programmes.policy import PRIORITY_CONDITION, policy_of
from nup.reviews import ranking_version
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, AssignmentStatus, Decision, Outcome, Penalty, Stage
from nup.reviews.scores import max_total
from nup.reviews.scoring import (
    AdjustedView,
    BonusRule,
    Ranked,
    Review,
    adjusted_scores,
    bonus_points,
    final_score,
    rank,
)

ranking_version.install()
log = logging.getLogger(__name__)


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
    rank_without: int | None = None  # the rank without the priority policy (set by ranking_page)

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
    return rank_inputs(call, stage, read_inputs(call, stage), with_priority=with_priority)


@dataclass
class RankingInputs:
    """What the ranking reads from the database (four queries), before any rule is applied."""

    applications: dict
    sheets: list
    means: dict
    penalties: dict


def read_inputs(call: Call, stage: str) -> RankingInputs:
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
    return RankingInputs(applications, sheets, means, penalties)


def rank_inputs(
    call: Call, stage: str, inputs: RankingInputs, *, with_priority: bool = True, adjusted: bool = True
) -> Ranking:
    """Apply the call's rules to what `read_inputs` read. `adjusted=False` leaves out the
    evaluator-adjusted view (it does not depend on the priority policy)."""
    applications, sheets, means, penalties = inputs.applications, inputs.sheets, inputs.means, inputs.penalties
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
    view = adjusted_scores(reviews) if adjusted else AdjustedView()
    for application_id, adjusted_total in view.adjusted.items():
        row = rows.get(application_id)
        if row is not None:
            row.adjusted_score = adjusted_total + row.bonus - row.penalty
    for ranked in rank([Ranked(r.application_id, r.adjusted_score) for r in rows.values()]):
        rows[ranked.application_id].adjusted_rank = ranked.rank
    for outlier in view.outliers:
        if outlier.application_id in rows:
            rows[outlier.application_id].outliers.append(outlier.reviewer_id)
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.application_id))
    return Ranking(call.id, stage, ordered, view.agreement, view.reviewer_bias, ceiling or 0.0)


# ------------------------------------------------------------------ the shared ranking cache
#
# A ranking is computed once per version of what it reads (nup.reviews.ranking_version raises the
# call's counter in the same transaction as every such write) and kept in Redis, which every web
# process shares: one JSON document for the figures of the whole ranking and one Redis list of
# rows per filter (all tracks, and each track), in ranking order. A page view reads the version
# (one small SQL row) and, in one Redis round trip, the figures and the slice of rows it shows.

CACHE_SECONDS = 6 * 3600
ROWS_PER_PUSH = 2000


@dataclass
class RankingPage:
    """What one page of the ranking shows: its rows and the figures of the whole ranking."""

    call_id: int
    stage: str
    rows: list[RankingRow]  # the rows of this page; each with `rank_without` set
    chart: list[RankingRow]  # the first rows of the (filtered) ranking, for the bar chart
    total: int  # rows after the track filter
    count: int  # rows in the whole ranking
    scored: int
    moved: int  # applications whose rank differs without the priority policy
    agreement: float | None
    extremes: list[tuple[int, float]]  # (reviewer id, bias) of the harshest and the most lenient
    max_total: float
    version: int = 0


def _rules_key(call: Call) -> str:
    rules = json.dumps(
        [call.rubric, call.bonus_rules, call.bonus_cap, call.trim_min_reviews, call.tie_breakers, call.priority_policy],
        sort_keys=True,
    )
    return hashlib.sha256(rules.encode()).hexdigest()[:16]


def _row_json(row: RankingRow, rank_without: int | None) -> str:
    data = asdict(row)
    data["rank_without"] = rank_without
    return json.dumps(data, separators=(",", ":"))


def _row_of(raw: bytes | str) -> RankingRow:
    return RankingRow(**json.loads(raw))


@dataclass
class _Built:
    meta: dict
    rows: dict[str, list[str]]  # "" (every track) or a track -> rows as JSON, in ranking order


def _build(call: Call, stage: str) -> _Built:
    inputs = read_inputs(call, stage)  # read once for both orders
    result = rank_inputs(call, stage, inputs)
    plain = rank_inputs(call, stage, inputs, with_priority=False, adjusted=False)
    without = {r.application_id: r.rank for r in plain.rows}
    harsh = sorted(result.reviewer_bias.items(), key=lambda item: item[1])
    lists: dict[str, list[str]] = {"": []}
    for row in result.rows:
        encoded = _row_json(row, without.get(row.application_id))
        lists[""].append(encoded)
        lists.setdefault(f"t:{row.track}", []).append(encoded)
    meta = {
        "count": len(result.rows),
        "scored": result.scored,
        "moved": sum(1 for r in result.rows if r.rank != without.get(r.application_id)),
        "agreement": result.agreement,
        "extremes": [list(harsh[0]), list(harsh[-1])] if harsh else [],
        "max_total": result.max_total,
    }
    return _Built(meta, lists)


def _keys(call: Call, stage: str, version: int) -> str:
    return redis_client.key(f"ranking:{call.id}:{stage}:{version}:{_rules_key(call)}")


def _store(base: str, pointer: str, built: _Built) -> None:
    client = redis_client.client()
    previous = client.get(pointer)
    pipe = client.pipeline(transaction=True)
    if previous and previous.decode() != base:  # the superseded version's rows go at once
        old = previous.decode()
        pipe.delete(f"{old}:meta", *(f"{old}:rows:{name}" for name in client.smembers(f"{old}:lists") or ()))
        pipe.delete(f"{old}:lists")
    for name, rows in built.rows.items():
        key = f"{base}:rows:{name}"
        pipe.delete(key)
        for start in range(0, len(rows), ROWS_PER_PUSH):
            pipe.rpush(key, *rows[start : start + ROWS_PER_PUSH])
        pipe.expire(key, CACHE_SECONDS)
        pipe.sadd(f"{base}:lists", name)
    pipe.expire(f"{base}:lists", CACHE_SECONDS)
    pipe.set(f"{base}:meta", json.dumps(built.meta), ex=CACHE_SECONDS)  # last: present means complete
    pipe.set(pointer, base, ex=CACHE_SECONDS)
    pipe.execute()


def _page_of(call: Call, stage: str, version: int, meta: dict, rows, chart, total: int) -> RankingPage:
    return RankingPage(
        call_id=call.id,
        stage=stage,
        rows=[_row_of(r) for r in rows],
        chart=[_row_of(r) for r in chart],
        total=total,
        count=meta["count"],
        scored=meta["scored"],
        moved=meta["moved"],
        agreement=meta["agreement"],
        extremes=[(int(i), float(b)) for i, b in meta["extremes"]],
        max_total=meta["max_total"],
        version=version,
    )


# What a Redis hiccup raises: the client's errors, and under a connect time-out between threads
# also a plain ValueError from its socket buffer (seen in the benchmark). The page then computes.
CACHE_FAILURES = (redis.RedisError, OSError, ValueError)


def ranking_page(
    call: Call, stage: str = Stage.DOCUMENT, *, page: int = 1, per_page: int = 50, track: str = "", chart: int = 0
) -> RankingPage:
    """One page of the call's ranking (official order), from the shared cache while nothing changed.

    Exactly what `compute_ranking` gives, sliced: the cache is keyed on the call's ranking
    version and rules. Inside a transaction that has itself changed what the ranking reads
    (not yet committed) the ranking is computed afresh and not shared.
    """
    start = (max(page, 1) - 1) * per_page
    name = f"t:{track}" if track else ""
    version = ranking_version.current(call.id, db.session)
    if ranking_version.pending(db.session):
        built = _build(call, stage)
        rows = built.rows.get(name, [])
        return _page_of(call, stage, version, built.meta, rows[start : start + per_page], rows[:chart], len(rows))
    base = _keys(call, stage, version)
    try:
        pipe = redis_client.client().pipeline(transaction=False)
        pipe.get(f"{base}:meta")
        pipe.llen(f"{base}:rows:{name}")
        pipe.lrange(f"{base}:rows:{name}", start, start + per_page - 1)
        if chart:
            pipe.lrange(f"{base}:rows:{name}", 0, chart - 1)
        meta, total, rows, *rest = pipe.execute()
    except CACHE_FAILURES:
        log.warning("ranking cache unavailable; computing the ranking for this request", exc_info=True)
        meta = None
    if meta is not None:
        return _page_of(call, stage, version, json.loads(meta), rows, rest[0] if rest else [], total)
    built = _build(call, stage)
    try:
        _store(base, redis_client.key(f"ranking:{call.id}:{stage}:latest"), built)
    except CACHE_FAILURES:
        log.warning("ranking cache unavailable; the ranking is not shared", exc_info=True)
    rows = built.rows.get(name, [])
    return _page_of(call, stage, version, built.meta, rows[start : start + per_page], rows[:chart], len(rows))
