"""Reads of applications: the applicant's own, and the officers' filtered lists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import lazyload, load_only, raiseload

from nup import security
from nup.applications.models import Application, ApplicationStatus, Document, DocumentReview
from nup.extensions import db


def application_on_call(user, call_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(Application.call_id == call_id, Application.user_id == user.id))


def document(document_id: int) -> Document | None:
    return db.session.get(Document, document_id)


@dataclass(frozen=True)
class ApplicationFilters:
    track: str = ""
    region: str = ""
    eligibility: str = ""  # "", "eligible", "ineligible", "incomplete"
    physical_ai: str = ""  # "", "yes", "no"
    status: str = ""
    q: str = ""
    sort: str = "submitted"  # submitted | physical_ai | company


def _filtered(call_id: int, filters: ApplicationFilters, *, include_drafts: bool):
    query = select(Application).where(Application.call_id == call_id)
    if not include_drafts and not filters.status:
        query = query.where(Application.status != ApplicationStatus.DRAFT)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.track:
        query = query.where(Application.track == filters.track)
    if filters.region:
        query = query.where(Application.region == filters.region)
    if filters.eligibility == "eligible":
        query = query.where(Application.eligible.is_(True))
    elif filters.eligibility == "ineligible":
        query = query.where(Application.eligible.is_(False))
    elif filters.eligibility == "incomplete":
        query = query.where(Application.eligible.is_(None))
    if filters.physical_ai in ("yes", "no"):
        query = query.where(Application.physical_ai.is_(filters.physical_ai == "yes"))
    elif filters.physical_ai == "flagged":
        query = query.where(Application.priority_flagged.is_(True))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Application.company_name).like(like),
                func.lower(Application.receipt_number).like(like),
                Application.business_registration_number.like(like.replace("-", "")),
            )
        )
    return query


# What a row of the officer's list shows: these columns and its documents' kinds and review
# states (document_summary; touching a row's documents raises); not the plan text, not the call again.
LIST_COLUMNS = (
    Application.id,
    Application.call_id,
    Application.applicant_type,
    Application.receipt_number,
    Application.company_name,
    Application.physical_ai,
    Application.priority_flagged,
    Application.track,
    Application.region,
    Application.eligible,
    Application.status,
    Application.submitted_at,
    Application.business_registration_number,
)
LIST_ROW = (load_only(*LIST_COLUMNS), lazyload(Application.call), raiseload(Application.documents))


def document_summary(application_ids) -> dict[int, dict]:
    """For each application, the kinds of document it holds and whether one awaits a correction
    (one query of two columns, for the officer's list; not a Document object per file)."""
    ids = list(application_ids)
    summary: dict[int, dict] = {i: {"kinds": set(), "correction": False} for i in ids}
    if not ids:
        return summary
    rows = db.session.execute(
        select(Document.application_id, Document.kind, Document.review_status).where(Document.application_id.in_(ids))
    )
    for application_id, kind, review_status in rows:
        summary[application_id]["kinds"].add(kind)
        summary[application_id]["correction"] |= review_status == DocumentReview.CORRECTION
    return summary


def officer_list(
    call_id: int, filters: ApplicationFilters, *, page: int, per_page: int = 25, counts: dict[str, int] | None = None
):
    """One page of a call's applications; the documents come in one extra query, not one per row.

    Each sort is read in the order of an index on the call (ix_applications_call_*), so a page
    reads its rows, not the call's. Given the call's `status_counts`, a list filtered by status
    at most takes its total from them instead of counting again.
    """
    query = _filtered(call_id, filters, include_drafts=False).options(*LIST_ROW)
    order = {
        "physical_ai": (Application.physical_ai.desc(), Application.submitted_at.asc(), Application.id),
        "company": (Application.company_name, Application.id),
    }.get(filters.sort, (Application.submitted_at.desc(), Application.id.desc()))
    unfiltered = not any(
        (filters.track, filters.region, filters.eligibility, filters.physical_ai in ("yes", "no", "flagged"), filters.q)
    )
    if counts is None or not unfiltered:
        return db.paginate(query.order_by(*order), page=page, per_page=per_page, error_out=False)
    pagination = db.paginate(query.order_by(*order), page=page, per_page=per_page, error_out=False, count=False)
    if filters.status:
        pagination.total = counts.get(filters.status, 0)
    else:
        pagination.total = sum(n for status, n in counts.items() if status != ApplicationStatus.DRAFT)
    return pagination


def status_counts(call_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Application.status, func.count()).where(Application.call_id == call_id).group_by(Application.status)
    )
    return {status: count for status, count in rows}


# Statuses in which an application competes in the call (a draft or a withdrawal does not).
COMPETING = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.RESULT)


def shared_registration_numbers(call_id: int, application_ids) -> dict[int, list[Application]]:
    """For each of `application_ids`, the other competing applications to the call with the same number.

    Officers only: a founder is never told that another company used their number.
    Applications without a number, drafts and withdrawn ones are not counted.
    """
    ids = list(application_ids)
    if not ids:
        return {}
    mine = select(Application.business_registration_number).where(
        Application.id.in_(ids), Application.business_registration_number.is_not(None)
    )
    competing = (Application.call_id == call_id, Application.status.in_(COMPETING))
    # Only the numbers that more than one competing application gives (usually none), and of
    # those applications only what the notice shows.
    shared = (
        select(Application.business_registration_number)
        .where(*competing, Application.business_registration_number.in_(mine))
        .group_by(Application.business_registration_number)
        .having(func.count() > 1)
    )
    rows = db.session.scalars(
        select(Application)
        .where(*competing, Application.business_registration_number.in_(shared))
        .options(
            load_only(
                Application.id,
                Application.call_id,
                Application.receipt_number,
                Application.business_registration_number,
                Application.submitted_at,
                Application.status,
            ),
            lazyload(Application.documents),
            lazyload(Application.call),
        )
        .order_by(Application.submitted_at, Application.id)
    ).all()
    by_number: dict[str, list[Application]] = {}
    for row in rows:
        by_number.setdefault(row.business_registration_number, []).append(row)
    asked = set(ids)
    wanted = {row.id for row in rows if row.id in asked}
    result = {}
    for group in by_number.values():
        if len(group) < 2:
            continue
        for row in group:
            if row.id in wanted:
                result[row.id] = [other for other in group if other.id != row.id]
    return result


# ------------------------------------------------------------------------ visibility


def visible_applications(actor) -> Select:
    """A select of the applications `actor` may see: officers every one, an applicant their own, others none.

    Pages, the API and exports start from this and filter, sort and page further; it agrees
    with `security.can(actor, "application.view", application)` row for row.
    """
    query = select(Application)
    if security.can(actor, "applications.screen"):
        return query
    if security.can(actor, "applicant.pages"):
        return query.where(Application.user_id == actor.id)
    return query.where(false())


def application_visible_or_404(actor, application_id: int) -> Application:
    """The application if `actor` may see it; otherwise NotFound (someone else's is as good as not there)."""
    return db.one_or_404(visible_applications(actor).where(Application.id == application_id))
