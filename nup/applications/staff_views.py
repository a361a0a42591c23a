"""Officers' pages: a call's applications with filters, and the requirements check (요건검토)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.applications import queries, services
from nup.applications.forms import ScreeningForm
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes import catalogue
from nup.programmes.models import Call
from nup.timeutil import utcnow
from nup.web import client_ip, domain_error_text, page_arg, per_page_arg

bp = Blueprint("screening", __name__, url_prefix="/staff")
FILTER_NAMES = ("track", "region", "eligibility", "physical_ai", "status", "q", "sort")


@bp.get("/calls/<int:call_id>/applications")
def applications(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    filters = queries.ApplicationFilters(
        **{name: (request.args.get(name) or "")[:100] for name in FILTER_NAMES if name != "sort"},
        sort=request.args.get("sort") or "submitted",
    )
    counts = queries.status_counts(call.id)
    pagination = queries.officer_list(call.id, filters, page=page_arg(), per_page=per_page_arg(), counts=counts)
    return render_template(
        "screening/list.html",
        call=call,
        pagination=pagination,
        filters=filters,
        counts=counts,
        shared=queries.shared_registration_numbers(call.id, [a.id for a in pagination.items]),
        documents=queries.document_summary(a.id for a in pagination.items),
        regions=catalogue.REGIONS,
        statuses=[s.value for s in ApplicationStatus],
    )


@bp.get("/applications/<int:application_id>")
def detail(application_id: int):
    application = db.session.get(Application, application_id) or abort(404)
    audit.record(current_user._get_current_object(), "personal_data.viewed", application, ip=client_ip())
    db.session.commit()
    return render_template(
        "screening/detail.html",
        application=application,
        form=ScreeningForm(),
        checklist=services.checklist(application),
        shared=queries.shared_registration_numbers(application.call_id, [application.id]).get(application.id, []),
        document_label=catalogue.document_label,
    )


@bp.post("/documents/<int:document_id>/review")
def review_document(document_id: int):
    document = queries.document(document_id) or abort(404)
    form = ScreeningForm()
    accept = request.form.get("decision") == "accept"
    try:
        services.review_document(
            document,
            actor=current_user._get_current_object(),
            accept=accept,
            message=form.message.data or "",
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_error_text(error), "error")
    else:
        db.session.commit()
        flash(
            _("The document is marked accepted.")
            if accept
            else _("The correction request has been sent to the applicant."),
            "success",
        )
    return redirect(url_for(".detail", application_id=document.application_id) + f"#document-{document.id}")
