"""Applications to a call, their company facts, business plan and uploaded documents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nup.extensions import db
from nup.programmes.models import Call
from nup.timeutil import UTCDateTime, utcnow


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    UNDER_REVIEW = "under_review"
    RESULT = "result"


class DocumentReview(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CORRECTION = "correction_requested"


COMPANY_FIELDS = (
    "company_name",
    "business_registration_number",
    "applicant_type",
    "founded_on",
    "ceo_name",
    "address",
    "region",
    "employees",
    "industry",
    "website",
    "tax_arrears",
    "loan_default",
    "participation_ban",
    "duplicate_support",
)
PLAN_FIELDS = (
    "track",
    "summary",
    "problem",
    "solution",
    "scale_up",
    "team",
    "funding_requested",
    "target_markets",
)


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        # Not unique: refusing a second company's number would tell its founder that another
        # company applied. Officers see the applications sharing a number (queries.shared_registration_numbers).
        Index("ix_applications_call_brn", "call_id", "business_registration_number"),
        UniqueConstraint("call_id", "user_id", name="uq_applications_call_user"),
        Index("ix_applications_call_status", "call_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.DRAFT)
    receipt_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Company facts (기업정보)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    business_registration_number: Mapped[str | None] = mapped_column(String(10))
    applicant_type: Mapped[str | None] = mapped_column(String(20))
    founded_on: Mapped[date | None] = mapped_column(Date)
    ceo_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str] = mapped_column(String(20), default="", index=True)
    employees: Mapped[int | None] = mapped_column(Integer)
    industry: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    tax_arrears: Mapped[bool | None] = mapped_column(Boolean)
    loan_default: Mapped[bool | None] = mapped_column(Boolean)
    participation_ban: Mapped[bool | None] = mapped_column(Boolean)
    duplicate_support: Mapped[bool | None] = mapped_column(Boolean)
    # Business plan (PSST)
    track: Mapped[str] = mapped_column(String(60), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    scale_up: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(Text, default="")
    funding_requested: Mapped[int | None] = mapped_column(BigInteger)  # won
    target_markets: Mapped[list] = mapped_column(JSON, default=list)
    # Derived on every save so the officer's list can filter without recomputing.
    eligible: Mapped[bool | None] = mapped_column(Boolean, index=True)
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    # Effective priority field: the declared track's, until an officer decides (then theirs).
    physical_ai: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # What the classifier read in the text (nup.priority), and the officer's word on it.
    detected_physical_ai: Mapped[bool | None] = mapped_column(Boolean)
    priority_score: Mapped[float | None] = mapped_column(Float)
    priority_subfield: Mapped[str | None] = mapped_column(String(40))
    priority_confidence: Mapped[str | None] = mapped_column(String(10))
    priority_evidence: Mapped[list] = mapped_column(JSON, default=list)
    priority_flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    priority_decision: Mapped[bool | None] = mapped_column(Boolean)
    priority_reason: Mapped[str] = mapped_column(Text, default="")
    priority_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the retention purge (nup/privacy): identifiers and text gone, statistics kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    purge_rule: Mapped[str | None] = mapped_column(String(40))
    evaluation_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship(lazy="joined")
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    review_status: Mapped[str] = mapped_column(String(30), default=DocumentReview.PENDING)
    review_message: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="documents")


class ReceiptCounter(db.Model):
    """The last receipt number given out in a year (NUP-2026-000123)."""

    __tablename__ = "receipt_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
