"""Evaluation tasks: compute an assignment run; re-publish runs a lost message left queued."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import select

from nup import background
from nup.extensions import db
from nup.reviews import assigning
from nup.reviews.models import AssignmentRun, RunStatus
from nup.timeutil import utcnow
from workers.schedule import ASSIGNMENT_RUN_STUCK_AFTER_SECONDS

STUCK_AFTER = timedelta(seconds=ASSIGNMENT_RUN_STUCK_AFTER_SECONDS)  # beat's pace follows it


@shared_task(name=assigning.PLAN_TASK, bind=True, acks_late=True, max_retries=3)
def plan_assignment(self, run_id: int) -> str:
    run = db.session.get(AssignmentRun, run_id)
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return "skipped"  # rolled back, already computed, or discarded
    run.status = RunStatus.RUNNING
    db.session.commit()
    try:
        assigning.compute_run(
            db.session.get(AssignmentRun, run_id),
            now=utcnow(),
            on_progress=lambda fraction: assigning.set_progress(run_id, fraction),
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return db.session.get(AssignmentRun, run_id).status


@shared_task(name="reviews.sweep_runs", acks_late=True)
def sweep_runs() -> int:
    """Publish again every run still queued (or running on a dead worker) after a while."""
    cutoff = utcnow() - STUCK_AFTER
    stuck = db.session.scalars(
        select(AssignmentRun.id).where(
            AssignmentRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)), AssignmentRun.created_at < cutoff
        )
    ).all()
    for run_id in stuck:
        background.send_now(assigning.PLAN_TASK, queue="default", run_id=run_id)
    return len(stuck)
