"""A call and its cohort with every kind of personal record, built from the models (inside an app context)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from nup.accounts import services as account_services
from nup.accounts.models import User
from nup.applications import services as application_services
from nup.applications.models import Application, ApplicationStatus, Document
from nup.extensions import db
from nup.mentoring.models import MatchStatus, Mentor, MentoringSession, MentorMatch, SessionStatus
from nup.notifications import services as notifications
from nup.notifications.models import NotificationStatus
from nup.overseas import evidence as overseas_evidence
from nup.overseas import services as overseas_services
from nup.overseas.models import EvidenceFile, KpiReport, ReportStatus
from nup.reviews.models import Assignment, AssignmentStatus, Decision, Outcome, Stage
from nup.timeutil import to_kst, utcnow
from tests.cohort import make_cohort_call, make_selected_startup

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    officer_id: int
    reviewer_id: int
    call_id: int
    selected_app: int
    selected_user: int
    unselected_app: int
    unselected_user: int
    draft_app: int
    draft_user: int
    plan_id: int
    session_id: int
    files: dict[str, Path] = field(default_factory=dict)


def _user(role: str, name: str) -> User:
    return account_services.create_user(
        actor=None,
        email=f"{role}-{secrets.token_hex(4)}@example.kr",
        role=role,
        name=name,
        password="Correct-Horse-Battery-9",
        now=utcnow(),
    )


def _document(application: Application, marker: str) -> Path:
    folder = application_services.upload_folder(application)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (folder / stored).write_bytes(PDF + marker.encode())
    db.session.add(
        Document(
            application_id=application.id,
            kind="business_plan",
            filename=f"{marker}.pdf",
            stored_name=stored,
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            reviewed_at=utcnow(),
            review_status="accepted",
        )
    )
    return folder / stored


def _assignment(
    application: Application, reviewer: User, total: float, comment: str, stage: str = Stage.DOCUMENT
) -> None:
    db.session.add(
        Assignment(
            call_id=application.call_id,
            application_id=application.id,
            reviewer_id=reviewer.id,
            stage=stage,
            status=AssignmentStatus.SUBMITTED,
            scores={"problem": total / 4},
            comments={"problem": comment},
            overall_comment=comment,
            total=total,
            submitted_at=utcnow(),
        )
    )


def build_world(tag: str = "A") -> World:
    """A closed call with a selected startup (agreement, KPI report, evidence, mentoring), an unselected
    applicant with a document and an evaluation, a withdrawn draft, and emails to each."""
    officer = _user("officer", "담당자")
    reviewer = _user("reviewer", "평가위원")
    db.session.commit()
    call_id = make_cohort_call(officer.id)
    chosen = make_selected_startup(call_id, company=f"선정기업{tag}")
    selected = db.session.get(Application, chosen.application_id)
    selected.business_registration_number = "1234567891"
    files = {"selected_document": _document(selected, f"selected-{tag}")}
    _assignment(selected, reviewer, 88.0, f"훌륭한 계획 {tag}", stage=Stage.PRESENTATION)

    unselected_user = _user("applicant", f"미선정{tag}")
    unselected = Application(
        call_id=call_id,
        user_id=unselected_user.id,
        status=ApplicationStatus.RESULT,
        receipt_number=f"U-{secrets.token_hex(4)}",
        company_name=f"미선정기업{tag}",
        ceo_name=f"미선정{tag}",
        region="부산",
        industry="제조",
        track="physical_ai_robotics",
        summary=f"요약 {tag}",
        eligible=True,
        physical_ai=True,
        employees=12,
        submitted_at=utcnow() - timedelta(days=70),
    )
    db.session.add(unselected)
    db.session.flush()
    files["unselected_document"] = _document(unselected, f"unselected-{tag}")
    _assignment(unselected, reviewer, 61.5, f"보완 필요 {tag}")
    db.session.add(
        Decision(
            call_id=call_id,
            application_id=unselected.id,
            stage=Stage.DOCUMENT,
            outcome=Outcome.NOT_SELECTED,
            final_score=61.5,
            trimmed_mean=61.5,
            rank=7,
            ranked_count=10,
            reasons=f"사유 {tag}",
            decided_at=utcnow() - timedelta(days=45),
            released_at=utcnow() - timedelta(days=44),
        )
    )

    draft_user = _user("applicant", f"초안{tag}")
    draft = Application(
        call_id=call_id,
        user_id=draft_user.id,
        status=ApplicationStatus.WITHDRAWN,
        company_name=f"철회기업{tag}",
        region="서울",
        track="general",
        summary=f"철회 {tag}",
        withdrawn_at=utcnow() - timedelta(days=80),
    )
    db.session.add(draft)
    db.session.flush()
    files["draft_document"] = _document(draft, f"draft-{tag}")
    db.session.commit()

    plan = overseas_services.create_plan(
        selected,
        actor=officer,
        starts_on=to_kst(utcnow() - timedelta(days=30)).date(),
        months=10,
        budget_won=100_000_000,
        target_countries=["US"],
        agreement_number=f"N-UP-{tag}",
        now=utcnow(),
    )
    db.session.flush()
    report = KpiReport(
        plan_id=plan.id,
        period_start=plan.starts_on,
        period_end=plan.starts_on + timedelta(days=30),
        period_label="2026-01",
        status=ReportStatus.ACCEPTED,
        market="US",
        export_contracts=2,
        export_value_won=50_000_000,
        overseas_sales_won=20_000_000,
        investment_won=0,
        jobs_overseas=1,
        jobs_domestic=2,
        narrative=f"보고 {tag}",
    )
    db.session.add(report)
    db.session.flush()
    folder = overseas_evidence.folder_of(plan)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (folder / stored).write_bytes(PDF + f"evidence-{tag}".encode())
    files["evidence"] = folder / stored
    db.session.add(
        EvidenceFile(
            plan_id=plan.id,
            report_id=report.id,
            filename=f"evidence-{tag}.pdf",
            stored_name=stored,
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
        )
    )

    mentor = Mentor(name="멘토", email=f"mentor-{secrets.token_hex(3)}@example.kr", status="approved", active=True)
    db.session.add(mentor)
    db.session.flush()
    match = MentorMatch(
        application_id=selected.id, mentor_id=mentor.id, status=MatchStatus.ACCEPTED, proposed_by_id=officer.id
    )
    db.session.add(match)
    db.session.flush()
    start = utcnow() - timedelta(days=10)
    session = MentoringSession(
        match_id=match.id,
        application_id=selected.id,
        mentor_id=mentor.id,
        status=SessionStatus.APPROVED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        requested_by_id=chosen.user_id,
        agenda=f"의제 {tag}",
        advice=f"조언 {tag}",
        topic=f"주제 {tag}",
        logged_minutes=60,
        fee_per_hour=100_000,
        approved_at=utcnow(),
        approved_hours=1.0,
        fee_won=100_000,
    )
    db.session.add(session)
    for user_id in (chosen.user_id, unselected_user.id, draft_user.id):
        row = notifications.queue(
            "password_changed", to=db.session.get(User, user_id), key=f"world-{tag}", context={"name": tag}
        )
        row.status = NotificationStatus.SENT
        row.body_text = f"본문 {tag}"
    db.session.commit()
    return World(
        officer.id,
        reviewer.id,
        call_id,
        selected.id,
        chosen.user_id,
        unselected.id,
        unselected_user.id,
        draft.id,
        draft_user.id,
        plan.id,
        session.id,
        files,
    )
