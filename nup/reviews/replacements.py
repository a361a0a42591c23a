"""Replacing evaluators: after a withdrawal (회피), a recorded conflict, or an upheld objection.

Services flush, never commit; the new evaluator is emailed through the outbox after the commit.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.extensions import db
from nup.notifications import services as notifications
from nup.programmes.models import Call
from nup.reviews import services
from nup.reviews.assigning import ACTIVE, active_pairs, assignable_applications, expertise_of
from nup.reviews.assignment import Candidate, InfeasibleAssignment, Item, plan_assignment
from nup.reviews.models import Assignment, Stage


def replace_reviewer(
    application: Application, stage: str, *, actor: User, now: datetime, rereview: bool = False
) -> Assignment | None:
    """Give the application one more evaluator in the stage (after a recusal or an exclusion).

    Chooses with the optimiser among the panel's evaluators who are free of conflicts and not
    already on it, the least loaded first. Returns None when nobody is left (the officer is
    shown the gap on the evaluation page).
    """
    call = application.call
    members = services.panel_reviewer_ids(call, stage)
    panel = services.panel_for(call, stage, application.track)
    if panel is not None:
        members = sorted(m.reviewer_id for m in panel.members)
    existing = active_pairs(call.id, stage)
    active_here = sum(1 for a, _r, s in existing if a == application.id and s in ACTIVE)
    needed = call.reviewers_per_application - active_here
    if needed <= 0 or not members:
        return None
    load = Counter(r for _a, r, s in existing if s in ACTIVE)
    conflicts = services.conflicts_among(
        call, application_ids=[application.id], reviewer_ids=members, actor=actor, now=now
    )
    excluded = set(conflicts) | {(a, r) for a, r, _s in existing if a == application.id}
    expertise = expertise_of(members)
    try:
        result = plan_assignment(
            [Item(id=application.id, tags=frozenset({application.track}), needed=1)],
            [Candidate(id=r, expertise=expertise.get(r, frozenset()), load=load[r]) for r in members],
            excluded=excluded,
            seed=secrets.randbelow(2**31),
        )
    except InfeasibleAssignment:
        audit.record(actor, "assignment.replacement_missing", application, after={"stage": stage})
        return None
    pair = result.pairs[0]
    (assignment,), _none = services.create_assignments(
        call,
        [(application.id, pair.candidate_id, pair.matched)],
        stage=stage,
        actor=actor,
        now=now,
        rereview=rereview,
    )
    reviewer = db.session.get(User, pair.candidate_id)
    notifications.queue(
        "review_assigned",
        to=reviewer,
        key=f"replacement-{assignment.id}",
        call_id=call.id,
        context={
            "name": reviewer.name,
            "count": 1,
            "call_title_ko": call.title_ko,
            "call_title_en": call.title_en or call.title_ko,
            "due": "",
        },
    )
    audit.record(actor, "assignment.replacement", assignment, after={"reviewer_id": reviewer.id, "stage": stage})
    return assignment


def replace_missing(call: Call, *, actor: User, now: datetime) -> int:
    """Fill every application of the call's open stages that is short of evaluators."""
    made = 0
    for stage in (Stage.DOCUMENT, Stage.PRESENTATION):
        open_stage = services.stage_of(call, stage)
        if open_stage is None or not open_stage.is_open:
            continue
        counts = dict(
            db.session.execute(
                select(Assignment.application_id, func.count())
                .where(Assignment.call_id == call.id, Assignment.stage == stage, Assignment.status.in_(ACTIVE))
                .group_by(Assignment.application_id)
            ).all()
        )
        assigned_before = {a for a, _r, _s in active_pairs(call.id, stage)}
        for application in assignable_applications(call, stage):
            if application.id not in assigned_before:
                continue  # never assigned: the next run handles it
            while counts.get(application.id, 0) < call.reviewers_per_application:
                if replace_reviewer(application, stage, actor=actor, now=now) is None:
                    break
                counts[application.id] = counts.get(application.id, 0) + 1
                made += 1
    return made


def exclude_and_replace(
    application: Application, reviewer: User, *, actor: User, kind: str, reason: str, now: datetime
) -> tuple:
    """Record a conflict and give every open stage that lost the evaluator a replacement.

    Returns the conflict and the replacement assignments (a stage with nobody left gets none;
    the evaluation page shows the gap).
    """
    had = [
        a.stage
        for a in db.session.scalars(
            select(Assignment).where(Assignment.application_id == application.id, Assignment.reviewer_id == reviewer.id)
        )
        if a.active
    ]
    conflict = services.record_conflict(application, reviewer, actor=actor, kind=kind, reason=reason, now=now)
    replacements = []
    for stage_kind in had:
        stage = services.stage_of(application.call, stage_kind)
        if stage is not None and stage.is_open:
            replacement = replace_reviewer(application, stage_kind, actor=actor, now=now)
            if replacement is not None:
                replacements.append(replacement)
    return conflict, replacements


def recuse(assignment: Assignment, *, actor: User, reason: str, now: datetime) -> list[Assignment]:
    """The evaluator withdraws (회피): a conflict is recorded and a replacement found at once."""
    security.require(actor, "assignment.score", assignment)
    stage = services.stage_of(assignment.call, assignment.stage)
    if stage is not None and not stage.is_open and not assignment.rereview:
        raise StateConflict(_l("This stage has closed."))
    _conflict, replacements = exclude_and_replace(
        assignment.application, actor, actor=actor, kind="recusal", reason=reason, now=now
    )
    return replacements
