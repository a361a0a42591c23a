"""Officers' account administration: find people, invite staff, change roles, disable."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nup.accounts import queries, services
from nup.accounts.forms import ActiveForm, RoleForm, StaffUserForm, UserSearchForm
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.timeutil import utcnow
from nup.web import client_ip, page_arg, show_domain_error

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/users")
def users():
    form = UserSearchForm(request.args)
    form.validate()
    pagination = queries.search_users(text=form.q.data or "", role=form.role.data or "", page=page_arg())
    return render_template("staff/users.html", form=form, pagination=pagination)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                actor=current_user._get_current_object(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                language=form.language.data,
                now=utcnow(),
                ip=client_ip(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The account has been created and an invitation sent to %(email)s.", email=user.email),
                "success",
            )
            return redirect(url_for(".user_detail", user_id=user.id))
    return render_template("staff/new_user.html", form=form)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    actor = current_user._get_current_object()
    # Viewing someone's personal data is itself recorded (개인정보 접근기록).
    audit.record(actor, "personal_data.viewed", user, ip=client_ip())
    db.session.commit()
    return render_template(
        "staff/user_detail.html",
        user=user,
        role_form=RoleForm(role=user.role),
        active_form=ActiveForm(),
        current=queries.current_consents(user),
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(
                actor=current_user._get_current_object(), user=user, role=form.role.data, ip=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The role has been changed."), "success")
    return redirect(url_for(".user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    user = _user_or_404(user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            services.set_active(
                actor=current_user._get_current_object(),
                user=user,
                active=form.active.data == "1",
                ip=client_ip(),
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The account has been updated."), "success")
    return redirect(url_for(".user_detail", user_id=user_id))
