"""Scheduled emails: each job holds a lock for its period and queues through the outbox."""

from __future__ import annotations

from celery import shared_task

from nup import redis_client
from nup.applications import reminders
from nup.extensions import db
from nup.reports import digest
from nup.reviews import reminders as review_reminders_job
from nup.timeutil import to_kst, utcnow


def _run_once_per_period(name: str, job) -> int:
    """Run `job(now=...)` unless another beat's run for the same period holds the lock.

    The lock saves the work; the outbox's unique key per recipient and period is what
    guarantees one email each, even if two runs overlap anyway.
    """
    now = utcnow()
    with redis_client.exclusive(f"{name}:{to_kst(now).date().isoformat()}", ttl_seconds=600) as mine:
        if not mine:
            return 0
        queued = job(now=now)
        db.session.commit()
        return queued


@shared_task(name="schedules.deadline_reminders", acks_late=True)
def deadline_reminders() -> int:
    return _run_once_per_period("deadline_reminders", reminders.queue_deadline_reminders)


@shared_task(name="schedules.weekly_status", acks_late=True)
def weekly_status() -> int:
    return _run_once_per_period("weekly_status", reminders.queue_weekly_status)


@shared_task(name="schedules.officer_digest", acks_late=True)
def officer_digest() -> int:
    return _run_once_per_period("officer_digest", digest.queue_officer_digest)


@shared_task(name="schedules.review_reminders", acks_late=True)
def review_reminders() -> int:
    return _run_once_per_period("review_reminders", review_reminders_job.queue_review_reminders)
