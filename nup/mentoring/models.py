"""Mentoring: the vetted mentor pool, each selected startup's needs and allowance, matches,
bulk match runs, sessions with their logs (멘토링 일지), and ratings both ways."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class MentorStatus(StrEnum):
    APPLIED = "applied"  # asked to join; waiting for an officer to vet
    APPROVED = "approved"  # in the pool (active or not)
    REJECTED = "rejected"


class MatchStatus(StrEnum):
    PROPOSED = "proposed"  # picked by the officer (or the startup); the mentor has not answered
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ENDED = "ended"  # an officer ended it; its sessions and logs stay


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"  # a preview the officer can commit
    FAILED = "failed"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"  # booked by the startup or the mentor; invitations sent
    CANCELLED = "cancelled"
    LOGGED = "logged"  # the mentor filed the log; the startup has not confirmed
    CONFIRMED = "confirmed"  # the startup confirmed the log; the officer has not approved
    DISPUTED = "disputed"  # the startup says the log is wrong; the mentor corrects it
    APPROVED = "approved"  # counted against the cap, the budget and the mentor's capacity


class SessionMode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class Mentor(db.Model):
    """A mentor in the pool, or someone who asked to join it."""

    __tablename__ = "mentors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    expertise: Mapped[list] = mapped_column(JSON, default=list)  # keys of matching.EXPERTISE
    industries: Mapped[list] = mapped_column(JSON, default=list)  # keys of the call's tracks
    countries: Mapped[list] = mapped_column(JSON, default=list)  # ISO 3166 alpha-2
    languages: Mapped[list] = mapped_column(JSON, default=list)
    years_experience: Mapped[int] = mapped_column(Integer, default=0)
    past_employers: Mapped[list] = mapped_column(JSON, default=list)
    investments: Mapped[list] = mapped_column(JSON, default=list)
    advisory_roles: Mapped[list] = mapped_column(JSON, default=list)
    monthly_capacity_hours: Mapped[int] = mapped_column(Integer, default=10)
    fee_per_hour: Mapped[int] = mapped_column(BigInteger, default=100_000)  # won
    status: Mapped[str] = mapped_column(String(20), default=MentorStatus.APPLIED, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    vetting_note: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # to the join form's personal-data terms
    vetted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class MentoringNeed(db.Model):
    """What a selected startup asks of mentoring, and the hours and won it is allowed."""

    __tablename__ = "mentoring_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    markets: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    preferred_mode: Mapped[str] = mapped_column(String(20), default="either")
    hours_wanted: Mapped[int] = mapped_column(Integer, default=10)
    notes: Mapped[str] = mapped_column(Text, default="")
    stated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: still the prefill
    hour_cap: Mapped[float] = mapped_column(Float, default=40.0)
    budget_won: Mapped[int] = mapped_column(BigInteger, default=10_000_000)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()


class MatchRun(db.Model):
    """A bulk "match every selected startup" run: computed by a worker, previewed, committed."""

    __tablename__ = "mentoring_match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED, index=True)
    per_startup: Mapped[int] = mapped_column(Integer, default=1)
    proposals: Mapped[list] = mapped_column(JSON, default=list)  # [{application_id, mentor_id, score, reasons}]
    unmatched: Mapped[list] = mapped_column(JSON, default=list)  # [{application_id, why}]
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MentorMatch(db.Model):
    """A mentor paired with a selected startup, with the reasons it was suggested."""

    __tablename__ = "mentor_matches"
    __table_args__ = (Index("ix_mentor_matches_pair", "application_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentors.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=MatchStatus.PROPOSED, index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{code, detail, points}]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("mentoring_match_runs.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship()
    mentor: Mapped[Mentor] = relationship()


class MentoringSession(db.Model):
    """One mentoring session, from request to the approved log that pays for it."""

    __tablename__ = "mentoring_sessions"
    __table_args__ = (Index("ix_mentoring_sessions_mentor_start", "mentor_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("mentor_matches.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentors.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(20), default=SessionMode.ONLINE)
    location: Mapped[str] = mapped_column(String(500), default="")  # a meeting link or a place
    agenda: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # the invitation's SEQUENCE: bumps on each change
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # The log (멘토링 일지)
    topic: Mapped[str] = mapped_column(String(300), default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    logged_minutes: Mapped[int | None] = mapped_column(Integer)
    logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_note: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_hours: Mapped[float | None] = mapped_column(Float)
    # The mentor's fee when the session was booked: what the startup agreed to, whatever the fee is later.
    fee_per_hour: Mapped[int] = mapped_column(BigInteger)
    fee_won: Mapped[int | None] = mapped_column(BigInteger)  # settled at approval: logged hours x fee_per_hour
    version: Mapped[int] = mapped_column(Integer, default=1)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # by the retention purge

    match: Mapped[MentorMatch] = relationship()
    application: Mapped[Application] = relationship()
    mentor: Mapped[Mentor] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def scheduled_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SessionRating(db.Model):
    """A 1–5 rating of a session, by the mentor (of the startup) or by the startup (of the mentor)."""

    __tablename__ = "mentoring_ratings"
    __table_args__ = (UniqueConstraint("session_id", "rater_role", name="uq_mentoring_ratings_session_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mentoring_sessions.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentors.id"), index=True)
    rater_role: Mapped[str] = mapped_column(String(20))  # "mentor" or "startup"
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
