"""Evaluator pool, panels, the integrity pledge, conflicts of interest and review stages.

Services flush, never commit. Every decision writes an audit row in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError, NotFound
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import conflicts as coi
from nup.reviews.models import (
    Assignment,
    AssignmentStatus,
    Conflict,
    ConflictKind,
    ConflictStatus,
    EvaluatorProfile,
    Panel,
    PanelMember,
    Pledge,
    ReviewStage,
    Stage,
    StageStatus,
)

PLEDGE_VERSION = "2026-1"
GENDERS = ("female", "male", "undisclosed")


class PledgeRequired(DomainError):
    code = "pledge_required"
    status = 409
    default_message = _l("Sign the integrity pledge for this call before you score.")


class NotAnEvaluator(DomainError):
    code = "not_an_evaluator"
    default_message = _l("That account is not an evaluator.")


# ------------------------------------------------------------------ evaluator pool


def profile_of(user: User) -> EvaluatorProfile:
    """The evaluator's declarations (an empty profile the first time)."""
    profile = db.session.get(EvaluatorProfile, user.id)
    if profile is None:
        profile = EvaluatorProfile(user_id=user.id, past_employers=[], investments=[], advisory_roles=[], expertise=[])
        db.session.add(profile)
    return profile


def save_profile(
    evaluator: User,
    *,
    actor: User,
    organisation: str,
    position: str = "",
    past_employers: list[str],
    investments: list[str],
    advisory_roles: list[str],
    expertise: list[str],
    gender: str,
    market_expert: bool,
    now: datetime,
) -> EvaluatorProfile:
    """Record an evaluator's declarations; re-run the exclusion check on open evaluations.

    The evaluator may change their own declarations; officers may change anyone's. New ties
    found by the check exclude the evaluator at once (assignments on those applications end).
    """
    if not (actor.id == evaluator.id or security.can(actor, "reviews.manage")):
        raise security.PermissionDenied()
    if evaluator.role != security.REVIEWER:
        raise NotAnEvaluator()
    if gender not in GENDERS:
        raise DomainError(_l("Choose a listed option."), fields={"gender": [str(_l("Choose a listed option."))]})
    profile = profile_of(evaluator)
    before = _profile_dict(profile)
    ties_changed = (
        organisation.strip() != profile.organisation
        or _clean(past_employers) != list(profile.past_employers or [])
        or _clean(investments) != list(profile.investments or [])
        or _clean(advisory_roles) != list(profile.advisory_roles or [])
    )
    if ties_changed and actor.id == evaluator.id and _has_live_assignments(evaluator):
        # Trying names one by one and watching which blind review disappears would reveal who is
        # behind it: while reviews are in progress, only the programme office changes these.
        raise DomainError(
            _l(
                "While you have reviews in progress, the programme office changes your declared ties. "
                "Write to them, or withdraw from a review where you have a conflict of interest."
            )
        )
    profile.organisation = organisation.strip()
    profile.position = position.strip()
    profile.past_employers = _clean(past_employers)
    profile.investments = _clean(investments)
    profile.advisory_roles = _clean(advisory_roles)
    profile.expertise = _clean(expertise)
    profile.gender = gender
    profile.market_expert = market_expert
    profile.updated_at = now
    db.session.flush()
    audit.record(actor, "evaluator.declarations_saved", evaluator, before=before, after=_profile_dict(profile))
    call_ids = set(
        db.session.scalars(select(Panel.call_id).join(PanelMember).where(PanelMember.reviewer_id == evaluator.id))
    ) | set(db.session.scalars(select(Assignment.call_id).where(Assignment.reviewer_id == evaluator.id)))
    for call in db.session.scalars(select(Call).where(Call.id.in_(call_ids)).order_by(Call.id)).all():
        detect_exclusions(call, actor=actor, now=now, reviewer_ids=[evaluator.id])
    return profile


def _has_live_assignments(evaluator: User) -> bool:
    return (
        db.session.scalar(
            select(Assignment.id)
            .where(
                Assignment.reviewer_id == evaluator.id,
                Assignment.status.in_((AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT, AssignmentStatus.SUBMITTED)),
            )
            .limit(1)
        )
        is not None
    )


def _clean(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items[:50]:  # a declaration list, not a directory
        text = item.strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def _profile_dict(profile: EvaluatorProfile) -> dict:
    return {
        "organisation": profile.organisation,
        "past_employers": list(profile.past_employers or []),
        "investments": list(profile.investments or []),
        "advisory_roles": list(profile.advisory_roles or []),
        "expertise": list(profile.expertise or []),
        "gender": profile.gender,
        "market_expert": profile.market_expert,
    }


# ------------------------------------------------------------------------- panels


def panel_for(call: Call, stage: str, track: str = "") -> Panel | None:
    return db.session.scalar(
        select(Panel).where(Panel.call_id == call.id, Panel.stage == stage, Panel.track == (track or ""))
    )


def set_panel(
    call: Call, *, actor: User, stage: str, track: str, reviewer_ids: list[int], name: str = "", now: datetime
) -> Panel:
    """Create or replace the members of the call's panel for a stage and track (empty = all tracks).

    Runs the exclusion check for the members. Members who already hold assignments stay
    assigned; removing someone from a panel does not withdraw their reviews.
    """
    security.require(actor, "reviews.manage")
    if stage not in set(Stage):
        raise DomainError(_l("Unknown stage."))
    if track and call.track(track) is None:
        raise DomainError(_l("Unknown track."), fields={"track": [str(_l("Unknown track."))]})
    members = db.session.scalars(select(User).where(User.id.in_(reviewer_ids))).all() if reviewer_ids else []
    if len(members) != len(set(reviewer_ids)) or any(m.role != security.REVIEWER or not m.active for m in members):
        raise NotAnEvaluator(fields={"reviewer_ids": [str(NotAnEvaluator.default_message)]})
    panel = panel_for(call, stage, track)
    before = sorted(m.reviewer_id for m in panel.members) if panel else []
    if panel is None:
        panel = Panel(call_id=call.id, stage=stage, track=track or "", name=name, created_at=now)
        db.session.add(panel)
    panel.name = name or panel.name
    wanted = {m.id for m in members}
    panel.members = [m for m in panel.members if m.reviewer_id in wanted] + [
        PanelMember(reviewer_id=rid, added_at=now) for rid in sorted(wanted - {m.reviewer_id for m in panel.members})
    ]
    db.session.flush()
    audit.record(actor, "panel.members_set", panel, before={"members": before}, after={"members": sorted(wanted)})
    detect_exclusions(call, actor=actor, now=now, reviewer_ids=sorted(wanted))
    return panel


def panel_reviewer_ids(call: Call, stage: str) -> list[int]:
    """Every evaluator on any of the call's panels for the stage."""
    return sorted(
        set(
            db.session.scalars(
                select(PanelMember.reviewer_id).join(Panel).where(Panel.call_id == call.id, Panel.stage == stage)
            )
        )
    )


# ------------------------------------------------------------------------- pledge


def has_pledged(reviewer: User, call_id: int) -> bool:
    return call_id in pledged_calls(reviewer, [call_id])


def pledged_calls(reviewer: User, call_ids) -> set[int]:
    """Of `call_ids`, those whose integrity pledge the evaluator has signed (one query)."""
    ids = list(call_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(select(Pledge.call_id).where(Pledge.reviewer_id == reviewer.id, Pledge.call_id.in_(ids)))
    )


def sign_pledge(call: Call, *, actor: User, ip: str | None, now: datetime) -> Pledge:
    """Record the evaluator's integrity pledge (청렴서약) for the call; signing twice keeps the first."""
    security.require(actor, "evaluator.pages")
    existing = db.session.scalar(select(Pledge).where(Pledge.call_id == call.id, Pledge.reviewer_id == actor.id))
    if existing is not None:
        return existing
    pledge = Pledge(
        call_id=call.id, reviewer_id=actor.id, statement_version=PLEDGE_VERSION, signed_at=now, ip_address=ip
    )
    db.session.add(pledge)
    db.session.flush()
    audit.record(actor, "pledge.signed", pledge, after={"call_id": call.id, "version": PLEDGE_VERSION}, ip=ip)
    return pledge


# ---------------------------------------------------------------------- conflicts


def conflicted_pairs(call_id: int) -> set[tuple[int, int]]:
    """(application_id, reviewer_id) of every active conflict on the call."""
    rows = db.session.execute(
        select(Conflict.application_id, Conflict.reviewer_id).where(
            Conflict.call_id == call_id, Conflict.status == ConflictStatus.ACTIVE, Conflict.reviewer_id.is_not(None)
        )
    )
    return {(a, r) for a, r in rows}


def is_conflicted(application_id: int, reviewer_id: int) -> bool:
    return (
        db.session.scalar(
            select(Conflict.id).where(
                Conflict.application_id == application_id,
                Conflict.reviewer_id == reviewer_id,
                Conflict.status == ConflictStatus.ACTIVE,
            )
        )
        is not None
    )


def _end_assignments(application_id: int, reviewer_id: int, *, now: datetime, status: str, reason: str) -> list[int]:
    """End the evaluator's open assignments on the application; return the stages that need a replacement."""
    stages = []
    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.application_id == application_id, Assignment.reviewer_id == reviewer_id)
    ):
        if assignment.active:
            assignment.status = status
            assignment.recusal_reason = reason
            assignment.updated_at = now
            stages.append(assignment.stage)
    return stages


def record_conflict(
    application: Application,
    reviewer: User,
    *,
    actor: User,
    kind: str,
    reason: str,
    now: datetime,
) -> Conflict:
    """Record an active conflict; the evaluator loses any assignment on the application at once.

    A replacement evaluator is found by the assignment service for each stage that lost one
    (the caller asks for it with `replace_assignments`). Recording the same conflict again
    returns the existing one.
    """
    if kind == ConflictKind.RECUSAL:
        if actor.id != reviewer.id:
            raise security.PermissionDenied()
    else:
        security.require(actor, "reviews.manage")
    if reviewer.role != security.REVIEWER:
        raise NotAnEvaluator(fields={"reviewer_id": [str(NotAnEvaluator.default_message)]})
    if not reason.strip():
        raise DomainError(_l("Give the reason."), fields={"reason": [str(_l("Give the reason."))]})
    existing = db.session.scalar(
        select(Conflict).where(
            Conflict.application_id == application.id,
            Conflict.reviewer_id == reviewer.id,
            Conflict.kind == kind,
            Conflict.status == ConflictStatus.ACTIVE,
        )
    )
    if existing is not None:
        return existing
    conflict = Conflict(
        call_id=application.call_id,
        application_id=application.id,
        reviewer_id=reviewer.id,
        kind=kind,
        status=ConflictStatus.ACTIVE,
        reason=reason.strip(),
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(conflict)
    ended = AssignmentStatus.RECUSED if kind == ConflictKind.RECUSAL else AssignmentStatus.REMOVED
    _end_assignments(application.id, reviewer.id, now=now, status=ended, reason=reason.strip())
    db.session.flush()
    audit.record(
        actor,
        f"conflict.{kind}",
        conflict,
        after={"application_id": application.id, "reviewer_id": reviewer.id, "reason": conflict.reason},
    )
    return conflict


def _assigned_reviewer_ids(call_id: int) -> set[int]:
    return set(db.session.scalars(select(Assignment.reviewer_id).where(Assignment.call_id == call_id)))


def exclusion_ties_among(call: Call, *, reviewer_ids, application_ids=None) -> dict[tuple[int, int], list[coi.Tie]]:
    """The 제척 ties between these evaluators' declarations and the call's applications.

    (application_id, reviewer_id) -> ties, from `nup.reviews.conflicts.exclusion_ties` (the one
    matcher). Without `application_ids`, every submitted application of the call.
    """
    ids = sorted(set(reviewer_ids))
    if not ids:
        return {}
    profiles = db.session.scalars(select(EvaluatorProfile).where(EvaluatorProfile.user_id.in_(ids))).all()
    declared = {
        p.user_id: coi.Declarations(p.organisation, p.past_employers or [], p.investments or [], p.advisory_roles or [])
        for p in profiles
    }
    if not declared:
        return {}
    query = select(
        Application.id, Application.company_name, Application.business_registration_number, Application.ceo_name
    ).where(Application.call_id == call.id)
    if application_ids is None:
        query = query.where(Application.submitted_at.is_not(None))
    else:
        wanted = set(application_ids)
        if not wanted:
            return {}
    found: dict[tuple[int, int], list[coi.Tie]] = {}
    for application_id, name, brn, ceo in db.session.execute(query.order_by(Application.id)):
        if application_ids is not None and application_id not in wanted:
            continue
        company = coi.Company(name or "", brn, ceo or "")
        for reviewer_id, declarations in declared.items():
            ties = coi.exclusion_ties(declarations, company)
            if ties:
                found[(application_id, reviewer_id)] = ties
    return found


def detect_exclusions(
    call: Call, *, actor: User, now: datetime, reviewer_ids: list[int] | None = None, application_ids=None
) -> int:
    """Find mandatory exclusions (제척) between evaluators and the call's applications.

    Without `reviewer_ids`: everyone on the call's panels and everyone who holds or held an
    assignment in it (an evaluator named in an API request need not be on a panel). Each new
    tie is recorded as an active exclusion and ends the evaluator's assignment on the
    application. Returns how many were recorded. Safe to run again: known ties are skipped.
    """
    ids = (
        reviewer_ids
        if reviewer_ids is not None
        else sorted(
            set(panel_reviewer_ids(call, Stage.DOCUMENT))
            | set(panel_reviewer_ids(call, Stage.PRESENTATION))
            | _assigned_reviewer_ids(call.id)
        )
    )
    ties_found = exclusion_ties_among(call, reviewer_ids=ids, application_ids=application_ids)
    if not ties_found:
        return 0
    known = conflicted_pairs(call.id)
    found = 0
    for (application_id, reviewer_id), ties in ties_found.items():
        if (application_id, reviewer_id) in known:
            continue
        reason = "; ".join(t.describe() for t in ties)
        db.session.add(
            Conflict(
                call_id=call.id,
                application_id=application_id,
                reviewer_id=reviewer_id,
                kind=ConflictKind.EXCLUSION,
                status=ConflictStatus.ACTIVE,
                reason=reason,
                created_at=now,
                created_by_id=actor.id if getattr(actor, "id", None) else None,
            )
        )
        _end_assignments(application_id, reviewer_id, now=now, status=AssignmentStatus.REMOVED, reason=reason)
        known.add((application_id, reviewer_id))
        found += 1
    if found:
        db.session.flush()
        audit.record(actor, "conflict.exclusions_detected", call, after={"new": found, "reviewers": sorted(ids)})
    return found


# ----------------------------------------------------- assignments: the one way in


class ConflictOfInterest(DomainError):
    """An officer asked for an evaluator on an application they are tied to; names each pair."""

    code = "conflict_of_interest"

    def __init__(self, pairs: dict[tuple[int, int], str], *, field: str = "reviewer_ids"):
        described = describe_conflicts(pairs)
        self.pairs = sorted(pairs)
        fields: dict[str, list[str]] = {field: [text for _pair, text in described]}
        for (application_id, _reviewer_id), text in described:
            fields.setdefault(f"application:{application_id}", []).append(text)
        super().__init__(
            _l("A conflict of interest forbids this assignment: %(pairs)s", pairs="; ".join(t for _p, t in described)),
            fields=fields,
        )


def describe_conflicts(pairs: dict[tuple[int, int], str]) -> list[tuple[tuple[int, int], str]]:
    """Each conflicted pair in words: which application, which evaluator, and why."""
    application_ids = {a for a, _r in pairs}
    reviewer_ids = {r for _a, r in pairs}
    receipts = (
        dict(
            db.session.execute(
                select(Application.id, Application.receipt_number).where(Application.id.in_(application_ids))
            )
            .tuples()
            .all()
        )
        if application_ids
        else {}
    )
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(reviewer_ids))).tuples().all())
        if reviewer_ids
        else {}
    )
    return [
        (
            (a, r),
            str(
                _l(
                    "application %(receipt)s (id %(application_id)d) and evaluator %(name)s (id %(reviewer_id)d): "
                    "%(reason)s",
                    receipt=receipts.get(a) or "-",
                    application_id=a,
                    name=names.get(r, "?"),
                    reviewer_id=r,
                    reason=pairs[(a, r)],
                )
            ),
        )
        for a, r in sorted(pairs)
    ]


def conflicts_among(
    call: Call, *, application_ids, reviewer_ids, actor: User, now: datetime
) -> dict[tuple[int, int], str]:
    """Every conflicted (application, evaluator) pair among these, as the database says now.

    A pair is conflicted when an active conflict is recorded for it (declared, withdrawal,
    accepted challenge, exclusion) or when the evaluator's declared ties meet the company's
    name, registration number or CEO (제척). Ties found here are recorded as exclusions first,
    so the conflicts list and "detect conflicts" show them. Returns pair -> reason.
    """
    applications, reviewers = set(application_ids), set(reviewer_ids)
    if not applications or not reviewers:
        return {}
    detect_exclusions(call, actor=actor, now=now, reviewer_ids=sorted(reviewers), application_ids=applications)
    rows = db.session.execute(
        select(Conflict.application_id, Conflict.reviewer_id, Conflict.reason).where(
            Conflict.call_id == call.id, Conflict.status == ConflictStatus.ACTIVE, Conflict.reviewer_id.is_not(None)
        )
    )
    found: dict[tuple[int, int], str] = {}
    for application_id, reviewer_id, reason in rows:
        if application_id in applications and reviewer_id in reviewers:
            found.setdefault((application_id, reviewer_id), reason or "")
    return found


def create_assignments(
    call: Call,
    pairs,
    *,
    stage: str,
    actor: User,
    now: datetime,
    run_id: int | None = None,
    rereview: bool = False,
    refuse: bool = True,
) -> tuple[list[Assignment], dict[tuple[int, int], str]]:
    """Make live assignments: the one function through which every new assignment is created.

    `pairs` are (application_id, reviewer_id, matched_expertise). Each pair is checked in the
    database at this moment (`conflicts_among`): a conflicted pair never becomes an
    assignment. With `refuse` a conflicted pair refuses the whole request
    (ConflictOfInterest, naming the pairs); without it the pair is left out and returned.
    Returns the assignments made and the conflicted pairs left out.
    """
    wanted = [(int(a), int(r), bool(m)) for a, r, m in pairs]
    conflicted = conflicts_among(
        call,
        application_ids={a for a, _r, _m in wanted},
        reviewer_ids={r for _a, r, _m in wanted},
        actor=actor,
        now=now,
    )
    refused = {(a, r): conflicted[(a, r)] for a, r, _m in wanted if (a, r) in conflicted}
    if refused and refuse:
        raise ConflictOfInterest(refused)
    made = []
    for application_id, reviewer_id, matched in wanted:
        if (application_id, reviewer_id) in refused:
            continue
        assignment = Assignment(
            call_id=call.id,
            application_id=application_id,
            reviewer_id=reviewer_id,
            stage=stage,
            status=AssignmentStatus.ASSIGNED,
            run_id=run_id,
            matched_expertise=matched,
            rereview=rereview,
            scores={},
            comments={},
            created_at=now,
            updated_at=now,
        )
        db.session.add(assignment)
        made.append(assignment)
    db.session.flush()
    return made, refused


def request_exclusion(application: Application, *, actor: User, subject: str, reason: str, now: datetime) -> Conflict:
    """An applicant's request to exclude an evaluator (기피); the officer decides."""
    security.require(actor, "application.view", application)
    if application.submitted_at is None:
        raise StateConflict(_l("Submit the application first."))
    if not subject.strip() or not reason.strip():
        fields = {}
        if not subject.strip():
            fields["subject"] = [str(_l("Name the evaluator or organisation."))]
        if not reason.strip():
            fields["reason"] = [str(_l("Give the reason."))]
        raise DomainError(_l("Complete the request."), fields=fields)
    conflict = Conflict(
        call_id=application.call_id,
        application_id=application.id,
        reviewer_id=None,
        kind=ConflictKind.CHALLENGE,
        status=ConflictStatus.REQUESTED,
        reason=f"{subject.strip()} — {reason.strip()}",
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(actor, "conflict.challenge_requested", conflict, after={"application_id": application.id})
    return conflict


def decide_exclusion_request(
    conflict: Conflict, *, actor: User, accept: bool, reviewer_ids: list[int], note: str, now: datetime
) -> list[Conflict]:
    """Accept (for the named evaluators) or reject an applicant's exclusion request."""
    security.require(actor, "reviews.manage")
    if conflict.kind != ConflictKind.CHALLENGE or conflict.status != ConflictStatus.REQUESTED:
        raise StateConflict(_l("This request has already been decided."))
    if not note.strip():
        raise DomainError(_l("Give the reason."), fields={"note": [str(_l("Give the reason."))]})
    conflict.decided_at, conflict.decided_by_id, conflict.decision_note = now, actor.id, note.strip()
    recorded: list[Conflict] = []
    if accept:
        reviewers = db.session.scalars(select(User).where(User.id.in_(reviewer_ids))).all() if reviewer_ids else []
        if not reviewers or any(r.role != security.REVIEWER for r in reviewers):
            raise NotAnEvaluator(fields={"reviewer_ids": [str(_l("Choose the evaluators to exclude."))]})
        first, *others = reviewers
        conflict.reviewer_id, conflict.status = first.id, ConflictStatus.ACTIVE
        _end_assignments(conflict.application_id, first.id, now=now, status=AssignmentStatus.REMOVED, reason=note)
        recorded.append(conflict)
        for reviewer in others:
            recorded.append(
                record_conflict(
                    conflict.application, reviewer, actor=actor, kind=ConflictKind.CHALLENGE, reason=note, now=now
                )
            )
    else:
        conflict.status = ConflictStatus.REJECTED
    db.session.flush()
    audit.record(actor, "conflict.challenge_decided", conflict, after={"accepted": accept, "reviewers": reviewer_ids})
    return recorded


# ------------------------------------------------------------------------- stages


def stage_of(call: Call, kind: str) -> ReviewStage | None:
    return db.session.scalar(select(ReviewStage).where(ReviewStage.call_id == call.id, ReviewStage.kind == kind))


def open_stage(call: Call, kind: str, *, actor: User, due_at: datetime | None, now: datetime) -> ReviewStage:
    """Open (or re-open) a stage for scoring."""
    security.require(actor, "reviews.manage")
    if kind not in set(Stage):
        raise NotFound()
    stage = stage_of(call, kind)
    if stage is None:
        stage = ReviewStage(call_id=call.id, kind=kind, opened_at=now)
        db.session.add(stage)
    before = stage.status
    stage.status, stage.closed_at = StageStatus.OPEN, None
    if due_at is not None:
        stage.due_at = due_at
    db.session.flush()
    audit.record(actor, "stage.opened", stage, before={"status": before}, after={"status": "open", "kind": kind})
    return stage


def close_stage(call: Call, kind: str, *, actor: User, now: datetime) -> ReviewStage:
    """Close a stage: every score in it is locked from now on."""
    security.require(actor, "reviews.manage")
    stage = stage_of(call, kind)
    if stage is None:
        raise NotFound()
    stage.status, stage.closed_at = StageStatus.CLOSED, now
    db.session.flush()
    audit.record(actor, "stage.closed", stage, after={"status": "closed", "kind": kind})
    return stage
