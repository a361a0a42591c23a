"""Applicants' pages after review: results, objections (이의신청), exclusion requests (기피), ratings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from nup.applications import queries as application_queries
from nup.errors import DomainError
from nup.extensions import db
from nup.reviews import decisions, presentations, services
from nup.reviews import objections as objection_services
from nup.reviews import queries as review_queries
from nup.reviews.forms import ExclusionRequestForm, ObjectionForm, RatingForm
from nup.reviews.models import Decision, Objection
from nup.timeutil import utcnow
from nup.web import show_domain_error

bp = Blueprint("results", __name__)


def _me():
    return current_user._get_current_object()


def _own(application_id: int):
    return application_queries.application_visible_or_404(_me(), application_id)


def _page(application, *, objection_form=None, rating_form=None, exclusion_form=None):
    released = db.session.scalars(
        select(Decision)
        .where(Decision.application_id == application.id, Decision.released_at.is_not(None))
        .order_by(Decision.released_at)
    ).all()
    objections = db.session.scalars(
        select(Objection).where(Objection.application_id == application.id).order_by(Objection.filed_at)
    ).all()
    requests = review_queries.exclusion_requests_by(_me(), application.id)
    latest = released[-1] if released else None
    now = utcnow()
    return render_template(
        "reviews/result.html",
        application=application,
        call=application.call,
        decisions=released,
        latest=latest,
        letter=decisions.letter_context(latest, application.call, _me(), []) if latest else None,
        objections=objections,
        can_object=bool(latest and now <= decisions.objection_deadline(latest.released_at)),
        objection_until=decisions.objection_deadline(latest.released_at) if latest else None,
        objection_form=objection_form or ObjectionForm(formdata=None),
        rating_form=rating_form or RatingForm(formdata=None),
        exclusion_form=exclusion_form or ExclusionRequestForm(formdata=None),
        has_rated=objection_services.has_rated(application.id),
        requests=requests,
        slot=presentations.slot_for(application.id),
    )


@bp.get("/applications/<int:application_id>/result")
def result(application_id: int):
    return _page(_own(application_id))


def _act(application, form, action, *, success: str, form_name: str):
    """Run an applicant's action from a validated form: one commit and back to the result page;
    on a refusal, the page again with the form's errors and nothing saved."""
    if form.validate_on_submit():
        try:
            action()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".result", application_id=application.id))
    return _page(application, **{form_name: form}), 422


@bp.post("/applications/<int:application_id>/objection")
def file_objection(application_id: int):
    application = _own(application_id)
    decision = db.session.scalar(
        select(Decision)
        .where(Decision.application_id == application.id, Decision.released_at.is_not(None))
        .order_by(Decision.released_at.desc())
    )
    if decision is None:
        abort(404)
    form = ObjectionForm()
    return _act(
        application,
        form,
        lambda: objection_services.file_objection(decision, actor=_me(), grounds=form.grounds.data, now=utcnow()),
        success=_("Your objection is filed. The programme office answers within 14 days."),
        form_name="objection_form",
    )


@bp.post("/applications/<int:application_id>/rating")
def rate(application_id: int):
    application = _own(application_id)
    form = RatingForm()
    return _act(
        application,
        form,
        lambda: objection_services.rate_evaluators(
            application, actor=_me(), stars=int(form.stars.data), comment=form.comment.data or "", now=utcnow()
        ),
        success=_("Thank you. Your rating is recorded anonymously."),
        form_name="rating_form",
    )


@bp.post("/applications/<int:application_id>/exclusion-request")
def request_exclusion(application_id: int):
    application = _own(application_id)
    form = ExclusionRequestForm()
    return _act(
        application,
        form,
        lambda: services.request_exclusion(
            application, actor=_me(), subject=form.subject.data, reason=form.reason.data, now=utcnow()
        ),
        success=_("Your request is sent. The programme office decides and tells you."),
        form_name="exclusion_form",
    )
