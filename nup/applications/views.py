"""The applicant's pages: the four-step form, autosave, documents, submission, receipt."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from nup import security
from nup.applications import queries, services, storage
from nup.applications.forms import CompanyForm, PlanForm, UploadForm
from nup.applications.models import COMPANY_FIELDS, PLAN_FIELDS, Application
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes import catalogue
from nup.programmes.models import Call
from nup.timeutil import to_kst, utcnow
from nup.web import client_ip, perform, show_domain_error, whole_number

bp = Blueprint("applications", __name__)
STEPS = ("company", "plan", "documents", "review")
STEP_FIELDS = {"company": COMPANY_FIELDS, "plan": PLAN_FIELDS}


def _own(application_id: int) -> Application:
    # someone else's application does not exist, as far as this user knows (404)
    return queries.application_visible_or_404(current_user._get_current_object(), application_id)


@bp.post("/calls/<int:call_id>/apply")
def start(call_id: int):
    call = db.session.get(Call, call_id)
    if call is None or call.status == "draft":
        abort(404)
    try:
        application = services.start_application(call, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("calls.detail", call_id=call_id))
    db.session.commit()
    return redirect(url_for(".edit", application_id=application.id, step="company"))


def _form_for(step: str, application: Application, data=None):
    language = str(get_locale())
    if step == "company":
        form = CompanyForm(formdata=data, data=_form_values(application, COMPANY_FIELDS))
    else:
        form = PlanForm(formdata=data, data=_form_values(application, PLAN_FIELDS))
        form.track.choices = [(t["key"], t.get(f"label_{language}") or t["label_ko"]) for t in application.call.tracks]
        form.target_markets.choices = [
            (code, names[1] if language == "en" else names[0]) for code, names in catalogue.MARKETS.items()
        ]
    return form


def _form_values(application: Application, fields) -> dict:
    values = {}
    for field in fields:
        value = getattr(application, field)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, date):
            value = value.isoformat()
        elif field == "funding_requested" and value is not None:
            value = str(value)
        values[field] = value
    return values


def _submitted_values(fields) -> dict:
    values = {}
    for field in fields:
        if field == "target_markets":
            values[field] = request.form.getlist(field)
        elif field in request.form:
            values[field] = request.form.get(field, "")
    return values


@bp.route("/applications/<int:application_id>/edit/<step>", methods=["GET", "POST"])
def edit(application_id: int, step: str):
    application = _own(application_id)
    if step not in STEPS:
        abort(404)
    if not application.is_draft:
        return redirect(url_for(".detail", application_id=application.id))
    status = 200
    form = None
    if step in STEP_FIELDS:
        form = _form_for(step, application, request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate_on_submit():
            try:
                errors = services.save_draft(
                    application,
                    actor=current_user._get_current_object(),
                    values=_submitted_values(STEP_FIELDS[step]),
                    now=utcnow(),
                    expected_version=_int(request.form.get("version")),
                )
                db.session.commit()
            except (DomainError, StaleDataError) as error:
                db.session.rollback()
                show_domain_error(form, error if isinstance(error, DomainError) else services.StaleDraft())
                status = 409
            else:
                if errors:
                    show_domain_error(form, DomainError(fields=errors))
                    flash(_("The other fields have been saved. Correct the fields marked below."), "error")
                    status = 422
                else:
                    flash(_("Saved."), "success")
                    target = STEPS[STEPS.index(step) + 1] if "next" in request.form else step
                    return redirect(url_for(".edit", application_id=application.id, step=target))
    return _render_step(application, step, status, form)


def _render_step(application: Application, step: str, status: int = 200, form=None):
    return render_template(
        f"applications/step_{step}.html",
        application=application,
        form=form,
        step=step,
        steps=STEPS,
        upload_form=_upload_form(application),
        checklist=services.checklist(application),
        document_label=catalogue.document_label,
        now=utcnow(),
    ), status


def _int(raw) -> int | None:
    return whole_number(raw)


def _upload_form(application: Application) -> UploadForm:
    form = UploadForm()
    language = str(get_locale())
    form.kind.choices = [
        (d["kind"], catalogue.document_label(d["kind"], language))
        for d in application.call.documents_for(application.applicant_type)
    ]
    return form


@bp.post("/applications/<int:application_id>/autosave")
def autosave(application_id: int):
    """Save the draft in the background as the applicant types (JSON; CSRF token in a header)."""
    application = _own(application_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error={"code": "bad_request", "message": _("Send the form as JSON.")}), 400
    values = {k: v for k, v in payload.items() if k in COMPANY_FIELDS + PLAN_FIELDS}
    try:
        errors = services.save_draft(
            application,
            actor=current_user._get_current_object(),
            values=values,
            now=utcnow(),
            expected_version=_int(str(payload.get("version", ""))),
        )
        db.session.commit()
    except services.StaleDraft as error:
        db.session.rollback()
        return jsonify(error={"code": error.code, "message": error.message}), 409
    except StaleDataError:
        db.session.rollback()
        error = services.StaleDraft()
        return jsonify(error={"code": error.code, "message": error.message}), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify(error={"code": error.code, "message": error.message, "fields": error.fields}), error.status
    return jsonify(
        saved=True,
        version=application.version,
        errors=errors,
        saved_at=to_kst(application.updated_at).strftime("%H:%M:%S"),
        checklist=services.checklist(application),
        eligibility=application.eligibility,
    )


@bp.post("/applications/<int:application_id>/documents")
def upload(application_id: int):
    application = _own(application_id)
    form = _upload_form(application)
    file = request.files.get("file")
    if not form.validate_on_submit() or file is None or not file.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for(".edit", application_id=application.id, step="documents"))
    try:
        services.upload_document(
            application,
            actor=current_user._get_current_object(),
            kind=form.kind.data,
            stream=file.stream,
            filename=file.filename,
            issued_on=form.issued_on.data,
            started_at=g.request_started_at,
            clock=utcnow,
        )
    except DomainError as error:
        db.session.rollback()
        details = " ".join(m for messages in error.fields.values() for m in messages)
        flash(details or error.message, "error")
        if isinstance(error, services.FileTooLargeError) and application.is_draft:
            # Say it with the right status, and keep the page (and the draft) intact.
            return _render_step(application, "documents", 413)
        return redirect(_after_upload(application), 303)
    db.session.commit()
    flash(_("The document has been uploaded."), "success")
    return redirect(_after_upload(application), 303)


def _after_upload(application: Application) -> str:
    if application.is_draft:
        return url_for(".edit", application_id=application.id, step="documents")
    return url_for(".detail", application_id=application.id)


@bp.post("/applications/<int:application_id>/documents/<int:document_id>/delete")
def delete_document(application_id: int, document_id: int):
    application = _own(application_id)
    document = next((d for d in application.documents if d.id == document_id), None) or abort(404)
    try:
        services.delete_document(document, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The document has been removed."), "success")
    return redirect(url_for(".edit", application_id=application.id, step="documents"))


@bp.get("/documents/<int:document_id>")
def download(document_id: int):
    document = queries.document(document_id)
    if document is None or not security.can(current_user, "document.download", document):
        abort(404)
    if current_user.id != document.application.user_id:
        audit.record(current_user._get_current_object(), "document.downloaded", document, ip=client_ip())
        db.session.commit()
    path = storage.path_of(services.upload_folder(document.application), document.stored_name)
    if not Path(path).is_file():
        abort(404)
    return send_file(
        path, mimetype=document.content_type, as_attachment=True, download_name=document.filename, max_age=0
    )


@bp.post("/applications/<int:application_id>/submit")
def submit(application_id: int):
    application = _own(application_id)
    try:
        services.submit_application(application, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".edit", application_id=application_id, step="review"))
    db.session.commit()
    return redirect(url_for(".receipt", application_id=application_id))


@bp.get("/applications/<int:application_id>")
def detail(application_id: int):
    application = _own(application_id)
    return render_template(
        "applications/detail.html",
        application=application,
        document_label=catalogue.document_label,
        now=utcnow(),
    )


@bp.get("/applications/<int:application_id>/receipt")
def receipt(application_id: int):
    application = _own(application_id)
    if application.receipt_number is None:
        return redirect(url_for(".detail", application_id=application_id))
    return render_template(
        "applications/receipt.html", application=application, document_label=catalogue.document_label
    )


@bp.post("/applications/<int:application_id>/withdraw")
def withdraw(application_id: int):
    return _change(application_id, services.withdraw_application, _("Your application has been withdrawn."))


@bp.post("/applications/<int:application_id>/reopen")
def reopen(application_id: int):
    return _change(
        application_id,
        services.reopen_application,
        _("Your application is a draft again. Submit it again before the deadline."),
    )


def _change(application_id: int, service, message: str):
    application = _own(application_id)
    return perform(service, application, success=message, then=url_for(".detail", application_id=application_id))
