"""Mentoring tasks: compute a bulk match run, send session reminders, re-publish lost runs."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import select

from nup import background
from nup.extensions import db
from nup.mentoring import runs, sessions
from nup.mentoring.models import MatchRun, RunStatus
from nup.timeutil import utcnow
from workers.schedule import MATCH_RUN_STUCK_AFTER_SECONDS

STUCK_AFTER = timedelta(seconds=MATCH_RUN_STUCK_AFTER_SECONDS)  # beat's pace follows it


@shared_task(name=runs.COMPUTE_TASK, acks_late=True)
def compute_run(run_id: int) -> str:
    try:
        run = runs.compute_match_run(run_id, now=utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        runs.fail_match_run(run_id, error=f"{type(error).__name__}: {error}", now=utcnow())
        db.session.commit()
        raise
    return run.status if run is not None else "missing"


@shared_task(name="mentoring.session_reminders", acks_late=True)
def session_reminders() -> int:
    count = sessions.send_due_reminders(now=utcnow())
    db.session.commit()
    return count


@shared_task(name="mentoring.sweep_runs", acks_late=True)
def sweep_runs() -> int:
    """Publish again every run still queued after a while (its message was lost)."""
    cutoff = utcnow() - STUCK_AFTER
    stuck = db.session.scalars(
        select(MatchRun.id).where(MatchRun.status == RunStatus.QUEUED, MatchRun.created_at < cutoff)
    ).all()
    for run_id in stuck:
        background.send_now(runs.COMPUTE_TASK, queue="default", run_id=run_id)
    return len(stuck)
