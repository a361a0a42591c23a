"""Bulk matching: "match every selected startup" computed by a worker, previewed, then committed."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import background, security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import Conflict, DomainError, NotFound
from nup.extensions import db
from nup.mentoring import matching
from nup.mentoring.matches import (
    LIVE_MATCH,
    as_need,
    as_profile,
    conflicts_with,
    monthly_load,
    need_for,
    pool,
    propose_match,
)
from nup.mentoring.models import MatchRun, Mentor, MentorMatch, RunStatus
from nup.reviews.cohort import selected_applications

COMPUTE_TASK = "mentoring.compute_run"
ABANDONED_AFTER = timedelta(minutes=10)


def start_match_run(*, actor: User, call_id: int | None, per_startup: int, now: datetime) -> MatchRun:
    """Queue a bulk run for the selected startups (of one call, or all) that have no live match yet."""
    security.require(actor, "mentoring.manage")
    if per_startup not in (1, 2, 3):
        raise DomainError(fields={"per_startup": [str(_l("Choose 1, 2 or 3 mentors per startup."))]})
    busy = db.session.scalar(select(MatchRun).where(MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING))))
    if busy is not None and now - busy.created_at < ABANDONED_AFTER:
        return busy  # one run at a time: a double click joins the run already going
    if busy is not None:  # no worker took it (the sweeper re-sends it every 2 minutes): give it up
        busy.status, busy.error, busy.finished_at = RunStatus.FAILED, "No worker computed this run in time.", now
    run = MatchRun(call_id=call_id, per_startup=per_startup, created_by_id=actor.id, created_at=now)
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "mentor_match_run.started", run, after={"call_id": call_id, "per_startup": per_startup})
    background.enqueue(COMPUTE_TASK, queue="default", run_id=run.id)
    return run


def compute_match_run(run_id: int, *, now: datetime) -> MatchRun | None:
    """Work out the proposals of a queued run (the worker); stores a preview, proposes nothing."""
    run = db.session.get(MatchRun, run_id)
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    run.status = RunStatus.RUNNING
    applications = selected_applications(call_id=run.call_id)
    matched = set(db.session.scalars(select(MentorMatch.application_id).where(MentorMatch.status.in_(LIVE_MATCH))))
    waiting = [a for a in applications if a.id not in matched]
    needs = [need_for(a, now=now) for a in waiting]
    mentors = pool()
    load = monthly_load([m.id for m in mentors])
    excluded = {(a.id, m_id) for a in waiting for m_id in conflicts_with(a, mentors)}
    plan = matching.match_all(
        [as_need(n) for n in needs],
        [as_profile(m, load.get(m.id, 0.0)) for m in mentors],
        excluded=excluded,
        per_startup=run.per_startup,
    )
    run.proposals = [
        {
            "application_id": startup_id,
            "mentor_id": mentor_id,
            "score": suggestion.score,
            "reasons": [reason.__dict__ for reason in suggestion.reasons],
        }
        for startup_id, mentor_id, suggestion in plan.pairs
    ]
    run.unmatched = [{"application_id": startup_id, "why": why} for startup_id, why in plan.unmatched]
    run.status, run.finished_at = RunStatus.READY, now
    return run


def commit_match_run(run: MatchRun, *, actor: User, skip: set[tuple[int, int]], now: datetime) -> tuple[int, list]:
    """Propose every previewed pair except `skip`; return how many and the pairs that no longer fit, with why."""
    security.require(actor, "mentoring.manage")
    # Lock the run: two officers committing at once would otherwise both propose every pair.
    db.session.execute(select(MatchRun.id).where(MatchRun.id == run.id).with_for_update())
    db.session.refresh(run)
    if run.status == RunStatus.COMMITTED:
        return 0, []
    if run.status != RunStatus.READY:
        raise Conflict(_l("This run has no preview to commit."))
    made, refused = 0, []
    for proposal in run.proposals:
        pair = (proposal["application_id"], proposal["mentor_id"])
        if pair in skip:
            continue
        application = db.session.get(Application, pair[0])
        mentor = db.session.get(Mentor, pair[1])
        try:
            propose_match(application, mentor, actor=actor, now=now, run_id=run.id)
            made += 1
        except Conflict as error:  # changed since the preview: capacity taken, mentor inactive, a new conflict
            refused.append((pair, error.message))
    run.status, run.committed_at = RunStatus.COMMITTED, now
    audit.record(actor, "mentor_match_run.committed", run, after={"proposed": made, "refused": len(refused)})
    return made, refused


def discard_match_run(run: MatchRun, *, actor: User) -> MatchRun:
    """Drop a preview, or a run still waiting for a worker; a committed run stays."""
    security.require(actor, "mentoring.manage")
    if run.status == RunStatus.COMMITTED:
        raise Conflict(_l("A committed run cannot be discarded; end its matches one by one."))
    run.status = RunStatus.DISCARDED
    audit.record(actor, "mentor_match_run.discarded", run)
    return run


def get_run(run_id: int) -> MatchRun:
    run = db.session.get(MatchRun, run_id)
    if run is None:
        raise NotFound()
    return run


def fail_match_run(run_id: int, *, error: str, now: datetime) -> None:
    run = db.session.get(MatchRun, run_id)
    if run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        run.status, run.error, run.finished_at = RunStatus.FAILED, error[:2000], now


def latest_run() -> MatchRun | None:
    return db.session.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
