"""Scheduled mail to evaluators: a daily reminder of reviews due within 3 days."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from nup.accounts.models import User
from nup.extensions import db
from nup.notifications import services as notifications
from nup.reviews import queries
from nup.reviews.models import ReviewStage
from nup.timeutil import to_kst

DUE_WITHIN = timedelta(days=3)


def queue_review_reminders(*, now: datetime) -> int:
    """Remind each evaluator with unsubmitted reviews in a stage due within 3 days, once a KST day.

    Idempotent per evaluator and day: a second beat queues nothing more.
    """
    day = to_kst(now).date().isoformat()
    pending = dict(queries.due_soon(before=now + DUE_WITHIN))
    if not pending:
        return 0
    earliest = dict(
        db.session.execute(
            select(ReviewStage.call_id, func.min(ReviewStage.due_at))
            .where(and_(ReviewStage.status == "open", ReviewStage.due_at > now - timedelta(days=365)))
            .group_by(ReviewStage.call_id)
        ).all()
    )
    next_due = min((d for d in earliest.values() if d is not None and d >= now), default=None)
    queued = 0
    for reviewer in db.session.scalars(select(User).where(User.id.in_(pending), User.active)):
        row = notifications.queue(
            "review_reminder",
            to=reviewer,
            key=day,
            context={
                "name": reviewer.name,
                "pending": pending[reviewer.id],
                "due": to_kst(next_due).strftime("%Y-%m-%d %H:%M KST") if next_due else "",
            },
        )
        queued += bool(row and row.created_now)
    db.session.flush()
    return queued
