"""Officers confirm or override an application's Physical AI field, with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from nup.applications.models import Application
from nup.errors import DomainError
from nup.extensions import db
from nup.priority import queries, services
from nup.programmes.models import Call
from nup.timeutil import utcnow
from nup.web import form_errors_text

bp = Blueprint("priority", __name__, url_prefix="/staff")


class PriorityDecisionForm(FlaskForm):
    physical_ai = RadioField(
        _l("Physical AI field"),
        choices=[("yes", _l("Physical AI: give it the priority")), ("no", _l("Not Physical AI"))],
        validators=[InputRequired(message=_l("Choose one."))],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)])


@bp.get("/calls/<int:call_id>/physical-ai")
def dashboard(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    return render_template("priority/dashboard.html", call=call, figures=queries.dashboard(call))


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
