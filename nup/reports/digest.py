"""The officers' daily digest: new submissions, documents awaiting correction, review progress,
objections and personal-data requests due, and failed mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from nup.accounts.models import Role, User
from nup.applications.models import Application, ApplicationStatus, Document, DocumentReview
from nup.extensions import db
from nup.mentoring import queries as mentoring_queries
from nup.notifications import services as notifications
from nup.notifications.models import Notification, NotificationStatus
from nup.privacy import services as privacy_services
from nup.programmes.models import Call, CallStatus
from nup.reviews import objections
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, AssignmentStatus
from nup.timeutil import to_kst


def digest_figures(*, now: datetime) -> dict:
    """The numbers of the digest (also what the officer dashboard can show)."""
    since = now - timedelta(days=1)
    new_submissions = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.submitted_at >= since, Application.status == ApplicationStatus.SUBMITTED)
    )
    corrections = db.session.scalar(
        select(func.count()).select_from(Document).where(Document.review_status == DocumentReview.CORRECTION)
    )
    failed = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.status == NotificationStatus.FAILED)
    )
    per_call = db.session.execute(
        select(Call.id, Call.title_ko, Application.status, func.count(Application.id))
        .join(Application, Application.call_id == Call.id)
        .where(Call.status != CallStatus.DRAFT)
        .group_by(Call.id, Call.title_ko, Application.status)
    ).all()
    calls: dict[int, dict] = {}
    for call_id, title, status, count in per_call:
        entry = calls.setdefault(call_id, {"title": title, "submitted": 0, "drafts": 0})
        if status == ApplicationStatus.DRAFT:
            entry["drafts"] += count
        elif status != ApplicationStatus.WITHDRAWN:
            entry["submitted"] += count
    for call_id, assigned, submitted in db.session.execute(
        select(
            Assignment.call_id,
            func.count(Assignment.id),
            func.count(Assignment.id).filter(Assignment.status == AssignmentStatus.SUBMITTED),
        )
        .where(Assignment.status.in_(ACTIVE))
        .group_by(Assignment.call_id)
    ):
        if call_id in calls:
            calls[call_id].update(reviews_assigned=assigned, reviews_submitted=submitted)
    objections_due = len(objections.objections_due(before=now + timedelta(days=3)))
    # Requests about one's data: the law gives 10 days; remind three days ahead and when late.
    privacy_due = privacy_services.requests_due(before=now + timedelta(days=3))
    return {
        "day": to_kst(now).date().isoformat(),
        "objections_due": objections_due,
        "mentoring_logs_to_approve": len(mentoring_queries.approvals_due()),
        "privacy_requests_due": len(privacy_due),
        "privacy_requests_overdue": sum(1 for r in privacy_due if r.due_at <= now),
        "new_submissions": new_submissions,
        "corrections_pending": corrections,
        "failed_mail": failed,
        "calls": list(calls.values()),
    }


def queue_officer_digest(*, now: datetime) -> int:
    """One digest a day to every active officer."""
    figures = digest_figures(now=now)
    officers = db.session.scalars(select(User).where(User.role == Role.OFFICER, User.active)).all()
    queued = 0
    for officer in officers:
        row = notifications.queue(
            "officer_digest", to=officer, key=figures["day"], context={"name": officer.name, **figures}
        )
        queued += bool(row and row.created_now)
    db.session.flush()
    return queued
