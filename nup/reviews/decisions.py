"""Decisions: proposals within quotas and the priority policy, recorded outcomes, result letters, penalties.

Services flush, never commit; letters and answers leave through the outbox after the commit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.programmes.models import Call
from nup.programmes.policy import policy_of, prioritised
from nup.reviews import services
from nup.reviews.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    Outcome,
    Penalty,
    Stage,
)
from nup.reviews.ranking import compute_ranking
from nup.timeutil import KST, to_kst

OBJECTION_WINDOW = timedelta(days=30)  # 이의신청: within 30 days of the result


def objection_deadline(released_at: datetime) -> datetime:
    """The last moment to object: the end of the 30th day (KST) after the result was sent."""
    last_day = to_kst(released_at + OBJECTION_WINDOW).date()
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=KST).astimezone(UTC)


OUTCOMES_BY_STAGE = {
    Stage.DOCUMENT: (Outcome.ADVANCED, Outcome.NOT_SELECTED),
    Stage.PRESENTATION: (Outcome.SELECTED, Outcome.RESERVE, Outcome.NOT_SELECTED),
}


@dataclass(frozen=True)
class Proposal:
    application_id: int
    track: str
    rank: int | None
    final_score: float | None
    outcome: str | None  # None: not scored yet, cannot be decided


def rank_band(rank: int | None, count: int) -> str:
    """The share of the field an applicant is told they were in (not their exact place)."""
    if rank is None or count == 0:
        return ""
    share = rank / count
    for limit, band in ((0.1, "top10"), (0.25, "top25"), (0.5, "top50")):
        if share <= limit:
            return band
    return "rest"


def propose(
    call: Call, stage: str, *, advance_multiple: int = 2, reserves_per_track: int = 2, with_priority: bool = True
) -> list[Proposal]:
    """Outcomes by rank within each track's quota: the preview shown before anything is applied.

    Document round: the top `advance_multiple` × quota of each track advance. Presentation
    round: the top quota are selected, the next `reserves_per_track` are reserves.
    """
    ranking = compute_ranking(call, stage, with_priority=with_priority)
    by_track: dict[str, list] = {}
    for row in ranking.rows:
        by_track.setdefault(row.track, []).append(row)
    proposals = []
    for track, rows in by_track.items():
        quota = int((call.track(track) or {}).get("quota") or 0)
        scored = [r for r in rows if r.final_score is not None and r.complete]
        place = {r.application_id: i for i, r in enumerate(sorted(scored, key=lambda r: (r.rank, r.application_id)))}
        for row in rows:
            if row.application_id not in place:
                proposals.append(Proposal(row.application_id, track, row.rank, row.final_score, None))
                continue
            position = place[row.application_id]
            if stage == Stage.DOCUMENT:
                outcome = Outcome.ADVANCED if position < quota * advance_multiple else Outcome.NOT_SELECTED
            elif position < quota:
                outcome = Outcome.SELECTED
            elif position < quota + reserves_per_track:
                outcome = Outcome.RESERVE
            else:
                outcome = Outcome.NOT_SELECTED
            proposals.append(Proposal(row.application_id, track, row.rank, row.final_score, outcome))
    if with_priority:
        physical = {r.application_id for r in ranking.rows if r.physical_ai}
        proposals = ensure_min_share(proposals, physical, policy_of(call)["min_share"], positive=POSITIVE[stage])
    return sorted(proposals, key=lambda p: (p.rank is None, p.rank or 0, p.application_id))


POSITIVE = {Stage.DOCUMENT: Outcome.ADVANCED, Stage.PRESENTATION: Outcome.SELECTED}


def ensure_min_share(proposals: list[Proposal], physical: set[int], share: float, *, positive: str) -> list[Proposal]:
    """Give Physical AI at least `share` of the positive outcomes, as the call's policy sets (pure).

    The best-ranked Physical AI applications left out take the places of the lowest-ranked
    others, one swap at a time, until the share is met or no Physical AI candidate is left.
    """
    places = [p for p in proposals if p.outcome == positive]
    need = math.ceil(share * len(places) - 1e-9)
    by_rank = sorted(proposals, key=lambda p: (p.rank is None, p.rank or 0, p.application_id))
    result = {p.application_id: p for p in proposals}
    while sum(1 for p in result.values() if p.outcome == positive and p.application_id in physical) < need:
        waiting = next(
            (
                p
                for p in by_rank
                if p.application_id in physical and result[p.application_id].outcome not in (positive, None)
            ),
            None,
        )
        giving = next(
            (
                p
                for p in reversed(by_rank)
                if p.application_id not in physical and result[p.application_id].outcome == positive
            ),
            None,
        )
        if waiting is None or giving is None:
            break
        promoted, displaced = result[waiting.application_id], result[giving.application_id]
        result[waiting.application_id] = replace(promoted, outcome=positive)
        result[giving.application_id] = replace(displaced, outcome=promoted.outcome)
    return list(result.values())


def apply_decisions(
    call: Call, stage: str, *, actor: User, outcomes: dict[int, str], reasons: dict[int, str], now: datetime
) -> int:
    """Record the outcomes the officer confirmed after the preview; letters are sent separately.

    The stage must be closed (scores locked). A decision already released cannot change here:
    an upheld objection changes it. Returns how many decisions were written.
    """
    security.require(actor, "reviews.manage")
    review_stage = services.stage_of(call, stage)
    if review_stage is None or review_stage.is_open:
        raise StateConflict(_l("Close the stage before deciding: scores must be locked first."))
    allowed = OUTCOMES_BY_STAGE[stage]
    ranking = {r.application_id: r for r in compute_ranking(call, stage).rows}
    bad = [a for a, o in outcomes.items() if o not in allowed or a not in ranking]
    if bad:
        raise DomainError(_l("Some outcomes are not valid for this stage."), fields={"outcomes": [str(b) for b in bad]})
    # DOMAIN: results come with specific reasons; an applicant turned down is told why.
    unexplained = [a for a, o in outcomes.items() if o == Outcome.NOT_SELECTED and not (reasons.get(a) or "").strip()]
    if unexplained:
        raise DomainError(
            _l("Write the reasons for each application not selected (%(count)d missing).", count=len(unexplained)),
            fields={"reasons": [str(a) for a in unexplained]},
        )
    unscored = [a for a in outcomes if ranking[a].final_score is None]
    if unscored:
        raise DomainError(
            _l("%(count)d application(s) have no counted score yet.", count=len(unscored)),
            fields={"outcomes": [str(a) for a in unscored]},
        )
    existing = {
        d.application_id: d
        for d in db.session.scalars(select(Decision).where(Decision.call_id == call.id, Decision.stage == stage))
    }
    written = 0
    count = sum(1 for r in ranking.values() if r.final_score is not None)
    for application_id, outcome in outcomes.items():
        row = ranking[application_id]
        decision = existing.get(application_id)
        if decision is not None and decision.released_at is not None:
            if decision.outcome != outcome:
                raise StateConflict(_l("A released result can only change through an objection."))
            continue
        if decision is None:
            decision = Decision(call_id=call.id, application_id=application_id, stage=stage)
            db.session.add(decision)
        before = {"outcome": decision.outcome}
        decision.outcome = outcome
        decision.final_score = row.final_score
        decision.trimmed_mean, decision.bonus, decision.penalty = row.trimmed_mean, row.bonus, row.penalty
        decision.rank = row.rank
        decision.ranked_count = count
        decision.criterion_means = {k: round(v, 2) for k, v in row.criterion_means.items()}
        decision.reasons = (reasons.get(application_id) or "").strip()
        decision.decided_at, decision.decided_by_id = now, actor.id
        db.session.flush()
        audit.record(actor, "decision.recorded", decision, before=before, after={"outcome": outcome, "stage": stage})
        written += 1
    return written


def release_results(call: Call, stage: str, *, actor: User, now: datetime) -> int:
    """Send the result letter of every decided, unreleased application in its owner's language."""
    security.require(actor, "reviews.manage")
    decisions = db.session.scalars(
        select(Decision).where(Decision.call_id == call.id, Decision.stage == stage, Decision.released_at.is_(None))
    ).all()
    if not decisions:
        raise StateConflict(_l("There are no decided results waiting to be sent."))
    comments = released_comments({d.application_id for d in decisions}, stage)
    for decision in decisions:
        application = decision.application
        owner = db.session.get(User, application.user_id)
        decision.released_at = now
        final = stage == Stage.PRESENTATION or decision.outcome != Outcome.ADVANCED
        if final:
            application.status = ApplicationStatus.RESULT
        notifications.queue(
            "review_result",
            to=owner,
            key=f"decision-{decision.id}-{int(now.timestamp())}",  # a re-review's new letter is a new email
            call_id=call.id,
            priority=prioritised(call, application.physical_ai),
            context=letter_context(decision, call, owner, comments.get(decision.application_id, [])),
        )
        audit.record(actor, "decision.released", decision, after={"outcome": decision.outcome})
    db.session.flush()
    return len(decisions)


def released_comments(application_ids: set[int], stage: str) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.overall_comment).where(
            Assignment.application_id.in_(application_ids),
            Assignment.stage == stage,
            Assignment.comment_released.is_(True),
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    found: dict[int, list[str]] = {}
    for application_id, comment in rows:
        if comment:
            found.setdefault(application_id, []).append(comment)
    return found


def letter_context(decision: Decision, call: Call, owner: User, comments: list[str]) -> dict:
    labels = {c["key"]: (c.get("label_ko") or c["key"], c.get("label_en") or c["key"]) for c in call.rubric}
    return {
        "name": owner.name,
        "call_title_ko": call.title_ko,
        "call_title_en": call.title_en or call.title_ko,
        "receipt_number": decision.application.receipt_number,
        "stage": decision.stage,
        "outcome": decision.outcome,
        "final_score": round(decision.final_score, 2) if decision.final_score is not None else None,
        "trimmed_mean": round(decision.trimmed_mean, 2) if decision.trimmed_mean is not None else None,
        "bonus": decision.bonus or 0.0,
        "penalty": decision.penalty or 0.0,
        "rank_band": rank_band(decision.rank, decision.ranked_count),
        "criteria": [
            {
                "label_ko": labels.get(k, (k, k))[0],
                "label_en": labels.get(k, (k, k))[1],
                "mean": v,
                "max": next((c["max_points"] for c in call.rubric if c["key"] == k), None),
            }
            for k, v in (decision.criterion_means or {}).items()
        ],
        "reasons": decision.reasons,
        "comments": comments,
        "objection_until": to_kst(objection_deadline(decision.released_at)).strftime("%Y-%m-%d")
        if decision.released_at
        else "",
        "application_id": decision.application_id,
    }


def set_comment_released(assignment: Assignment, *, actor: User, released: bool) -> None:
    """Let (or stop) an evaluator's overall comment go into the applicant's result letter."""
    security.require(actor, "reviews.manage")
    assignment.comment_released = released
    audit.record(actor, "score.comment_release", assignment, after={"released": released})


def decisions_of(call: Call, stage: str) -> list[Decision]:
    return list(db.session.scalars(select(Decision).where(Decision.call_id == call.id, Decision.stage == stage)))


def record_penalty(application: Application, *, actor: User, points: float, reason: str) -> Penalty:
    """Record a penalty (감점), subtracted after trimming in every ranking from now on."""
    security.require(actor, "reviews.manage")
    if not 0 < points <= 20:
        raise DomainError(_l("Penalty points must be more than 0 and at most 20."))
    if not reason.strip():
        raise DomainError(_l("Give the reason."), fields={"reason": [str(_l("Give the reason."))]})
    penalty = Penalty(application_id=application.id, points=points, reason=reason.strip(), recorded_by_id=actor.id)
    db.session.add(penalty)
    db.session.flush()
    audit.record(actor, "penalty.recorded", application, after={"points": points, "reason": penalty.reason})
    return penalty
