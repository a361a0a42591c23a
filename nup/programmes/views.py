"""Calls: the public list and page, and the officers' create/edit/publish/close pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.errors import DomainError
from nup.extensions import db
from nup.programmes import catalogue, queries, services
from nup.programmes.forms import CallForm, LineError
from nup.programmes.models import Call
from nup.programmes.policy import policy_of
from nup.timeutil import utcnow
from nup.web import page_arg, perform, show_domain_error

bp = Blueprint("calls", __name__)
admin = Blueprint("call_admin", __name__, url_prefix="/staff/calls")


@bp.get("/calls")
def index():
    now = utcnow()
    return render_template("calls/index.html", groups=queries.public_calls(now=now), now=now)


@bp.get("/calls/<int:call_id>")
def detail(call_id: int):
    staff = current_user.is_authenticated and current_user.role == "officer"
    call = queries.visible_call(call_id, staff=staff)
    if call is None:
        abort(404)
    application = None
    if current_user.is_authenticated and current_user.role == "applicant":
        from nup.applications.queries import application_on_call  # reads only; no import cycle at load

        application = application_on_call(current_user, call.id)
    return render_template(
        "calls/detail.html",
        call=call,
        now=utcnow(),
        application=application,
        document_label=catalogue.document_label,
        type_labels=catalogue.APPLICANT_TYPE_LABELS,
        policy=policy_of(call),
    )


@admin.get("/")
def list_calls():
    return render_template("calls/admin_list.html", pagination=queries.all_calls(page=page_arg()), now=utcnow())


def _save(form: CallForm, call: Call | None):
    try:
        values = form.values()
        if call is None:
            call = services.create_call(actor=current_user._get_current_object(), values=values, now=utcnow())
        else:
            services.update_call(call, actor=current_user._get_current_object(), values=values, now=utcnow())
    except LineError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [error.message]
        return None
    except DomainError as error:
        db.session.rollback()
        _place_nested_errors(error)
        show_domain_error(form, error)
        return None
    db.session.commit()
    return call


def _place_nested_errors(error: DomainError) -> None:
    """The eligibility settings are several form fields; show their errors on the first."""
    if "eligibility" in error.fields:
        error.fields["min_business_years"] = error.fields.pop("eligibility")


@admin.route("/new", methods=["GET", "POST"])
def new():
    form = CallForm()
    if not form.is_submitted():
        form.fill(services.default_call_values())
    if form.validate_on_submit() and (call := _save(form, None)):
        flash(_("The call has been saved as a draft. Publish it when it is ready."), "success")
        return redirect(url_for(".edit", call_id=call.id))
    return render_template("calls/form.html", form=form, call=None)


@admin.route("/<int:call_id>/edit", methods=["GET", "POST"])
def edit(call_id: int):
    call = db.session.get(Call, call_id) or abort(404)
    form = CallForm()
    if not form.is_submitted():
        form.fill({key: getattr(call, key) for key in services.EDITABLE})
    if form.validate_on_submit() and _save(form, call):
        flash(_("The call has been saved."), "success")
        return redirect(url_for(".edit", call_id=call.id))
    return render_template("calls/form.html", form=form, call=call)


@admin.post("/<int:call_id>/publish")
def publish(call_id: int):
    return _transition(call_id, services.publish_call, _("The call is published."))


@admin.post("/<int:call_id>/close")
def close(call_id: int):
    return _transition(call_id, services.close_call, _("The call is closed."))


def _transition(call_id: int, service, message: str):
    call = db.session.get(Call, call_id) or abort(404)
    return perform(service, call, success=message, then=url_for(".edit", call_id=call_id))
