""" "My data": everything held about one person, gathered through the visibility queries, and its ZIP.

Rows are chosen by the same `visible_*(actor)` queries the pages and the API use, with the
person as the actor, so the export holds what they may see and nothing of anyone else's.
Evaluations about their company carry scores and released comments, never who gave them.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from nup.accounts.models import ApiToken, Consent, User, UserSession
from nup.applications import services as application_services
from nup.applications.models import COMPANY_FIELDS, PLAN_FIELDS, Application, Document
from nup.applications.queries import visible_applications
from nup.extensions import db
from nup.mentoring.models import Mentor, MentoringNeed
from nup.mentoring.queries import visible_matches, visible_sessions
from nup.notifications.models import Notification
from nup.overseas import evidence as overseas_evidence
from nup.overseas.models import EvidenceFile, SupportPlan
from nup.overseas.queries import visible_plans, visible_reports
from nup.privacy import access_log
from nup.privacy.models import PrivacyRequest
from nup.reviews.models import Assignment, AssignmentStatus, Decision, EvaluatorProfile, Objection
from nup.reviews.queries import visible_assignments
from nup.timeutil import to_kst

SECTIONS = (
    "profile",
    "consents",
    "applications",
    "documents",
    "evaluations",
    "evaluations_given",
    "mentoring",
    "overseas",
    "emails",
    "access_log",
    "requests",
)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _profile(user: User) -> dict:
    data = _row(user, ("id", "email", "name", "role", "language", "created_at", "last_login_at", "email_verified_at"))
    data["mail_opt_out"] = user.mail_opt_out
    data["sessions"] = [
        _row(s, ("created_at", "last_seen_at", "ip_address", "user_agent", "revoked_at"))
        for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    ]
    data["api_tokens"] = [
        _row(t, ("name", "prefix", "created_at", "last_used_at", "revoked_at"))
        for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    ]
    mentor = db.session.scalar(select(Mentor).where(Mentor.user_id == user.id))
    if mentor is not None:
        data["mentor_profile"] = _row(
            mentor,
            (
                "name",
                "email",
                "organisation",
                "title",
                "bio",
                "expertise",
                "industries",
                "countries",
                "languages",
                "years_experience",
                "past_employers",
                "investments",
                "advisory_roles",
                "status",
                "consented_at",
            ),
        )
    evaluator = db.session.get(EvaluatorProfile, user.id)
    if evaluator is not None:
        data["evaluator_profile"] = _row(
            evaluator, ("organisation", "position", "past_employers", "investments", "advisory_roles", "expertise")
        )
    return data


def _applications(user: User) -> list[Application]:
    return list(db.session.scalars(visible_applications(user).order_by(Application.id)))


def _evaluations(applications: list[Application]) -> list[dict]:
    """Released results and scores about the person's applications, without evaluator identities."""
    result = []
    for application in applications:
        decisions = list(
            db.session.scalars(
                select(Decision)
                .where(Decision.application_id == application.id, Decision.released_at.is_not(None))
                .order_by(Decision.released_at)
            )
        )
        released_stages = {d.stage for d in decisions}
        sheets = [
            {
                "stage": a.stage,
                "scores": a.scores,
                "total": a.total,
                "comment": a.overall_comment if a.comment_released else None,
                "submitted_at": _plain(a.submitted_at),
            }
            for a in db.session.scalars(
                select(Assignment)
                .where(
                    Assignment.application_id == application.id,
                    Assignment.status == AssignmentStatus.SUBMITTED,
                    Assignment.stage.in_(released_stages or {""}),
                )
                .order_by(Assignment.stage, Assignment.submitted_at, Assignment.id)
            )
        ]
        objections = [
            _row(o, ("filed_at", "grounds", "status", "answer", "answered_at"))
            for o in db.session.scalars(select(Objection).where(Objection.application_id == application.id))
        ]
        result.append(
            {
                "application_id": application.id,
                "decisions": [
                    _row(
                        d,
                        (
                            "stage",
                            "outcome",
                            "final_score",
                            "rank",
                            "ranked_count",
                            "criterion_means",
                            "reasons",
                            "released_at",
                        ),
                    )
                    for d in decisions
                ],
                "score_sheets": sheets,
                "objections": objections,
            }
        )
    return result


def gather(user: User, *, now: datetime) -> dict:
    """Every kind of record held about `user`, as plain JSON-ready data."""
    applications = _applications(user)
    app_ids = [a.id for a in applications]
    documents = (
        list(db.session.scalars(select(Document).where(Document.application_id.in_(app_ids)).order_by(Document.id)))
        if app_ids
        else []
    )
    plans = list(db.session.scalars(visible_plans(user).order_by(SupportPlan.id)))
    plan_ids = [p.id for p in plans]
    evidence = (
        list(
            db.session.scalars(select(EvidenceFile).where(EvidenceFile.plan_id.in_(plan_ids)).order_by(EvidenceFile.id))
        )
        if plan_ids
        else []
    )
    sessions = list(db.session.scalars(visible_sessions(user)))
    needs = (
        list(db.session.scalars(select(MentoringNeed).where(MentoringNeed.application_id.in_(app_ids))))
        if app_ids
        else []
    )
    return {
        "profile": _profile(user),
        "consents": [
            _row(c, ("kind", "version", "granted", "recorded_at", "ip_address"))
            for c in db.session.scalars(
                select(Consent).where(Consent.user_id == user.id).order_by(Consent.recorded_at, Consent.id)
            )
        ],
        "applications": [
            _row(
                a,
                (
                    "id",
                    "call_id",
                    "status",
                    "receipt_number",
                    *COMPANY_FIELDS,
                    *PLAN_FIELDS,
                    "physical_ai",
                    "created_at",
                    "submitted_at",
                    "withdrawn_at",
                    "anonymised_at",
                ),
            )
            | {"call": a.call.title_ko}
            for a in applications
        ],
        "documents": [
            _row(
                d,
                (
                    "id",
                    "application_id",
                    "kind",
                    "filename",
                    "content_type",
                    "size",
                    "sha256",
                    "issued_on",
                    "uploaded_at",
                    "review_status",
                    "review_message",
                ),
            )
            for d in documents
        ],
        "evaluations": _evaluations(applications),
        # An evaluator's own score sheets (their live assignments), without the firms' identities.
        "evaluations_given": [
            _row(a, ("id", "call_id", "stage", "status", "scores", "total", "submitted_at"))
            for a in db.session.scalars(visible_assignments(user).order_by(Assignment.id))
        ]
        if user.role == "reviewer"
        else [],
        "mentoring": {
            "needs": [
                _row(n, ("application_id", "topics", "markets", "languages", "preferred_mode", "hours_wanted", "notes"))
                for n in needs
            ],
            "matches": [
                _row(m, ("id", "application_id", "status", "proposed_at", "responded_at")) | {"mentor": m.mentor.name}
                for m in db.session.scalars(visible_matches(user))
            ],
            "sessions": [
                _row(
                    s,
                    (
                        "id",
                        "application_id",
                        "status",
                        "starts_at",
                        "ends_at",
                        "mode",
                        "location",
                        "agenda",
                        "topic",
                        "advice",
                        "follow_up",
                        "logged_minutes",
                        "confirmed_at",
                        "dispute_note",
                        "approved_hours",
                    ),
                )
                for s in sessions
            ],
        },
        "overseas": {
            "plans": [
                _row(
                    p,
                    (
                        "id",
                        "application_id",
                        "agreement_number",
                        "starts_on",
                        "ends_on",
                        "budget_won",
                        "target_countries",
                        "status",
                    ),
                )
                for p in plans
            ],
            "reports": [
                _row(
                    r,
                    (
                        "id",
                        "plan_id",
                        "period_label",
                        "status",
                        "market",
                        "export_contracts",
                        "export_value_won",
                        "overseas_sales_won",
                        "investment_won",
                        "jobs_overseas",
                        "jobs_domestic",
                        "narrative",
                        "submitted_at",
                    ),
                )
                for r in db.session.scalars(visible_reports(user))
            ],
            "evidence": [
                _row(e, ("id", "plan_id", "milestone_id", "report_id", "filename", "size", "uploaded_at"))
                for e in evidence
            ],
        },
        "emails": [
            _row(n, ("kind", "to_address", "subject", "status", "created_at", "sent_at", "body_text"))
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
            )
        ],
        "access_log": [
            {
                "at": to_kst(e.occurred_at).isoformat(timespec="minutes"),
                "by": access_log.reader_label(e),
                "what": e.object_type,
                "detail": e.detail,
            }
            for e in access_log.accesses_about(user.id, now=now)
        ],
        "requests": [
            _row(r, ("kind", "status", "details", "filed_at", "due_at", "answered_at", "answer"))
            for r in db.session.scalars(
                select(PrivacyRequest).where(PrivacyRequest.user_id == user.id).order_by(PrivacyRequest.id)
            )
        ],
        "_files": [
            (
                "applications",
                d.application_id,
                d.id,
                d.filename,
                application_services.upload_folder(d.application) / d.stored_name,
            )
            for d in documents
        ]
        + [
            (
                "overseas",
                e.plan_id,
                e.id,
                e.filename,
                overseas_evidence.folder_of(_plan(plans, e.plan_id)) / e.stored_name,
            )
            for e in evidence
        ],
    }


def _plan(plans: list[SupportPlan], plan_id: int) -> SupportPlan:
    return next(p for p in plans if p.id == plan_id)


def build_zip(data: dict) -> bytes:
    """The download: one JSON file per kind of record, and the person's stored files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in SECTIONS:
            archive.writestr(f"{section}.json", json.dumps(data[section], ensure_ascii=False, indent=2, default=str))
        for folder, owner_id, file_id, filename, path in data["_files"]:
            path = Path(path)
            if path.is_file():
                archive.write(path, f"files/{folder}/{owner_id}/{file_id}-{filename}")
    return buffer.getvalue()
