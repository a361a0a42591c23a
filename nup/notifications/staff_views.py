"""Officers' outbox: every email with its status, view as sent, resend, cancel; email wording."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import catalogue, delivery, queries, services
from nup.notifications.models import Notification, NotificationStatus
from nup.notifications.views import bp
from nup.timeutil import utcnow
from nup.web import page_arg, show_domain_error, whole_number


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Length(max=300)])
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=20000)],
        render_kw={"rows": 14},
        description=_l(
            "Plain text; a blank line starts a new paragraph. Values appear where you "
            "write them in double braces, e.g. {{ name }}."
        ),
    )


@bp.get("/outbox")
def outbox():
    call = request.args.get("call", "")
    pagination, counts = queries.outbox(
        status=request.args.get("status", ""),
        kind=request.args.get("kind", ""),
        call_id=whole_number(call),
        to=request.args.get("to", "")[:100],
        page=page_arg(),
    )
    return render_template(
        "notifications/outbox.html",
        pagination=pagination,
        counts=counts,
        statuses=[s.value for s in NotificationStatus],
        kinds=catalogue.KINDS,
    )


def _notification(notification_id: int) -> Notification:
    return db.session.get(Notification, notification_id) or abort(404)


@bp.get("/outbox/<int:notification_id>")
def outbox_message(notification_id: int):
    return render_template("notifications/outbox_message.html", n=_notification(notification_id), kinds=catalogue.KINDS)


@bp.post("/outbox/<int:notification_id>/resend")
def resend(notification_id: int):
    copy = services.resend_notification(
        _notification(notification_id), actor=current_user._get_current_object(), now=utcnow()
    )
    db.session.commit()
    flash(_("The email has been queued again."), "success")
    return redirect(url_for(".outbox_message", notification_id=copy.id))


@bp.post("/outbox/<int:notification_id>/cancel")
def cancel(notification_id: int):
    try:
        services.cancel_notification(
            _notification(notification_id), actor=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The email has been cancelled."), "success")
    return redirect(url_for(".outbox_message", notification_id=notification_id))


@bp.get("/templates")
def templates():
    return render_template("notifications/templates.html", kinds=catalogue.KINDS, custom=queries.templates_by_kind())


@bp.route("/templates/<kind>/<language>", methods=["GET", "POST"])
def edit_template(kind: str, language: str):
    if kind not in catalogue.KINDS or language not in ("ko", "en"):
        abort(404)
    sample = catalogue.KINDS[kind].sample
    form = TemplateForm()
    preview = None
    if request.method == "GET":
        saved = queries.templates_by_kind().get((kind, language))
        if saved is not None:
            form.subject.data, form.body.data = saved.subject, saved.body
        else:
            form.subject.data, form.body.data = delivery.starting_wording(kind, language)
    elif form.validate_on_submit():
        if "preview" in request.form:
            try:
                preview = delivery.preview_custom(kind, language, form.subject.data, form.body.data, dict(sample))
            except Exception as error:
                form.body.errors = [_("This template cannot be used: %(error)s", error=str(error)[:200])]
        else:
            try:
                services.save_template(
                    actor=current_user._get_current_object(),
                    kind=kind,
                    language=language,
                    subject=form.subject.data,
                    body=form.body.data,
                    now=utcnow(),
                )
            except DomainError as error:
                db.session.rollback()
                show_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("The wording has been saved. New emails of this kind use it."), "success")
                return redirect(url_for(".edit_template", kind=kind, language=language))
    return render_template(
        "notifications/template_form.html",
        form=form,
        kind=catalogue.KINDS[kind],
        language=language,
        preview=preview,
        variables=sorted(sample),
    )


@bp.post("/templates/<kind>/<language>/reset")
def reset_template(kind: str, language: str):
    services.reset_template(actor=current_user._get_current_object(), kind=kind, language=language)
    db.session.commit()
    flash(_("The built-in wording is used again."), "success")
    return redirect(url_for(".edit_template", kind=kind, language=language))
