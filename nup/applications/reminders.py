"""Scheduled mail to applicants: deadline reminders for drafts, and the weekly status email."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from nup.accounts.models import User
from nup.applications import services
from nup.applications.models import Application, ApplicationStatus, Document, DocumentReview
from nup.extensions import db
from nup.notifications import services as notifications
from nup.programmes.models import Call, CallStatus
from nup.programmes.policy import prioritised
from nup.timeutil import to_kst

REMINDER_DAYS = (3, 1)


def queue_deadline_reminders(*, now: datetime) -> int:
    """Remind owners of unsubmitted drafts 3 days and 1 day before a call's deadline (KST days).

    Idempotent per call, day and person: running twice (two beats) queues nothing more.
    """
    today = to_kst(now).date()
    calls = db.session.scalars(select(Call).where(Call.status == CallStatus.PUBLISHED, Call.closes_at > now)).all()
    queued = 0
    for call in calls:
        days_left = (to_kst(call.closes_at).date() - today).days
        if days_left not in REMINDER_DAYS:
            continue
        rows = db.session.execute(
            select(Application, User)
            .join(User, User.id == Application.user_id)
            .where(Application.call_id == call.id, Application.status == ApplicationStatus.DRAFT, User.active)
        ).all()
        for application, user in rows:
            missing = services.checklist(application)
            row = notifications.queue(
                "deadline_reminder",
                to=user,
                key=f"{call.id}:D-{days_left}",
                call_id=call.id,
                priority=prioritised(call, application.physical_ai),
                context={
                    "name": user.name,
                    "days_left": days_left,
                    "deadline": to_kst(call.closes_at).strftime("%Y-%m-%d %H:%M KST"),
                    "call_title_ko": call.title_ko,
                    "call_title_en": call.title_en or call.title_ko,
                    "application_id": application.id,
                    "missing": missing["documents"] + missing["fields"],
                },
            )
            queued += bool(row and row.created_now)
    db.session.flush()
    return queued


def queue_weekly_status(*, now: datetime) -> int:
    """One email a week to each applicant whose application changed or awaits an action."""
    week = to_kst(now).isocalendar()
    since = now - timedelta(days=7)
    corrections = select(Document.application_id).where(Document.review_status == DocumentReview.CORRECTION)
    rows = db.session.execute(
        select(Application, User, Call)
        .join(User, User.id == Application.user_id)
        .join(Call, Call.id == Application.call_id)
        .where(
            User.active,
            or_(
                Application.updated_at >= since,
                Application.submitted_at >= since,
                Application.id.in_(corrections),
                (Application.status == ApplicationStatus.DRAFT) & (Call.closes_at > now),
            ),
        )
        .order_by(User.id, Application.id)
    ).all()
    by_user: dict[int, tuple[User, list[dict]]] = {}
    for application, user, call in rows:
        action = _awaited_action(application, call, now)
        by_user.setdefault(user.id, (user, []))[1].append(
            {
                "title_ko": call.title_ko,
                "title_en": call.title_en or call.title_ko,
                "status": application.status,
                "action": action,
                "application_id": application.id,
                "receipt_number": application.receipt_number or "",
            }
        )
    queued = 0
    for user, items in by_user.values():
        row = notifications.queue(
            "weekly_status", to=user, key=f"{week.year}-W{week.week:02d}", context={"name": user.name, "items": items}
        )
        queued += bool(row and row.created_now)
    db.session.flush()
    return queued


def _awaited_action(application: Application, call: Call, now: datetime) -> str:
    if any(d.review_status == DocumentReview.CORRECTION for d in application.documents):
        return "correct_documents"
    if application.status == ApplicationStatus.DRAFT and call.closes_at > now:
        return "submit"
    return ""
