"""Assigning evaluators: optimiser runs, queued, previewed, edited and committed.

The optimiser itself is the pure `nup.reviews.assignment.plan_assignment`; this module feeds
it from the database and turns a plan into assignments. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import background, security
from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.programmes.models import Call
from nup.reviews import services
from nup.reviews.assignment import Candidate, InfeasibleAssignment, Item, plan_assignment
from nup.reviews.models import (
    Assignment,
    AssignmentRun,
    AssignmentStatus,
    Decision,
    EvaluatorProfile,
    Outcome,
    Panel,
    RunStatus,
    Stage,
)
from nup.timeutil import to_kst

PLAN_TASK = "reviews.plan_assignment"
ACTIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT, AssignmentStatus.SUBMITTED)
ASSIGNABLE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.RESULT)


class CallStillOpen(StateConflict):
    code = "call_open"
    default_message = _l("Evaluators are assigned after the call has closed.")


class NoPanel(DomainError):
    code = "no_panel"
    default_message = _l("Put evaluators on a panel for this stage first.")


class InfeasiblePlan(DomainError):
    """No plan keeps every rule; the report lists the applications short of evaluators.

    When a conflict of interest is what leaves an application short (an officer named only
    evaluators tied to it), the refusal names each such pair.
    """

    code = "infeasible"

    def __init__(self, report: dict):
        shortfalls = report.get("shortfalls") or []
        fields = {
            f"application:{s['application_id']}": [
                str(_l("needs %(needed)d, %(available)d available", needed=s["needed"], available=s["available"]))
            ]
            for s in shortfalls
        }
        message = _l("No assignment keeps every rule: %(reason)s", reason=report.get("message", ""))
        conflicts = {
            (c["application_id"], c["reviewer_id"]): c.get("reason", "") for c in report.get("conflicts") or []
        }
        if conflicts:
            self.code = services.ConflictOfInterest.code
            described = services.describe_conflicts(conflicts)
            fields["reviewer_ids"] = [text for _pair, text in described]
            for (application_id, _reviewer_id), text in described:
                fields.setdefault(f"application:{application_id}", []).append(text)
            message = _l(
                "No assignment keeps every rule: a conflict of interest forbids %(pairs)s",
                pairs="; ".join(text for _pair, text in described),
            )
        super().__init__(message, fields=fields)


class RunNotReady(StateConflict):
    default_message = _l("This assignment run cannot be changed in its current state.")


def assignable_applications(call: Call, stage: str) -> list[Application]:
    """The applications a stage evaluates.

    Document round: submitted, eligible, with every required document (an incomplete file at
    the deadline is not evaluated). Presentation round: those the document round advanced.
    """
    if stage == Stage.PRESENTATION:
        query = (
            select(Application)
            .join(Decision, Decision.application_id == Application.id)
            .where(
                Application.call_id == call.id,
                Decision.stage == Stage.DOCUMENT,
                Decision.outcome == Outcome.ADVANCED,
            )
        )
    else:
        query = select(Application).where(
            Application.call_id == call.id,
            Application.status.in_(ASSIGNABLE_STATUSES),
            Application.eligible.is_(True),
        )
    return list(db.session.scalars(query.order_by(Application.id)))


def active_pairs(call_id: int, stage: str) -> list[tuple[int, int, str]]:
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.reviewer_id, Assignment.status).where(
            Assignment.call_id == call_id, Assignment.stage == stage
        )
    )
    return [(a, r, s) for a, r, s in rows]


def _groups(call: Call, stage: str, applications: list[Application], reviewer_ids: list[int] | None):
    """Applications grouped by the panel that reviews them: (reviewer ids, applications)."""
    if reviewer_ids is not None:
        return [(sorted(set(reviewer_ids)), applications)]
    panels = db.session.scalars(select(Panel).where(Panel.call_id == call.id, Panel.stage == stage)).all()
    by_track = {p.track: sorted(m.reviewer_id for m in p.members) for p in panels}
    general = by_track.get("")
    grouped: dict[tuple[int, ...], list[Application]] = defaultdict(list)
    missing: list[str] = []
    for application in applications:
        members = by_track.get(application.track) or general
        if not members:
            missing.append(application.track)
            continue
        grouped[tuple(members)].append(application)
    if missing:
        raise NoPanel(_l("No panel covers the track(s): %(tracks)s.", tracks=", ".join(sorted(set(missing)))))
    return [(list(members), apps) for members, apps in grouped.items()]


def expertise_of(reviewer_ids) -> dict[int, frozenset[str]]:
    """Each evaluator's declared fields of expertise, in one query (for the optimiser)."""
    rows = db.session.execute(
        select(EvaluatorProfile.user_id, EvaluatorProfile.expertise).where(
            EvaluatorProfile.user_id.in_(list(reviewer_ids))
        )
    )
    return {user_id: frozenset(expertise or []) for user_id, expertise in rows}


def start_run(
    call: Call,
    *,
    actor: User,
    stage: str = Stage.DOCUMENT,
    reviewer_ids: list[int] | None = None,
    per_application: int | None = None,
    seed: int | None = None,
    commit_when_ready: bool = False,
    queue_task: bool = True,
    now: datetime,
) -> AssignmentRun:
    """Queue an optimiser run for the call's stage; the worker computes the plan after the commit."""
    security.require(actor, "reviews.manage")
    if stage == Stage.DOCUMENT and now < call.closes_at:
        raise CallStillOpen()
    if reviewer_ids is not None:
        reviewers = db.session.scalars(select(User).where(User.id.in_(reviewer_ids))).all()
        if len(reviewers) != len(set(reviewer_ids)) or any(r.role != security.REVIEWER for r in reviewers):
            raise services.NotAnEvaluator(fields={"reviewer_ids": [str(services.NotAnEvaluator.default_message)]})
    elif not services.panel_reviewer_ids(call, stage):
        raise NoPanel()
    n = per_application or call.reviewers_per_application
    if n < 1:
        raise DomainError(_l("At least one evaluator per application."))
    run = AssignmentRun(
        call_id=call.id,
        stage=stage,
        status=RunStatus.QUEUED,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        reviewer_ids=sorted(set(reviewer_ids)) if reviewer_ids is not None else [],
        per_application=n,
        commit_when_ready=commit_when_ready,
        created_by_id=actor.id,
        created_at=now,
        plan=[],
        report={},
    )
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "assignment.run_started", run, after={"stage": stage, "seed": run.seed, "per_application": n})
    if queue_task:
        background.enqueue(PLAN_TASK, run_id=run.id)
    return run


def compute_run(run: AssignmentRun, *, now: datetime, on_progress=None) -> AssignmentRun:
    """Compute the run's plan (or its infeasibility report); commit it too if the run asks for that."""
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    call = db.session.get(Call, run.call_id)
    applications = assignable_applications(call, run.stage)
    existing = active_pairs(call.id, run.stage)
    kept = Counter(a for a, _r, s in existing if s in ACTIVE)
    load = Counter(r for _a, r, s in existing if s in ACTIVE)
    try:
        groups = _groups(call, run.stage, applications, run.reviewer_ids or None)
    except DomainError as error:
        return _fail(run, now, str(error), [])
    # Conflicted pairs (recorded, or 제척 ties found now and recorded) are forbidden up front.
    conflicts = services.conflicts_among(
        call,
        application_ids=[a.id for a in applications],
        reviewer_ids={r for g, _ in groups for r in g},
        actor=db.session.get(User, run.created_by_id),
        now=now,
    )
    excluded = set(conflicts) | {(a, r) for a, r, _s in existing}
    expertise = expertise_of({r for g, _ in groups for r in g})
    plan: list[list] = []
    loads: dict[int, int] = {}
    spreads, matched, total_new = [], 0, 0
    for index, (reviewer_ids, apps) in enumerate(groups):
        items = [
            Item(id=a.id, tags=frozenset({a.track}), needed=max(0, run.per_application - kept[a.id])) for a in apps
        ]
        candidates = [Candidate(id=r, expertise=expertise.get(r, frozenset()), load=load[r]) for r in reviewer_ids]
        try:
            result = plan_assignment(
                items,
                candidates,
                excluded=excluded,
                seed=run.seed + index,
                progress=(lambda f, i=index: on_progress((i + f) / len(groups))) if on_progress else None,
            )
        except InfeasibleAssignment as error:
            short = {s.item_id for s in error.shortfalls}
            members = set(reviewer_ids)
            return _fail(
                run,
                now,
                error.message,
                [{"application_id": s.item_id, "needed": s.needed, "available": s.available} for s in error.shortfalls],
                [
                    {"application_id": a, "reviewer_id": r, "reason": reason}
                    for (a, r), reason in sorted(conflicts.items())
                    if a in short and r in members
                ],
            )
        plan += [[p.item_id, p.candidate_id, p.matched] for p in result.pairs]
        loads.update({str(k): v for k, v in result.loads.items()})
        spreads.append(result.spread)
        matched += sum(1 for p in result.pairs if p.matched)
        total_new += len(result.pairs)
    run.plan = plan
    run.report = {
        "applications": len(applications),
        "new_assignments": total_new,
        "kept_assignments": sum(kept.values()),
        "spread": max(spreads, default=0),
        "balanced": all(s <= 1 for s in spreads),
        "matched_share": round(matched / total_new, 4) if total_new else 1.0,
        "loads": loads,
    }
    run.status, run.progress, run.finished_at = RunStatus.READY, 1.0, now
    db.session.flush()
    if run.commit_when_ready:
        commit_run(run, actor=db.session.get(User, run.created_by_id), now=now)
    return run


def _fail(
    run: AssignmentRun, now: datetime, message: str, shortfalls: list[dict], conflicts: list[dict] | None = None
) -> AssignmentRun:
    run.status, run.finished_at, run.progress = RunStatus.FAILED, now, 1.0
    run.report = {"message": message, "shortfalls": shortfalls}
    if conflicts:
        run.report["conflicts"] = conflicts
    db.session.flush()
    return run


def set_progress(run_id: int, fraction: float) -> None:
    """Record progress on a connection of its own, so the officer's page sees it while the run works."""
    with db.engine.begin() as connection:
        connection.execute(
            AssignmentRun.__table__.update().where(AssignmentRun.id == run_id).values(progress=round(fraction, 3))
        )


def edit_run(
    run: AssignmentRun,
    *,
    actor: User,
    application_id: int,
    remove_reviewer_id: int,
    add_reviewer_id: int,
    now: datetime,
) -> AssignmentRun:
    """Swap one evaluator for another on one application in a ready plan, keeping every rule."""
    security.require(actor, "reviews.manage")
    if run.status != RunStatus.READY:
        raise RunNotReady()
    plan = [list(p) for p in run.plan]
    on_app = {r for a, r, _m in plan if a == application_id}
    if remove_reviewer_id not in on_app:
        raise DomainError(_l("That evaluator is not proposed for this application."))
    if add_reviewer_id in on_app or any(
        a == application_id and r == add_reviewer_id for a, r, _s in active_pairs(run.call_id, run.stage)
    ):
        raise DomainError(_l("That evaluator already reviews this application."))
    allowed = set(run.reviewer_ids) or set(services.panel_reviewer_ids(db.session.get(Call, run.call_id), run.stage))
    if add_reviewer_id not in allowed:
        raise DomainError(_l("Choose an evaluator from the panel."))
    conflicts = services.conflicts_among(
        db.session.get(Call, run.call_id),
        application_ids=[application_id],
        reviewer_ids=[add_reviewer_id],
        actor=actor,
        now=now,
    )
    if conflicts:
        raise services.ConflictOfInterest(conflicts, field="add_reviewer_id")
    for pair in plan:
        if pair[0] == application_id and pair[1] == remove_reviewer_id:
            pair[1], pair[2] = add_reviewer_id, False
    run.plan = plan
    loads = dict(run.report.get("loads", {}))
    loads[str(remove_reviewer_id)] = loads.get(str(remove_reviewer_id), 1) - 1
    loads[str(add_reviewer_id)] = loads.get(str(add_reviewer_id), 0) + 1
    values = list(loads.values())
    run.report = {**run.report, "loads": loads, "spread": max(values) - min(values), "edited": True}
    db.session.flush()
    audit.record(
        actor,
        "assignment.plan_edited",
        run,
        before={"application_id": application_id, "reviewer_id": remove_reviewer_id},
        after={"application_id": application_id, "reviewer_id": add_reviewer_id},
    )
    return run


def commit_run(run: AssignmentRun, *, actor: User, now: datetime) -> int:
    """Turn a ready plan into assignments, open the stage and tell each evaluator once.

    Pairs that became conflicted or assigned since the plan was made are skipped (and counted
    in the report), so a commit never breaks a rule the plan kept. Returns how many were made.
    """
    security.require(actor, "reviews.manage")
    # Lock the call's row: two commits for one call (two officers, two API jobs) run one at a time.
    call = db.session.scalar(select(Call).where(Call.id == run.call_id).with_for_update())
    db.session.refresh(run)
    if run.status != RunStatus.READY:
        raise RunNotReady()
    existing = active_pairs(call.id, run.stage)
    taken = {(a, r) for a, r, _s in existing}
    # Never more evaluators on an application than the run asks for, whatever committed meanwhile.
    live = Counter(a for a, _r, s in existing if s in ACTIVE)
    stage = services.stage_of(call, run.stage) or services.open_stage(
        call, run.stage, actor=actor, due_at=None, now=now
    )
    wanted, skipped = [], 0
    for application_id, reviewer_id, matched in run.plan:
        if (application_id, reviewer_id) in taken or live[application_id] >= run.per_application:
            skipped += 1
            continue
        live[application_id] += 1
        taken.add((application_id, reviewer_id))
        wanted.append((application_id, reviewer_id, matched))
    # The conflict check runs again at this moment: ties declared since the plan was made count.
    created, conflicted = services.create_assignments(
        call, wanted, stage=run.stage, actor=actor, now=now, run_id=run.id, refuse=False
    )
    made, skipped = len(created), skipped + len(conflicted)
    per_reviewer = Counter(a.reviewer_id for a in created)
    applied = {a for a, _r, _m in run.plan}
    if applied:
        db.session.execute(
            Application.__table__.update()
            .where(Application.id.in_(applied), Application.status == ApplicationStatus.SUBMITTED)
            .values(status=ApplicationStatus.UNDER_REVIEW)
        )
    run.status, run.committed_at, run.committed_by_id = RunStatus.COMMITTED, now, actor.id
    run.report = {**run.report, "committed": made, "skipped_at_commit": skipped}
    # Other proposals for this round were computed before this commit: they are out of date.
    for other in db.session.scalars(
        select(AssignmentRun).where(
            AssignmentRun.call_id == call.id,
            AssignmentRun.stage == run.stage,
            AssignmentRun.id != run.id,
            AssignmentRun.status.in_((RunStatus.READY, RunStatus.QUEUED)),
        )
    ):
        other.status = RunStatus.DISCARDED
        other.report = {**(other.report or {}), "superseded_by": run.id}
    db.session.flush()
    due = stage.due_at
    for reviewer in db.session.scalars(select(User).where(User.id.in_(per_reviewer))):
        notifications.queue(
            "review_assigned",
            to=reviewer,
            key=f"run-{run.id}",
            call_id=call.id,
            context={
                "name": reviewer.name,
                "count": per_reviewer[reviewer.id],
                "call_title_ko": call.title_ko,
                "call_title_en": call.title_en or call.title_ko,
                "due": to_kst(due).strftime("%Y-%m-%d %H:%M KST") if due else "",
            },
        )
    audit.record(actor, "assignment.committed", run, after={"created": made, "skipped": skipped, "seed": run.seed})
    return made


def discard_run(run: AssignmentRun, *, actor: User) -> None:
    security.require(actor, "reviews.manage")
    if run.status not in (RunStatus.READY, RunStatus.FAILED, RunStatus.QUEUED):
        raise RunNotReady()
    run.status = RunStatus.DISCARDED
    audit.record(actor, "assignment.run_discarded", run)
