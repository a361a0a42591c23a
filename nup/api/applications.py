"""API: an applicant's drafts, documents and submission; officers read any application."""

from __future__ import annotations

from flask import abort, g, jsonify, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from nup import security
from nup.api.blueprint import bp
from nup.api.review_schemas import EvaluatorApplicationSchema
from nup.api.schemas import (
    ApplicationInSchema,
    ApplicationOutSchema,
    DocumentOutSchema,
    DocumentUploadSchema,
    ErrorSchema,
)
from nup.applications import queries, services
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import evaluator_view
from nup.timeutil import utcnow
from nup.web import client_ip


def application_document(application: Application) -> dict:
    """The API's view of an application."""
    company = {
        "name": application.company_name,
        "business_registration_number": application.business_registration_number,
        "applicant_type": application.applicant_type,
        "founded_on": application.founded_on,
        "ceo_name": application.ceo_name,
        "address": application.address,
        "region": application.region,
        "employees": application.employees,
        "industry": application.industry,
        "website": application.website,
        "tax_arrears": application.tax_arrears,
        "loan_default": application.loan_default,
        "participation_ban": application.participation_ban,
        "duplicate_support": application.duplicate_support,
    }
    company["founded_on"] = company["founded_on"].isoformat() if company["founded_on"] else None
    document = {
        "id": application.id,
        "call_id": application.call_id,
        "status": application.status,
        "receipt_number": application.receipt_number,
        "track": application.track,
        "company": company,
        "summary": application.summary,
        "plan": {k: getattr(application, k) for k in ("problem", "solution", "scale_up", "team")},
        "funding_requested": application.funding_requested,
        "target_markets": application.target_markets or [],
        "documents": application.documents,
        "eligibility": application.eligibility,
        # In force: the declared track until an officer decides; beside it, what the text says.
        "priority": {
            "physical_ai": application.physical_ai,
            "score": application.priority_score,
            "evidence": application.priority_evidence or [],
            "subfield": application.priority_subfield,
            "detected": application.detected_physical_ai,
            "flagged": application.priority_flagged,
            "decision": application.priority_decision,
            "source": "officer" if application.priority_decision is not None else "declared_track",
        },
        "missing": services.checklist(application),
        "version": application.version,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
    }
    if security.can(current_user, "applications.screen", application):
        # Officers only: a founder is never told that another company used the same number.
        others = queries.shared_registration_numbers(application.call_id, [application.id]).get(application.id, [])
        document["duplicate_registration_number"] = {
            "flagged": bool(others),
            "application_ids": [other.id for other in others],
        }
    return document


def draft_values(payload: dict) -> dict:
    """Flatten the API's nested document into the service's field names."""
    values = {k: payload[k] for k in ("track", "summary", "funding_requested", "target_markets") if k in payload}
    company = payload.get("company") or {}
    if "name" in company:
        values["company_name"] = company["name"]
    values |= {k: v for k, v in company.items() if k != "name"}
    if company.get("business_registration_number") and "applicant_type" not in company:
        values["applicant_type"] = "company"  # a registration number means a registered business
    values |= payload.get("plan") or {}
    return values


def _application_for(application_id: int, action: str) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not security.can(current_user, "application.view", application):
        abort(404)  # not yours: as good as not there
    if not security.can(current_user, action, application):
        abort(403)
    return application


@bp.route("/calls/<int:call_id>/applications", methods=["POST"])
@bp.arguments(ApplicationInSchema)
@bp.response(201, ApplicationOutSchema)
@bp.alt_response(422, schema=ErrorSchema, description="Invalid fields; nothing saved")
def create_application(payload: dict, call_id: int):
    """Start a draft on a call (applicants), with any of the fields."""
    call = db.session.get(Call, call_id)
    if call is None or call.status == "draft":
        abort(404)
    actor = current_user._get_current_object()
    application = services.start_application(call, actor=actor, now=utcnow())
    values = draft_values(payload)
    if values:
        services.save_draft(application, actor=actor, values=values, now=utcnow(), partial=False)
    db.session.commit()
    return application_document(application)


def _evaluator_reads(application_id: int) -> dict:
    """The evaluator's view of an application they are assigned to (404 otherwise), as the page shows it."""
    me = current_user._get_current_object()
    assignment = evaluator_view.reading_assignment(me, application_id)
    if not security.can(me, "application.review", assignment):
        abort(404)  # unassigned or conflicted: as good as not there
    # Who read which application, and when: the record a leak investigation needs.
    audit.record(me, "review.application_viewed", assignment.application, ip=client_ip(), detail=assignment.stage)
    db.session.commit()
    return EvaluatorApplicationSchema().dump(evaluator_view.evaluator_view(assignment))


@bp.route("/applications/<int:application_id>", methods=["GET"])
@bp.response(200, ApplicationOutSchema)
@bp.doc(
    responses={
        "200": {
            "description": "The whole application (its owner, officers), or the evaluator's view "
            "(an evaluator with a live assignment on it; blind in the document round)",
            "content": {"application/json": {"schema": {"anyOf": [ApplicationOutSchema, EvaluatorApplicationSchema]}}},
        }
    }
)
def get_application(application_id: int):
    """One application: the owner's, or any for officers; an assigned evaluator reads what the score page shows.

    In the document round that view is blind: no company name, registration number, CEO or files,
    and identifying text masked as ○○○.
    """
    if security.can(current_user, "evaluator.pages"):
        return jsonify(_evaluator_reads(application_id))
    return application_document(_application_for(application_id, "application.view"))


@bp.route("/applications/<int:application_id>", methods=["PATCH"])
@bp.arguments(ApplicationInSchema)
@bp.response(200, ApplicationOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Submitted, or changed since `version`")
def update_application(payload: dict, application_id: int):
    """Change any fields of a draft; all are checked first, and nothing is saved if one is wrong."""
    application = _application_for(application_id, "application.edit")
    try:
        services.save_draft(
            application,
            actor=current_user._get_current_object(),
            values=draft_values(payload),
            now=utcnow(),
            expected_version=payload.get("version"),
            partial=False,
        )
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise services.StaleDraft() from error
    return application_document(application)


@bp.route("/applications/<int:application_id>/documents", methods=["POST"])
@bp.arguments(DocumentUploadSchema, location="form")
@bp.response(201, DocumentOutSchema)
@bp.alt_response(413, schema=ErrorSchema, description="File over the size limit")
def upload_document(form: dict, application_id: int):
    """Upload a document (multipart: `file`, `kind`, optional `issued_on`)."""
    application = _application_for(application_id, "application.edit")
    file = request.files.get("file")
    if file is None or not file.filename:
        raise DomainError(fields={"file": ["Attach the file as the multipart field `file`."]})
    document = services.upload_document(
        application,
        actor=current_user._get_current_object(),
        kind=form["kind"],
        stream=file.stream,
        filename=file.filename,
        issued_on=form.get("issued_on"),
        started_at=g.request_started_at,
        clock=utcnow,
    )
    db.session.commit()
    return document


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@bp.response(200, ApplicationOutSchema)
@bp.alt_response(422, schema=ErrorSchema, description="Fields or documents missing")
@bp.alt_response(409, schema=ErrorSchema, description="The call is closed")
def submit_application(application_id: int):
    """Submit a draft; submitting twice returns the first receipt."""
    application = _application_for(application_id, "application.submit")
    services.submit_application(application, actor=current_user._get_current_object(), now=utcnow())
    db.session.commit()
    return application_document(application)
