"""Overseas-support tasks: the daily at-risk refresh and the KPI-report and milestone reminders."""

from __future__ import annotations

from celery import shared_task

from nup.extensions import db
from nup.overseas import reminders
from nup.timeutil import utcnow


@shared_task(name="overseas.daily", acks_late=True)
def daily() -> dict:
    """Refresh every active plan's at-risk flag, then queue today's reminders (both idempotent)."""
    try:
        at_risk = reminders.refresh_all_risks(now=utcnow())
        queued = reminders.queue_overseas_reminders(now=utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"at_risk": at_risk, "queued": queued}
