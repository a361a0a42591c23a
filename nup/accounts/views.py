"""Self-service account pages: sign-up, confirmation, sign-in and -out, passwords, profile."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from nup.accounts import queries, services, sessions
from nup.accounts.consents import CONSENTS
from nup.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ConsentForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    ReauthenticateForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from nup.errors import DomainError
from nup.extensions import csrf, db, limiter
from nup.timeutil import utcnow
from nup.web import client_ip, safe_next, show_domain_error

bp = Blueprint("accounts", __name__)


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


# Ten failed sign-ins lock one account for one client address (services.authenticate), so
# the attacker is refused while the account holder still signs in from elsewhere; this
# limit caps one address across all accounts.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _address_limit,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-address",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    unverified_email = None
    locked = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                email=form.email.data, password=form.password.data, ip=client_ip(), now=utcnow()
            )
        except services.SignInPaused:
            db.session.commit()  # keep the audit row
            locked = True
        except services.EmailNotVerified as error:
            db.session.commit()
            flash(error.message, "error")
            unverified_email = form.email.data
        except services.InvalidCredentials as error:
            db.session.commit()  # keep the failed-attempt audit row
            g.login_failed = True
            form.password.errors = [error.message]
        else:
            db.session.commit()
            sessions.start_session(user, now=utcnow())
            return redirect(safe_next(form.next.data, url_for("home.dashboard")))
    form.password.data = ""
    status = 429 if locked else 401 if g.get("login_failed") else 200
    return render_template("accounts/login.html", form=form, unverified_email=unverified_email, locked=locked), status


@bp.post("/logout")
def logout():
    services.sign_out(
        actor=current_user._get_current_object(), user_session=sessions.current_session(), ip=client_ip(), now=utcnow()
    )
    db.session.commit()
    sessions.end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], scope="register")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_applicant(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                consents={c.kind: bool(getattr(form, c.kind).data) for c in CONSENTS},
                language=str(get_locale()),
                ip=client_ip(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            return render_template("accounts/check_email.html", email=form.email.data, purpose="verify")
    form.password.data = form.confirm.data = ""
    return render_template("accounts/register.html", form=form, consents=CONSENTS)


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        services.verify_email(token=token, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".resend_verification"))
    db.session.commit()
    flash(_("Your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for(".login"))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="resend")
def resend_verification():
    form = EmailForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        services.resend_verification(email=form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, purpose="verify")
    return render_template("accounts/resend.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="forgot")
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data, ip=client_ip(), now=utcnow())
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, purpose="reset")
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if request.method == "GET":
        try:
            services.check_link(token, "reset_password")
        except services.InvalidLink as error:
            flash(error.message, "error")
            return redirect(url_for(".forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, new_password=form.password.data, ip=client_ip(), now=utcnow())
        except services.InvalidLink as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".forgot_password"))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            sessions.end_session()
            flash(_("Your password has been changed. Sign in with the new password."), "success")
            return redirect(url_for(".login"))
    form.password.data = form.confirm.data = ""
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_profile(actor=user, name=form.name.data, language=form.language.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".profile"))
    return _render_profile(user, form=form)


def _render_profile(user, status: int = 200, **forms):
    """The profile page, with any form that failed kept as the user typed it."""
    return render_template(
        "accounts/profile.html",
        form=forms.get("form") or ProfileForm(obj=user),
        password_form=forms.get("password_form") or ChangePasswordForm(),
        token_form=TokenForm(),
        tokens=queries.tokens_of(user),
        live_sessions=queries.live_sessions_of(
            user,
            now=utcnow(),
            idle=current_app.config["SESSION_IDLE_TIMEOUT"],
            absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        ),
        this_session=sessions.current_session(),
        confirm_form=ConfirmForm(),
        consents=CONSENTS,
        current=queries.current_consents(user),
        history=queries.consent_history(user),
        consent_form=ConsentForm(),
        new_token=forms.get("new_token"),
    ), status


@bp.post("/profile/password")
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                actor=user,
                current=form.current_password.data,
                new=form.password.data,
                ip=client_ip(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            sessions.start_session(user, now=utcnow())  # this session continues; others end
            flash(_("Your password has been changed."), "success")
            return redirect(url_for(".profile"))
    form.current_password.data = form.password.data = form.confirm.data = ""
    return _render_profile(user, 422, password_form=form)


@bp.post("/profile/consents")
def consents():
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            services.record_consent(
                user=current_user._get_current_object(),
                kind=form.kind.data,
                granted=form.granted.data == "1",
                ip=client_ip(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Your choice has been recorded."), "success")
    return redirect(url_for(".profile") + "#consents")


@bp.post("/profile/tokens")
def create_token():
    form = TokenForm()
    user = current_user._get_current_object()
    if not services.recently_authenticated(sessions.current_session(), now=utcnow()):
        flash(_("To create an API token, enter your password again."), "info")
        return redirect(url_for(".reauthenticate", next=url_for(".profile") + "#tokens"))
    if form.validate_on_submit():
        _token, plaintext = services.issue_api_token(actor=user, user=user, name=form.name.data, now=utcnow())
        db.session.commit()
        # Shown once, on this response only: the plaintext is never stored anywhere.
        return _render_profile(user, 201, new_token=plaintext)
    return redirect(url_for(".profile") + "#tokens")


@bp.route("/reauthenticate", methods=["GET", "POST"])
def reauthenticate():
    """Ask for the password again before an action that needs a fresh sign-in, then go back."""
    user = current_user._get_current_object()
    form = ReauthenticateForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            services.reauthenticate(
                actor=user,
                user_session=sessions.current_session(),
                password=form.password.data,
                ip=client_ip(),
                now=utcnow(),
            )
        except services.SignInPaused as error:
            db.session.commit()  # keep the audit row
            form.password.errors = [error.message]
            status = 429
        except DomainError as error:
            db.session.commit()  # keep the failure count and its audit row
            show_domain_error(form, error)
            status = 401
        else:
            db.session.commit()
            flash(_("Thank you. You can continue now."), "success")
            return redirect(safe_next(form.next.data, url_for(".profile")))
    form.password.data = ""
    return render_template("accounts/reauthenticate.html", form=form), status


@bp.post("/profile/sessions/sign-out-others")
def sign_out_everywhere():
    """End every other session of this account at once; this one stays signed in."""
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = services.sign_out_everywhere(
            actor=current_user._get_current_object(),
            current=sessions.current_session(),
            ip=client_ip(),
            now=utcnow(),
        )
        db.session.commit()
        flash(_("Signed out on %(n)d other device(s).", n=ended), "success")
    return redirect(url_for(".profile") + "#sessions")


@bp.route("/unlock/<token>", methods=["GET", "POST"])
def unlock_sign_in(token: str):
    """The emailed link that lifts a sign-in lock: a button, so a mail scanner's visit uses nothing."""
    try:
        services.check_unlock_link(token)
    except services.InvalidLink as error:
        flash(error.message, "error")
        return redirect(url_for(".forgot_password"))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.lift_sign_in_lock(token=token, ip=client_ip(), now=utcnow())
        except services.InvalidLink as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".forgot_password"))
        db.session.commit()
        flash(_("Sign-in is open again. You can sign in now."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/unlock.html", form=form)


@bp.post("/profile/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    user = current_user._get_current_object()
    token = queries.token_of(user, token_id)
    if token is None:
        return render_template("errors/error.html", code=404), 404
    services.revoke_api_token(actor=user, token=token, now=utcnow())
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for(".profile") + "#tokens")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a form token
def unsubscribe(token: str):
    """Stop non-essential mail from the link in an email (receipts and results still come)."""
    user = services.user_from_unsubscribe_token(token)
    if user is None:
        abort(404)
    if request.method == "POST":
        services.set_mail_opt_out(user=user, opt_out=True, ip=client_ip())
        db.session.commit()
        return render_template("accounts/unsubscribed.html", user=user)
    return render_template("accounts/unsubscribe.html", user=user, token=token)


@bp.post("/profile/mail")
def mail_preferences():
    # CSRFProtect has checked the token, as for every form.
    services.set_mail_opt_out(
        user=current_user._get_current_object(), opt_out=request.form.get("opt_out") == "1", ip=client_ip()
    )
    db.session.commit()
    flash(_("Your email preference has been saved."), "success")
    return redirect(url_for(".profile") + "#mail")
