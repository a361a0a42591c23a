"""Overseas-market support records: agreements (협약) with their plan, spend, milestones, KPI reports and checks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nup.applications.models import Application
from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"  # 협약 해지


class MilestoneStatus(StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"  # the startup says it is done and gave evidence
    DONE = "done"  # the officer confirmed it
    WAIVED = "waived"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"  # 보완요청: the startup corrects and submits again
    ACCEPTED = "accepted"


class CheckKind(StrEnum):
    MIDTERM = "midterm"  # 중간점검
    FINAL = "final"  # 최종점검


class CallReporting(db.Model):
    """How often a call's startups report KPIs, and how many days after a period's end a report is due."""

    __tablename__ = "overseas_call_settings"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), primary_key=True, autoincrement=False)
    frequency: Mapped[str] = mapped_column(String(10), default="monthly")
    due_days: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupportPlan(db.Model):
    """One selected startup's agreement and support plan (협약 및 지원계획)."""

    __tablename__ = "support_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the founder
    agreement_number: Mapped[str] = mapped_column(String(40), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    months: Mapped[int] = mapped_column(Integer, default=10)
    budget_won: Mapped[int] = mapped_column(BigInteger, default=0)
    target_countries: Mapped[list] = mapped_column(JSON, default=list)
    report_frequency: Mapped[str] = mapped_column(String(10), default="monthly")
    report_due_days: Mapped[int] = mapped_column(Integer, default=10)
    status: Mapped[str] = mapped_column(String(12), default=PlanStatus.ACTIVE, index=True)
    # Refreshed whenever the plan changes and by the daily job (time alone makes a milestone overdue),
    # so lists and the dashboard read one column instead of recomputing every plan.
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    risk_reasons: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set by the retention purge: report narratives and evidence files gone, figures kept.
    reports_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(lazy="joined")
    items: Mapped[list[SupportItem]] = relationship(back_populates="plan", order_by="SupportItem.id")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="plan", order_by="(Milestone.due_on, Milestone.id)"
    )

    __mapper_args__ = {"version_id_col": version}


class SupportItem(db.Model):
    """A line of the support plan: what, with which partner, where, for how much, when."""

    __tablename__ = "support_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    partner: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    budget_won: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_won: Mapped[int] = mapped_column(BigInteger, default=0)  # the sum of its spend entries
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    request_key: Mapped[str | None] = mapped_column(String(40), unique=True)  # a double click adds it once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[SupportPlan] = relationship(back_populates="items")


class SpendEntry(db.Model):
    """Money spent against a support item; a foreign amount keeps its currency and the rate used."""

    __tablename__ = "support_spend"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("support_items.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # in the currency's minor unit (cents)
    exchange_rate: Mapped[str] = mapped_column(String(24), default="1")  # won per unit, exact decimal text
    amount_won: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300), default="")
    request_key: Mapped[str | None] = mapped_column(String(40), unique=True)  # a double click records it once
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Milestone(db.Model):
    """A dated step of the agreement (kick-off, mid-term check, final check) or of one support item."""

    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("support_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="item")  # kickoff, midterm, final, item
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=MilestoneStatus.PLANNED)
    completed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[SupportPlan] = relationship(back_populates="milestones")
    evidence: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id", lazy="selectin")


class KpiReport(db.Model):
    """A periodic KPI report (성과보고). Foreign amounts keep their currency, the rate used and the won value."""

    __tablename__ = "kpi_reports"
    __table_args__ = (
        UniqueConstraint("plan_id", "period_start", name="uq_kpi_reports_plan_period"),
        Index("ix_kpi_reports_status_period", "status", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=ReportStatus.SUBMITTED)
    market: Mapped[str] = mapped_column(String(2), default="", index=True)  # the main market of these figures
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    exchange_rate: Mapped[str] = mapped_column(String(24), default="1")
    rate_source: Mapped[str] = mapped_column(String(200), default="")
    export_contracts: Mapped[int] = mapped_column(Integer, default=0)
    export_value_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    export_value_won: Mapped[int] = mapped_column(BigInteger, default=0)
    overseas_sales_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    overseas_sales_won: Mapped[int] = mapped_column(BigInteger, default=0)
    investment_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    investment_won: Mapped[int] = mapped_column(BigInteger, default=0)
    jobs_overseas: Mapped[int] = mapped_column(Integer, default=0)
    jobs_domestic: Mapped[int] = mapped_column(Integer, default=0)
    entity_established: Mapped[bool] = mapped_column(Boolean, default=False)
    entity_country: Mapped[str] = mapped_column(String(2), default="")
    entity_established_on: Mapped[date | None] = mapped_column(Date)
    narrative: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    officer_comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    plan: Mapped[SupportPlan] = relationship(lazy="joined")
    evidence: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id", lazy="selectin")
    reviews: Mapped[list[ReportReview]] = relationship(order_by="ReportReview.id", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class ReportReview(db.Model):
    """The officer's decision on one revision of a KPI report, with the comment the startup reads."""

    __tablename__ = "kpi_report_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("kpi_reports.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvidenceFile(db.Model):
    """A document proving a milestone or a KPI report (same checks as application documents)."""

    __tablename__ = "overseas_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("kpi_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanCheck(db.Model):
    """A mid-term or final check (중간점검/최종점검): ratings, findings, actions and reclaim grounds (환수)."""

    __tablename__ = "plan_checks"
    __table_args__ = (UniqueConstraint("plan_id", "kind", name="uq_plan_checks_plan_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    progress_rating: Mapped[int] = mapped_column(Integer)
    spend_rating: Mapped[int] = mapped_column(Integer)
    outcome_rating: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(20))  # satisfactory, needs_improvement, unsatisfactory
    findings: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    action_due_on: Mapped[date | None] = mapped_column(Date)
    reclaim_grounds: Mapped[list] = mapped_column(JSON, default=list)
    reclaim_amount_won: Mapped[int] = mapped_column(BigInteger, default=0)
    follow_up_status: Mapped[str] = mapped_column(String(10), default="none")  # none, open, resolved
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
