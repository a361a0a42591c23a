"""An applicant's journey: start a draft, save it, upload documents, submit, withdraw.

Services flush, never commit; emails go through the outbox after the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from nup import background, security
from nup.applications import rules, storage, validation
from nup.applications.models import Application, ApplicationStatus, Document, DocumentReview, ReceiptCounter
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db, savepoint
from nup.notifications import services as notifications
from nup.programmes import catalogue
from nup.programmes.models import Call
from nup.programmes.policy import prioritised
from nup.timeutil import to_kst

CLASSIFY_TASK = "priority.classify_application"  # workers/tasks/priority.py


class CallClosed(DomainError):
    code = "call_closed"
    status = 409

    def __init__(self, call: Call, *, during_upload: bool = False):
        closes = to_kst(call.closes_at).strftime("%Y-%m-%d %H:%M:%S KST")
        if during_upload:
            message = _l(
                "The deadline (%(at)s) passed while your file was uploading, so it was not accepted. "
                "Your draft is unchanged.",
                at=closes,
            )
        else:
            message = _l("This call is not open for applications (deadline: %(at)s).", at=closes)
        super().__init__(message)


class MissingItems(DomainError):
    code = "incomplete"
    status = 422

    def __init__(self, fields: list[str], documents: list[str]):
        super().__init__(
            _l("The application is not complete yet: see the checklist."),
            fields={
                **{f: [str(_l("Required before submission."))] for f in fields},
                **{f"document:{d}": [str(_l("This document is required."))] for d in documents},
            },
        )
        self.missing_fields, self.missing_documents = fields, documents


class NotEditable(Conflict):
    default_message = _l("A submitted application can no longer be changed.")


class StaleDraft(Conflict):
    code = "stale"
    default_message = _l(
        "This application was changed in another window. Reload to see the latest version; "
        "what you typed is kept in this browser."
    )


# ---------------------------------------------------------------------------- drafts


def start_application(call: Call, *, actor, now: datetime) -> Application:
    """Open a draft for `actor` on `call`, or return the one they already have."""
    security.require(actor, "applications.start", call)
    existing = db.session.scalar(
        select(Application).where(Application.call_id == call.id, Application.user_id == actor.id)
    )
    if existing is not None:
        return existing
    if not call.is_open(now):
        raise CallClosed(call)
    application = Application(
        call_id=call.id,
        user_id=actor.id,
        ceo_name=actor.name,
        created_at=now,
        updated_at=now,
        status=ApplicationStatus.DRAFT,
    )
    application.call = call
    refresh_derived(application)
    db.session.add(application)
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError:  # a second tab started it a moment ago
        return db.session.scalar(
            select(Application).where(Application.call_id == call.id, Application.user_id == actor.id)
        )
    audit.record(actor, "application.started", application)
    return application


def save_draft(
    application: Application,
    *,
    actor,
    values: dict,
    now: datetime,
    expected_version: int | None = None,
    partial: bool = True,
) -> dict[str, list[str]]:
    """Save what the applicant typed; return field errors for what could not be saved.

    With partial=True (pages and autosave) the well-formed fields are saved and the others
    reported, so nothing typed correctly is lost; with partial=False (the API) any error
    saves nothing. Raises StaleDraft when `expected_version` is not the stored version.
    """
    security.require(actor, "application.edit", application)
    _require_draft(application)
    if expected_version is not None and expected_version != application.version:
        raise StaleDraft()
    clean, errors = validation.clean_values(values, call=application.call)
    if errors and not partial:
        raise DomainError(_l("Some fields are not valid."), fields=errors)
    # A number another applicant already used is saved like any other: refusing it would tell
    # this founder that another company applied. Officers are told at submission instead.
    changed = {k: v for k, v in clean.items() if getattr(application, k) != v}
    for key, value in changed.items():
        setattr(application, key, value)
    if changed:
        application.updated_at = now
        refresh_derived(application)
        db.session.flush()
    return errors


def _require_draft(application: Application) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise NotEditable()


def company_facts(application: Application) -> rules.CompanyFacts:
    return rules.CompanyFacts(
        applicant_type=application.applicant_type,
        founded_on=application.founded_on,
        industry=application.industry,
        tax_arrears=application.tax_arrears,
        loan_default=application.loan_default,
        participation_ban=application.participation_ban,
        duplicate_support=application.duplicate_support,
        business_registration_number=application.business_registration_number,
    )


def eligibility_rules(call: Call) -> rules.EligibilityRules:
    settings = call.eligibility or {}
    return rules.EligibilityRules(
        min_business_years=settings.get("min_business_years"),
        max_business_years=settings.get("max_business_years"),
        excluded_industries=tuple(settings.get("excluded_industries") or ()),
        allowed_applicant_types=tuple(settings.get("allowed_applicant_types") or rules.APPLICANT_TYPES),
        check_declarations=settings.get("check_declarations", True),
        check_duplicate_support=settings.get("check_duplicate_support", True),
    )


def refresh_derived(application: Application) -> None:
    """Recompute eligibility and the declared Physical AI flag from the saved facts."""
    verdict = rules.assess_eligibility(
        eligibility_rules(application.call),
        company_facts(application),
        announced_on=application.call.announced_on,
    )
    application.eligibility = verdict.as_dict()
    # False: a rule excludes it; None: facts still missing; True: eligible.
    application.eligible = False if verdict.excluded else (None if verdict.incomplete else True)
    track = application.call.track(application.track) or {}
    application.physical_ai = bool(track.get("physical_ai"))


# ---------------------------------------------------------------------------- documents


def upload_folder(application: Application) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / str(application.call_id) / str(application.id)


def store_checked(stream, *, folder: Path, filename: str, max_bytes: int) -> storage.StoredFile:
    """Store an upload checked by its content, or raise the error a person can act on (nothing is kept)."""
    try:
        return storage.store(stream, folder=folder, original_name=filename, max_bytes=max_bytes)
    except storage.UnsupportedFile as error:
        message = _l(
            "Upload a PDF, or a JPEG, PNG or TIFF scan. The content of this file is of another type, "
            "whatever its name says."
        )
        raise DomainError(fields={"file": [str(message)]}) from error
    except storage.EmptyFile as error:
        raise DomainError(fields={"file": [str(_l("The file is empty."))]}) from error
    except storage.FileTooLarge as error:
        raise FileTooLargeError(error.limit) from error


def upload_document(
    application: Application,
    *,
    actor,
    kind: str,
    stream: BinaryIO,
    filename: str,
    issued_on: date | None,
    started_at: datetime,
    clock,
) -> Document:
    """Store a document for a draft, replacing any earlier one of the same kind.

    The deadline is checked again when the upload has arrived (`clock()` then): a file
    that was still arriving at the closing second is refused with a message saying so.
    """
    security.require(actor, "application.edit", application)
    call = application.call
    # After submission only a document the officer asked to correct may be replaced,
    # and that happens during the requirements check, after the deadline.
    correcting = application.status == ApplicationStatus.SUBMITTED and any(
        d.kind == kind and d.review_status == DocumentReview.CORRECTION for d in application.documents
    )
    if not correcting:
        _require_draft(application)
        if not call.is_open(started_at):
            raise CallClosed(call)
    allowed = {d["kind"]: d for d in call.documents_for(application.applicant_type)}
    if kind not in allowed and kind not in catalogue.DOCUMENT_KINDS:
        raise DomainError(fields={"kind": [str(_l("Choose the kind of document."))]})
    max_age = (allowed.get(kind) or {}).get("max_age_days")
    if max_age:
        if issued_on is None:
            raise DomainError(fields={"issued_on": [str(_l("Enter the date the document was issued."))]})
        deadline_day = to_kst(call.closes_at).date()
        if issued_on < deadline_day - timedelta(days=max_age) or issued_on > to_kst(clock()).date():
            raise DomainError(
                fields={
                    "issued_on": [
                        str(
                            _l(
                                "This document must be issued within %(days)d days before the deadline.",
                                days=max_age,
                            )
                        )
                    ]
                }
            )
    folder = upload_folder(application)
    stored = store_checked(
        stream,
        folder=folder,
        filename=filename,
        max_bytes=current_app.config.get("UPLOAD_MAX_BYTES", call.max_upload_bytes),
    )
    if not correcting and not call.is_open(clock()):
        storage.remove(storage.path_of(folder, stored.stored_name))
        raise CallClosed(call, during_upload=True)
    for old in [d for d in application.documents if d.kind == kind]:
        background.after_commit(storage.remove, storage.path_of(folder, old.stored_name))
        application.documents.remove(old)
        db.session.delete(old)
    document = Document(
        kind=kind,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        issued_on=issued_on,
        uploaded_at=clock(),
        review_status=DocumentReview.PENDING,
    )
    application.documents.append(document)
    background.after_rollback(storage.remove, storage.path_of(folder, stored.stored_name))
    application.updated_at = clock()
    db.session.flush()
    audit.record(
        actor,
        "document.corrected" if correcting else "document.uploaded",
        document,
        detail=f"{kind} {stored.size} bytes {stored.sha256[:12]}",
    )
    return document


class FileTooLargeError(DomainError):
    code = "too_large"
    status = 413

    def __init__(self, limit: int):
        super().__init__(
            _l(
                "The file is larger than %(mb)d MB. Make it smaller (for example, scan at a lower "
                "resolution) and upload it again.",
                mb=limit // (1024 * 1024),
            ),
            fields={"file": [str(_l("File too large."))]},
        )


def delete_document(document: Document, *, actor, now: datetime) -> None:
    """Remove a document from a draft while the call is open."""
    application = document.application
    security.require(actor, "application.edit", application)
    _require_draft(application)
    if not application.call.is_open(now):
        raise CallClosed(application.call)
    background.after_commit(storage.remove, storage.path_of(upload_folder(application), document.stored_name))
    application.documents.remove(document)
    db.session.delete(document)
    audit.record(actor, "document.deleted", application, detail=document.kind)
    db.session.flush()


def missing_documents(application: Application) -> list[str]:
    have = {d.kind for d in application.documents}
    return [d["kind"] for d in application.call.documents_for(application.applicant_type) if d["kind"] not in have]


def checklist(application: Application) -> dict:
    """What is still missing before submission: fields and documents."""
    values = {f: getattr(application, f) for f in validation.COMPANY_FIELDS + validation.PLAN_FIELDS}
    return {
        "fields": validation.missing_for_submission(values, call=application.call),
        "documents": missing_documents(application),
    }


# ---------------------------------------------------------------------------- submission


def submit_application(application: Application, *, actor, now: datetime) -> Application:
    """Submit a draft: freeze it, number it, and queue the receipt email.

    A second submission of the same application (double click, two tabs) returns the
    first one's receipt instead of a second submission. Raises CallClosed after the
    deadline and MissingItems while fields or documents are missing.
    """
    security.require(actor, "application.submit", application)
    if application.status == ApplicationStatus.SUBMITTED:
        return application
    _require_draft(application)
    if not application.call.is_open(now):
        raise CallClosed(application.call)
    missing = checklist(application)
    if missing["fields"] or missing["documents"]:
        raise MissingItems(missing["fields"], missing["documents"])
    db.session.flush()
    # The conditional update is the guard: of two concurrent submissions, only one
    # changes the row; the other finds it no longer a draft.
    claimed = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == ApplicationStatus.DRAFT)
        .values(status=ApplicationStatus.SUBMITTED, submitted_at=now, version=Application.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(application)
        if application.status == ApplicationStatus.SUBMITTED:
            return application
        raise NotEditable()
    number = next_receipt_number(to_kst(now).year)
    db.session.execute(
        update(Application)
        .where(Application.id == application.id)
        .values(receipt_number=number)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(application)
    notifications.queue(
        "application_received",
        to=actor,
        key=f"application:{application.id}",
        context={
            "name": actor.name,
            "receipt_number": number,
            "call_title_ko": application.call.title_ko,
            "call_title_en": application.call.title_en or application.call.title_ko,
            "submitted_at": to_kst(now).strftime("%Y-%m-%d %H:%M:%S KST"),
            "application_id": application.id,
        },
        priority=prioritised(application.call, application.physical_ai),
    )
    audit.record(actor, "application.submitted", application, after={"receipt_number": number})
    flag_shared_registration_number(application)
    # The worker reads the text for the Physical AI field (nup.priority) once this commits.
    background.enqueue(
        CLASSIFY_TASK,
        queue="priority" if prioritised(application.call, application.physical_ai) else "default",
        application_id=application.id,
    )
    return application


def flag_shared_registration_number(application: Application) -> list[int]:
    """Record for officers that another submitted application to the call has the same number.

    Nothing of this reaches the founder: the submission answers exactly as for any number.
    The officers' list and detail page show the flag (queries.shared_registration_numbers).
    """
    from nup.applications import queries

    others = queries.shared_registration_numbers(application.call_id, [application.id]).get(application.id, [])
    if others:
        audit.record(
            None,
            "application.duplicate_registration_number",
            application,
            after={
                "business_registration_number": application.business_registration_number,
                "shared_with": [other.id for other in others],
            },
            actor_label="system",
        )
    return [other.id for other in others]


def next_receipt_number(year: int) -> str:
    """NUP-<year>-<six digits>, one higher than the last given out that year."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(ReceiptCounter).values(year=year, last=0).on_conflict_do_nothing())
    last = db.session.execute(
        update(ReceiptCounter)
        .where(ReceiptCounter.year == year)
        .values(last=ReceiptCounter.last + 1)
        .returning(ReceiptCounter.last)
    ).scalar_one()
    return f"NUP-{year}-{last:06d}"


def withdraw_application(application: Application, *, actor, now: datetime) -> Application:
    """Withdraw a submission before the deadline; it can be reopened while the call is open."""
    security.require(actor, "application.submit", application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_l("Only a submitted application can be withdrawn."))
    if not application.call.is_open(now):
        raise CallClosed(application.call)
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = now
    audit.record(actor, "application.withdrawn", application)
    db.session.flush()
    return application


def reopen_application(application: Application, *, actor, now: datetime) -> Application:
    """Turn a withdrawn application back into a draft while the call is open."""
    security.require(actor, "application.submit", application)
    if application.status != ApplicationStatus.WITHDRAWN:
        raise Conflict(_l("Only a withdrawn application can be reopened."))
    if not application.call.is_open(now):
        raise CallClosed(application.call)
    application.status = ApplicationStatus.DRAFT
    application.withdrawn_at = None
    application.updated_at = now
    audit.record(actor, "application.reopened", application)
    db.session.flush()
    return application


# ---------------------------------------------------------------------------- requirements check


def review_document(document: Document, *, actor, accept: bool, message: str, now: datetime) -> Document:
    """Record the officer's check of one document (요건검토); a correction request is emailed."""
    security.require(actor, "applications.screen", document.application)
    message = (message or "").strip()
    if not accept and not message:
        raise DomainError(fields={"message": [str(_l("Say what needs correcting."))]})
    before = {"review_status": document.review_status}
    document.review_status = DocumentReview.ACCEPTED if accept else DocumentReview.CORRECTION
    document.review_message = message[:2000]
    document.reviewed_by_id = actor.id
    document.reviewed_at = now
    application = document.application
    if not accept:
        owner = db.session.get(type(actor), application.user_id)
        notifications.queue(
            "document_correction",
            to=owner,
            key=f"document:{document.id}:{now.isoformat()}",
            context={
                "name": owner.name,
                "document_kind": document.kind,
                "message": message,
                "receipt_number": application.receipt_number or "",
                "application_id": application.id,
            },
            priority=prioritised(application.call, application.physical_ai),
        )
    audit.record(
        actor,
        "document.reviewed",
        document,
        before=before,
        after={"review_status": document.review_status, "message": document.review_message},
    )
    db.session.flush()
    return document
