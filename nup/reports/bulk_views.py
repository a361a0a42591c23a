"""The officers' page to write to a group: choose it, see how many and a preview, then send."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import delivery
from nup.programmes.models import Call
from nup.reports import bulk
from nup.timeutil import utcnow
from nup.web import show_domain_error, whole_number

bp = Blueprint("bulk", __name__, url_prefix="/staff/outbox")


class ComposeForm(FlaskForm):
    role = SelectField(
        _l("To"),
        choices=[
            ("applicant", _l("Applicants")),
            ("reviewer", _l("Evaluators")),
            ("mentor", _l("Mentors")),
            ("officer", _l("Programme officers")),
        ],
    )
    call_id = SelectField(_l("Call"), choices=[], validate_choice=False, validators=[Optional()])
    track = StringField(_l("Track key"), validators=[Optional(), Length(max=60)])
    status = SelectField(
        _l("Application status"), choices=[("", _l("Any"))] + [(s, s) for s in bulk.STATUSES], validators=[Optional()]
    )
    missing_documents = BooleanField(_l("Only those with documents missing or to correct"))
    subject_ko = StringField(_l("Subject (Korean)"), validators=[Length(max=300)])
    body_ko = TextAreaField(_l("Message (Korean)"), validators=[Length(max=20000)], render_kw={"rows": 8})
    subject_en = StringField(_l("Subject (English)"), validators=[Optional(), Length(max=300)])
    body_en = TextAreaField(_l("Message (English)"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 8})
    essential = BooleanField(_l("Essential: send even to people who opted out of non-essential mail"))
    expected_count = HiddenField()
    preview_for = SelectField(_l("Preview as"), choices=[], validate_choice=False, validators=[Optional()])


def _audience(form: ComposeForm) -> bulk.Audience:
    call = form.call_id.data
    return bulk.Audience(
        role=form.role.data,
        call_id=whole_number(call),
        track=(form.track.data or "").strip(),
        status=form.status.data or "",
        missing_documents=bool(form.missing_documents.data),
    )


def _message(form: ComposeForm) -> dict:
    return {
        "subject_ko": form.subject_ko.data,
        "body_ko": form.body_ko.data,
        "subject_en": form.subject_en.data,
        "body_en": form.body_en.data,
    }


@bp.route("/compose", methods=["GET", "POST"])
def compose():
    form = ComposeForm()
    form.call_id.choices = [("", _("Any call"))] + [
        (str(c.id), c.title_ko) for c in db.session.scalars(select(Call).order_by(Call.id.desc()))
    ]
    people, preview = None, None
    if form.validate_on_submit():
        try:
            message = bulk.clean_message(**_message(form))
            people = bulk.recipients(_audience(form))
            if "send" in request.form:
                sent = bulk.send_bulk_message(
                    actor=current_user._get_current_object(),
                    audience=_audience(form),
                    message=message,
                    essential=bool(form.essential.data),
                    expected_count=int(form.expected_count.data or -1),
                    now=utcnow(),
                )
                db.session.commit()
                flash(_("The message has been queued for %(n)d people.", n=sent.recipients), "success")
                return redirect(url_for("notifications.outbox", kind="bulk_message"))
            form.expected_count.data = str(len(people))
            form.preview_for.choices = [(str(p.id), f"{p.name} <{p.email}> ({p.language})") for p in people[:200]]
            chosen = next((p for p in people if str(p.id) == form.preview_for.data), people[0] if people else None)
            if chosen is not None:
                form.preview_for.data = str(chosen.id)
                preview = delivery.render_parts("bulk_message", chosen.language, {"name": chosen.name, **message})
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
    return render_template("notifications/compose.html", form=form, people=people, preview=preview)
