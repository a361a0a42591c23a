"""Objections (이의신청) to a result, and the applicants' anonymous ratings of their evaluators.

Services flush, never commit; answers leave through the outbox after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.reviews import replacements
from nup.reviews.decisions import objection_deadline
from nup.reviews.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    EvaluatorRating,
    Objection,
    ObjectionStatus,
    RatingReceipt,
)
from nup.timeutil import to_kst

ANSWER_WINDOW = timedelta(days=14)
EXTENSION = timedelta(days=10)


class ObjectionLate(DomainError):
    code = "objection_late"
    status = 409

    def __init__(self, until: datetime):
        super().__init__(
            _l(
                "Objections to this result could be filed until %(until)s (30 days after the result).",
                until=to_kst(until).strftime("%Y-%m-%d %H:%M KST"),
            )
        )


def file_objection(decision: Decision, *, actor: User, grounds: str, now: datetime) -> Objection:
    """File an objection (이의신청) within 30 days of the result; the office answers within 14 days."""
    security.require(actor, "application.view", decision.application)
    if decision.application.user_id != actor.id:
        raise security.PermissionDenied()
    if decision.released_at is None:
        raise StateConflict(_l("There is no result to object to yet."))
    if now > objection_deadline(decision.released_at):
        raise ObjectionLate(objection_deadline(decision.released_at))
    if len(grounds.strip()) < 10:
        raise DomainError(
            _l("Describe the grounds of the objection."),
            fields={"grounds": [str(_l("Describe the grounds (at least 10 characters)."))]},
        )
    earlier = db.session.scalar(
        select(Objection).where(Objection.decision_id == decision.id, Objection.filed_at >= decision.released_at)
    )
    if earlier is not None and earlier.status == ObjectionStatus.FILED:
        return earlier  # a double click files it once
    if earlier is not None:
        raise StateConflict(_l("Your objection to this result has been answered. A new result may be objected to."))
    objection = Objection(
        decision_id=decision.id,
        application_id=decision.application_id,
        filed_by_id=actor.id,
        filed_at=now,
        grounds=grounds.strip()[:8000],
        status=ObjectionStatus.FILED,
        answer_due_at=now + ANSWER_WINDOW,
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(actor, "objection.filed", objection, after={"decision_id": decision.id})
    notifications.queue(
        "objection_received",
        to=actor,
        key=f"objection-{objection.id}",
        call_id=decision.call_id,
        context={
            "name": actor.name,
            "receipt_number": decision.application.receipt_number,
            "due": to_kst(objection.answer_due_at).strftime("%Y-%m-%d"),
            "application_id": decision.application_id,
        },
    )
    return objection


def extend_objection(objection: Objection, *, actor: User, reason: str, now: datetime) -> Objection:
    """Extend the answer deadline once, by 10 days, with a reason the applicant is told."""
    security.require(actor, "reviews.manage")
    if objection.status != ObjectionStatus.FILED:
        raise StateConflict(_l("This objection has been answered."))
    if objection.extended_at is not None:
        raise StateConflict(_l("The answer deadline can be extended only once."))
    if not reason.strip():
        raise DomainError(_l("Give the reason."), fields={"reason": [str(_l("Give the reason."))]})
    before = objection.answer_due_at
    objection.answer_due_at = objection.answer_due_at + EXTENSION
    objection.extended_at, objection.extension_reason = now, reason.strip()
    db.session.flush()
    audit.record(
        actor,
        "objection.extended",
        objection,
        before={"due": before.isoformat()},
        after={"due": objection.answer_due_at.isoformat()},
    )
    owner = db.session.get(User, objection.filed_by_id)
    notifications.queue(
        "objection_extended",
        to=owner,
        key=f"objection-{objection.id}",
        context={
            "name": owner.name,
            "due": to_kst(objection.answer_due_at).strftime("%Y-%m-%d"),
            "reason": objection.extension_reason,
            "application_id": objection.application_id,
        },
    )
    return objection


def answer_objection(
    objection: Objection, *, actor: User, uphold: bool, answer: str, rereview: bool, now: datetime
) -> Objection:
    """Answer an objection. Upheld with re-review: the stage's evaluators of the application are
    replaced by new ones (the stage re-opens) and the earlier decision waits for the new scores."""
    security.require(actor, "reviews.manage")
    if objection.status != ObjectionStatus.FILED:
        raise StateConflict(_l("This objection has been answered."))
    if len(answer.strip()) < 10:
        raise DomainError(
            _l("Write the answer."), fields={"answer": [str(_l("Write the answer (at least 10 characters)."))]}
        )
    objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
    objection.answer, objection.answered_at, objection.answered_by_id = answer.strip(), now, actor.id
    objection.rereview = bool(uphold and rereview)
    if objection.rereview:
        decision = objection.decision
        for assignment in db.session.scalars(
            select(Assignment).where(
                Assignment.application_id == decision.application_id, Assignment.stage == decision.stage
            )
        ):
            if assignment.active:
                assignment.status = AssignmentStatus.REMOVED
                assignment.recusal_reason = "re-review after objection"
                assignment.updated_at = now
        call = decision.application.call
        db.session.flush()
        # Only this application's new evaluators may score: the round stays closed for everyone else.
        for _ in range(call.reviewers_per_application):
            added = replacements.replace_reviewer(
                decision.application, decision.stage, actor=actor, now=now, rereview=True
            )
            if added is None:
                break
        decision.released_at = None  # a new result letter follows the re-review
        decision.application.status = ApplicationStatus.UNDER_REVIEW
    db.session.flush()
    audit.record(
        actor,
        "objection.answered",
        objection,
        after={"status": objection.status, "rereview": objection.rereview},
    )
    owner = db.session.get(User, objection.filed_by_id)
    notifications.queue(
        "objection_answered",
        to=owner,
        key=f"objection-{objection.id}",
        context={
            "name": owner.name,
            "upheld": uphold,
            "rereview": objection.rereview,
            "answer": objection.answer,
            "application_id": objection.application_id,
        },
    )
    return objection


def objections_due(*, before: datetime) -> list[Objection]:
    """Open objections whose answer is due before `before` (for the officers' reminders)."""
    return list(
        db.session.scalars(
            select(Objection)
            .where(Objection.status == ObjectionStatus.FILED, Objection.answer_due_at <= before)
            .order_by(Objection.answer_due_at)
        )
    )


# --------------------------------------------------------------------------- ratings

LOW_RATING = 2.5
MIN_RATINGS = 3


def rate_evaluators(application: Application, *, actor: User, stars: int, comment: str, now: datetime) -> int:
    """Rate the evaluation anonymously, once per application, after the final result.

    The rating is stored once for each evaluator who scored the application, with no link to
    the applicant; a separate receipt only records that the application has rated.
    """
    if application.user_id != actor.id:
        raise security.PermissionDenied()
    if application.status != ApplicationStatus.RESULT:
        raise StateConflict(_l("You can rate the evaluation after your result."))
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise DomainError(_l("Choose 1 to 5 stars."), fields={"stars": [str(_l("Choose 1 to 5 stars."))]})
    if db.session.get(RatingReceipt, application.id) is not None:
        raise StateConflict(_l("You have already rated this evaluation. Thank you."))
    reviewer_ids = set(
        db.session.scalars(
            select(Assignment.reviewer_id).where(
                Assignment.application_id == application.id, Assignment.status == AssignmentStatus.SUBMITTED
            )
        )
    )
    for reviewer_id in sorted(reviewer_ids):
        db.session.add(
            EvaluatorRating(call_id=application.call_id, reviewer_id=reviewer_id, stars=stars, comment=comment[:2000])
        )
    db.session.add(RatingReceipt(application_id=application.id))
    db.session.flush()
    return len(reviewer_ids)


def has_rated(application_id: int) -> bool:
    return db.session.get(RatingReceipt, application_id) is not None


def evaluator_ratings() -> dict[int, tuple[float, int]]:
    """reviewer id -> (mean stars, number of ratings)."""
    rows = db.session.execute(
        select(EvaluatorRating.reviewer_id, func.avg(EvaluatorRating.stars), func.count()).group_by(
            EvaluatorRating.reviewer_id
        )
    )
    return {r: (float(mean), n) for r, mean, n in rows}


def is_flagged(rating: tuple[float, int] | None) -> bool:
    return rating is not None and rating[1] >= MIN_RATINGS and rating[0] < LOW_RATING
