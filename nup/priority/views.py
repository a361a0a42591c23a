"""Officers confirm or override an application's Physical AI field, with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from nup.applications.models import Application
from nup.errors import DomainError
from nup.extensions import db
from nup.priority import queries, services
from nup.programmes import policy
from nup.programmes.models import Call
from nup.timeutil import utcnow
from nup.web import form_errors_text, show_domain_error

bp = Blueprint("priority", __name__, url_prefix="/staff")


class PriorityDecisionForm(FlaskForm):
    physical_ai = RadioField(
        _l("Physical AI field"),
        choices=[("yes", _l("Physical AI: give it the priority")), ("no", _l("Not Physical AI"))],
        validators=[InputRequired(message=_l("Choose one."))],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)])


class PolicyForm(FlaskForm):
    bonus_points = DecimalField(
        _l("Bonus points (added after trimming)"), validators=[InputRequired(), NumberRange(min=0, max=20)]
    )
    min_share = IntegerField(
        _l("Minimum share of places for Physical AI (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    tie_breaker = BooleanField(_l("Physical AI first among equal final scores"))
    processing_priority = BooleanField(_l("Priority queue for its background work and mail"))
    reason = TextAreaField(
        _l("Reason for the change"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)]
    )


def _dashboard(call: Call, form: PolicyForm | None = None):
    current = policy.policy_of(call)
    if form is None:
        form = PolicyForm(formdata=None)
        form.bonus_points.data = current["bonus_points"]
        form.min_share.data = round(current["min_share"] * 100)
        form.tie_breaker.data = current["tie_breaker"]
        form.processing_priority.data = current["processing_priority"]
    return render_template(
        "priority/dashboard.html",
        call=call,
        figures=queries.dashboard(call),
        policy=current,
        versions=services.policy_versions(call),
        form=form,
    )


@bp.get("/calls/<int:call_id>/physical-ai")
def dashboard(call_id: int):
    return _dashboard(db.session.get(Call, call_id) or abort(404))


@bp.post("/calls/<int:call_id>/physical-ai/policy")
def set_policy(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    form = PolicyForm()
    if form.validate_on_submit():
        try:
            services.set_policy(
                call,
                actor=current_user._get_current_object(),
                bonus_points=float(form.bonus_points.data),
                min_share=form.min_share.data / 100,
                tie_breaker=bool(form.tie_breaker.data),
                processing_priority=bool(form.processing_priority.data),
                reason=form.reason.data,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The Physical AI policy is saved as a new version."), "success")
            return redirect(url_for(".dashboard", call_id=call.id) + "#policy")
    return _dashboard(call, form), 422


@bp.post("/applications/<int:application_id>/priority")
def decide(application_id: int):
    application = db.session.get(Application, application_id) or abort(404)
    form = PriorityDecisionForm()
    if not form.validate_on_submit():
        flash(form_errors_text(form), "error")
        return redirect(url_for("screening.detail", application_id=application_id) + "#priority")
    try:
        services.decide_priority(
            application,
            actor=current_user._get_current_object(),
            physical_ai=form.physical_ai.data == "yes",
            reason=form.reason.data,
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The Physical AI field is decided."), "success")
    return redirect(url_for("screening.detail", application_id=application_id) + "#priority")
