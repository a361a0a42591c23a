"""Reads for evaluation pages and the API: the evaluator's queue, a call's progress, the pool.

Every evaluator read goes through `own_assignment` or `queue_for`, which see only the
evaluator's live assignments, so a conflicted or unassigned application never appears.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, exists, false, func, select, text
from sqlalchemy.orm import lazyload, load_only, selectinload

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.applications.queries import visible_applications
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import (
    Assignment,
    AssignmentRun,
    AssignmentStatus,
    Conflict,
    ConflictStatus,
    EvaluatorProfile,
    Objection,
    ObjectionStatus,
    ReviewStage,
)


def _live(query):
    """Only live assignments with no active conflict (belt and braces: conflicts end assignments)."""
    return query.where(
        Assignment.status.in_(ACTIVE),
        ~exists().where(
            and_(
                Conflict.application_id == Assignment.application_id,
                Conflict.reviewer_id == Assignment.reviewer_id,
                Conflict.status == ConflictStatus.ACTIVE,
            )
        ),
    )


def own_assignment(reviewer: User, assignment_id: int) -> Assignment | None:
    """The assignment if it is the evaluator's and live (None: the caller answers 404)."""
    return db.session.scalar(
        visible_assignments(reviewer).where(Assignment.id == assignment_id, Assignment.reviewer_id == reviewer.id)
    )


@dataclass(frozen=True)
class QueueRow:
    assignment_id: int
    call_id: int
    call_title: str
    stage: str
    status: str
    track: str
    physical_ai: bool
    due_at: object
    stage_open: bool
    total: float | None
    company_name: str | None  # only outside the blind document round

    @property
    def blind_code(self) -> str:
        return blind_code(self.assignment_id)


def blind_code(assignment_id: int) -> str:
    return f"R-{assignment_id:05d}"


def queue_for(reviewer: User, *, page: int, per_page: int, status: str = "", language: str = "ko"):
    """The evaluator's assignments: to do first, Physical AI first, then by submission time (three queries)."""
    ids = (
        visible_assignments(reviewer)
        .with_only_columns(Assignment.id)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(ReviewStage, and_(ReviewStage.call_id == Assignment.call_id, ReviewStage.kind == Assignment.stage))
    )
    if status == "todo":
        ids = ids.where(Assignment.status != AssignmentStatus.SUBMITTED)
    elif status in ("assigned", "draft", "submitted"):
        ids = ids.where(Assignment.status == status)
    ids = ids.order_by(
        case((Assignment.status == AssignmentStatus.SUBMITTED, 1), else_=0),
        Application.physical_ai.desc(),
        Application.submitted_at.asc(),
        Assignment.id,
    )
    pagination = db.paginate(ids, page=page, per_page=per_page, error_out=False)
    rows = {
        r[0]: r
        for r in db.session.execute(
            select(
                Assignment.id,
                Assignment.call_id,
                Call.title_ko,
                Call.title_en,
                Assignment.stage,
                Assignment.status,
                Application.track,
                Application.physical_ai,
                ReviewStage.due_at,
                ReviewStage.status,
                Assignment.total,
                Application.company_name,
                Assignment.rereview,
            )
            .join(Application, Application.id == Assignment.application_id)
            .join(Call, Call.id == Assignment.call_id)
            .outerjoin(
                ReviewStage, and_(ReviewStage.call_id == Assignment.call_id, ReviewStage.kind == Assignment.stage)
            )
            .where(Assignment.id.in_(list(pagination.items)))
        )
    }
    pagination.rows = [
        QueueRow(
            assignment_id=r[0],
            call_id=r[1],
            call_title=(r[3] if language == "en" and r[3] else r[2]),
            stage=r[4],
            status=r[5],
            track=r[6],
            physical_ai=bool(r[7]),
            due_at=r[8],
            stage_open=r[9] == "open" or r[12],
            total=r[10],
            company_name=r[11] if r[4] != "document" else None,
        )
        for r in (rows[i] for i in pagination.items)
    ]
    return pagination


def queue_counts(reviewer: User) -> dict[str, int]:
    rows = db.session.execute(
        visible_assignments(reviewer).with_only_columns(Assignment.status, func.count()).group_by(Assignment.status)
    )
    return {status: count for status, count in rows}


def due_soon(*, reviewer_id: int | None = None, before) -> list[tuple[int, int]]:
    """(reviewer_id, unsubmitted count) for open stages due before `before`."""
    query = _live(
        select(Assignment.reviewer_id, func.count())
        .join(ReviewStage, and_(ReviewStage.call_id == Assignment.call_id, ReviewStage.kind == Assignment.stage))
        .where(
            ReviewStage.status == "open",
            ReviewStage.due_at.is_not(None),
            ReviewStage.due_at <= before,
            Assignment.status != AssignmentStatus.SUBMITTED,
        )
    )
    if reviewer_id is not None:
        query = query.where(Assignment.reviewer_id == reviewer_id)
    return list(db.session.execute(query.group_by(Assignment.reviewer_id)).all())


# ------------------------------------------------------------------------ officers


@dataclass(frozen=True)
class StageProgress:
    stage: str
    assignments: int
    submitted: int
    drafts: int
    applications: int
    short: int  # applications with fewer live evaluators than the call needs

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assignments) if self.assignments else 0


def progress(call: Call, stage: str) -> StageProgress:
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.status).where(
            Assignment.call_id == call.id, Assignment.stage == stage, Assignment.status.in_(ACTIVE)
        )
    ).all()
    per_application = Counter(a for a, _s in rows)
    statuses = Counter(s for _a, s in rows)
    return StageProgress(
        stage=stage,
        assignments=len(rows),
        submitted=statuses[AssignmentStatus.SUBMITTED],
        drafts=statuses[AssignmentStatus.DRAFT],
        applications=len(per_application),
        short=sum(1 for n in per_application.values() if n < call.reviewers_per_application),
    )


def evaluators(*, page: int, per_page: int, q: str = ""):
    query = select(User).where(User.role == "reviewer")
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(func.lower(User.name).like(like) | func.lower(User.email).like(like))
    return db.paginate(query.order_by(User.name, User.id), page=page, per_page=per_page, error_out=False)


def profiles_for(user_ids) -> dict[int, EvaluatorProfile]:
    ids = list(user_ids)
    if not ids:
        return {}
    return {p.user_id: p for p in db.session.scalars(select(EvaluatorProfile).where(EvaluatorProfile.user_id.in_(ids)))}


def all_evaluators() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.role == "reviewer", User.active.is_(True)).order_by(User.name))
    )


def evaluators_by_id(user_ids) -> dict[int, User]:
    """Of the named users, the active evaluators (one query; none when none are named)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    query = select(User).where(User.id.in_(ids), User.role == "reviewer", User.active.is_(True))
    return {u.id: u for u in db.session.scalars(query)}


def loads(call: Call, stage: str) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Assignment.reviewer_id, func.count())
            .where(Assignment.call_id == call.id, Assignment.stage == stage, Assignment.status.in_(ACTIVE))
            .group_by(Assignment.reviewer_id)
        ).all()
    )


# Requests first: the very expression of the index ix_conflicts_call_order (see its migration), so
# a page of the list is read in index order. ConflictStatus.REQUESTED is "requested".
CONFLICT_ORDER = "(CASE WHEN conflicts.status = 'requested' THEN 0 ELSE 1 END)"


def conflicts_of(call: Call, *, page: int, per_page: int, status: str = ""):
    """One page of the call's conflicts, requests first, with the application's and the evaluator's
    names in two more queries (not one per row)."""
    query = (
        select(Conflict)
        .where(Conflict.call_id == call.id)
        .options(
            selectinload(Conflict.application).options(
                load_only(Application.id, Application.company_name, Application.receipt_number),
                lazyload(Application.documents),
                lazyload(Application.call),
            ),
            selectinload(Conflict.reviewer),
        )
    )
    if status:
        query = query.where(Conflict.status == status)
    return db.paginate(
        query.order_by(text(CONFLICT_ORDER), Conflict.created_at.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def runs_of(call: Call, limit: int = 10) -> list[AssignmentRun]:
    return list(
        db.session.scalars(
            select(AssignmentRun).where(AssignmentRun.call_id == call.id).order_by(AssignmentRun.id.desc()).limit(limit)
        )
    )


def sheets_for(application_id: int, stage: str | None = None) -> list[Assignment]:
    query = select(Assignment).where(Assignment.application_id == application_id)
    if stage:
        query = query.where(Assignment.stage == stage)
    return list(db.session.scalars(query.order_by(Assignment.stage, Assignment.id)))


def open_objections(call: Call) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Application, Application.id == Objection.application_id)
            .where(Application.call_id == call.id)
            .order_by(case((Objection.status == ObjectionStatus.FILED, 0), else_=1), Objection.answer_due_at)
        )
    )


def open_requests(call: Call) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Conflict)
        .where(Conflict.call_id == call.id, Conflict.status == ConflictStatus.REQUESTED)
    )


@dataclass(frozen=True)
class ApplicationBrief:
    id: int
    receipt_number: str | None
    company_name: str
    track: str
    physical_ai: bool


def application_briefs(ids: list[int]) -> dict[int, ApplicationBrief]:
    """A few columns of many applications in one query (for plan previews)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Application.id,
            Application.receipt_number,
            Application.company_name,
            Application.track,
            Application.physical_ai,
        ).where(Application.id.in_(ids))
    )
    return {r[0]: ApplicationBrief(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows}


# ------------------------------------------------------------------------ visibility


def visible_assignments(actor) -> Select:
    """A select of the assignments `actor` may see: officers every one; an evaluator their own live ones
    with no active conflict (a conflict hides the pair everywhere, even if an assignment row remains);
    anyone else none. Callers filter, sort and page further."""
    query = select(Assignment)
    if security.can(actor, "reviews.manage"):
        return query
    if security.can(actor, "evaluator.pages"):
        return _live(query.where(Assignment.reviewer_id == actor.id))
    return query.where(false())


def assignment_visible_or_404(actor, assignment_id: int) -> Assignment:
    """The assignment if `actor` may see it; otherwise NotFound (not yours, ended or conflicted)."""
    return db.one_or_404(visible_assignments(actor).where(Assignment.id == assignment_id))


def exclusion_requests_by(actor, application_id: int) -> list[Conflict]:
    """The exclusion requests (기피) `actor` filed on an application they may see."""
    visible = visible_applications(actor).with_only_columns(Application.id)
    return list(
        db.session.scalars(
            select(Conflict).where(
                Conflict.application_id == application_id,
                Conflict.application_id.in_(visible),
                Conflict.created_by_id == actor.id,
            )
        )
    )
