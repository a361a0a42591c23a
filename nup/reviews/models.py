"""Evaluation: the evaluator pool, panels, pledges, conflicts, assignments with their scores,
stages, decisions, objections and evaluator ratings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.timeutil import UTCDateTime, utcnow


class Stage(StrEnum):
    DOCUMENT = "document"  # 서류평가
    PRESENTATION = "presentation"  # 발표평가


class StageStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ConflictKind(StrEnum):
    EXCLUSION = "exclusion"  # 제척: found automatically from the declarations
    RECUSAL = "recusal"  # 회피: the evaluator withdraws
    CHALLENGE = "challenge"  # 기피: the applicant asks; the officer decides
    DECLARED = "declared"  # recorded by an officer


class ConflictStatus(StrEnum):
    ACTIVE = "active"
    REQUESTED = "requested"  # a challenge waiting for the officer
    REJECTED = "rejected"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    DRAFT = "draft"  # a score sheet saved but not submitted: it does not count
    SUBMITTED = "submitted"  # counts; may change until the stage closes
    RECUSED = "recused"
    REMOVED = "removed"  # a conflict came to light after assignment


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class Outcome(StrEnum):
    ADVANCED = "advanced"  # document round: on to the presentation
    SELECTED = "selected"
    RESERVE = "reserve"
    NOT_SELECTED = "not_selected"


class ObjectionStatus(StrEnum):
    FILED = "filed"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class EvaluatorProfile(db.Model):
    """What an evaluator declares: the facts the conflict check and the panel checks use."""

    __tablename__ = "evaluator_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    past_employers: Mapped[list] = mapped_column(JSON, default=list)
    investments: Mapped[list] = mapped_column(JSON, default=list)
    advisory_roles: Mapped[list] = mapped_column(JSON, default=list)
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    gender: Mapped[str] = mapped_column(String(12), default="undisclosed")
    market_expert: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ReviewStage(db.Model):
    """A round of a call's evaluation; scores lock when it closes."""

    __tablename__ = "review_stages"
    __table_args__ = (UniqueConstraint("call_id", "kind", name="uq_review_stages_call_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=StageStatus.OPEN)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open(self) -> bool:
        return self.status == StageStatus.OPEN


class Panel(db.Model):
    """분과: the evaluators of a call's track in one stage (track empty = every track)."""

    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("call_id", "stage", "track", name="uq_panels_call_stage_track"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default=Stage.DOCUMENT)
    track: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", lazy="selectin"
    )
    call: Mapped[Call] = relationship()


class PanelMember(db.Model):
    __tablename__ = "panel_members"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panel: Mapped[Panel] = relationship(back_populates="members")
    reviewer: Mapped[User] = relationship(lazy="joined")


class Pledge(db.Model):
    """청렴서약: signed once per call before the first score."""

    __tablename__ = "pledges"
    __table_args__ = (UniqueConstraint("call_id", "reviewer_id", name="uq_pledges_call_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    statement_version: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))


class Conflict(db.Model):
    """A conflict of interest between an evaluator and an application."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_application_reviewer", "application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    # Empty only for a challenge (기피) the officer has not yet matched to an evaluator.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ConflictStatus.ACTIVE)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class AssignmentRun(db.Model):
    """One run of the optimiser: its seed, progress, proposed plan and report."""

    __tablename__ = "assignment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default=Stage.DOCUMENT)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED)
    seed: Mapped[int] = mapped_column(BigInteger)
    reviewer_ids: Mapped[list] = mapped_column(JSON, default=list)
    per_application: Mapped[int] = mapped_column(Integer, default=5)
    commit_when_ready: Mapped[bool] = mapped_column(Boolean, default=False)  # API runs commit themselves
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # [[application_id, reviewer_id, matched], ...]
    plan: Mapped[list] = mapped_column(JSON, default=list)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Assignment(db.Model):
    """An evaluator's assignment to one application in one stage, and the score sheet."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", "stage", name="uq_assignments_application_reviewer_stage"),
        Index("ix_assignments_reviewer_stage_status", "reviewer_id", "stage", "status"),
        Index("ix_assignments_call_stage", "call_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(20), default=Stage.DOCUMENT)
    status: Mapped[str] = mapped_column(String(20), default=AssignmentStatus.ASSIGNED)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_runs.id"))
    matched_expertise: Mapped[bool] = mapped_column(Boolean, default=False)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[float | None] = mapped_column(Float)
    comment_released: Mapped[bool] = mapped_column(Boolean, default=False)
    # A replacement after an upheld objection: it may be scored while the round stays closed.
    rereview: Mapped[bool] = mapped_column(Boolean, default=False)
    recusal_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship()
    call: Mapped[Call] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def counts(self) -> bool:
        return self.status == AssignmentStatus.SUBMITTED and self.total is not None

    @property
    def active(self) -> bool:
        return self.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT, AssignmentStatus.SUBMITTED)


class Penalty(db.Model):
    """감점 recorded by an officer, subtracted after trimming."""

    __tablename__ = "penalties"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PresentationSlot(db.Model):
    __tablename__ = "presentation_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer, default=20)
    location: Mapped[str] = mapped_column(String(200), default="")


class Decision(db.Model):
    """The outcome of a stage for one application, with the figures the letter shows."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("application_id", "stage", name="uq_decisions_application_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    stage: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    final_score: Mapped[float | None] = mapped_column(Float)
    trimmed_mean: Mapped[float | None] = mapped_column(Float)
    bonus: Mapped[float] = mapped_column(Float, default=0.0)
    penalty: Mapped[float] = mapped_column(Float, default=0.0)
    rank: Mapped[int | None] = mapped_column(Integer)
    ranked_count: Mapped[int] = mapped_column(Integer, default=0)
    criterion_means: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()


class Objection(db.Model):
    """이의신청: filed within 30 days of the result; answered within 14 (once extended by 10)."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ObjectionStatus.FILED, index=True)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rereview: Mapped[bool] = mapped_column(Boolean, default=False)

    decision: Mapped[Decision] = relationship()
    application: Mapped[Application] = relationship()


class EvaluatorRating(db.Model):
    """An anonymous rating of an evaluator: no applicant or application is stored with it."""

    __tablename__ = "evaluator_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class RatingReceipt(db.Model):
    """That an application has rated its evaluators (kept apart so ratings stay anonymous)."""

    __tablename__ = "rating_receipts"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True, autoincrement=False)


class RankingVersion(db.Model):
    """A counter per call, raised in the same transaction as any write the ranking depends on.

    The shared ranking cache is keyed on it (nup.reviews.ranking): a page reads one small row
    to know whether the cached ranking still holds, instead of summarising the whole call.
    """

    __tablename__ = "ranking_versions"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
