"""Account forms: sign-up, sign-in, passwords, profile, staff accounts and tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from nup.accounts.models import Role

LANGUAGE_CHOICES = [("ko", "한국어"), ("en", "English")]
STAFF_ROLE_CHOICES = [
    (Role.REVIEWER.value, _l("Evaluator")),
    (Role.MENTOR.value, _l("Mentor")),
    (Role.OFFICER.value, _l("Programme officer")),
]
ALL_ROLE_CHOICES = [(Role.APPLICANT.value, _l("Applicant")), *STAFF_ROLE_CHOICES]

REQUIRED = _l("This field is required.")


def _password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(REQUIRED), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("CEO name"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("Sign up in the name of the company's CEO (대표자)."),
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = _password_field(_l("Password"))
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    personal_data_collection = BooleanField(
        _l("I agree (required)"), validators=[DataRequired(_l("This consent is required."))]
    )
    programme_news = BooleanField(_l("I agree (optional)"))


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ReauthenticateForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: a button that confirms an action."""


class EmailForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = _password_field(_l("New password"))
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    language = SelectField(_l("Language for emails"), choices=LANGUAGE_CHOICES)


class ConsentForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    granted = HiddenField(validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[Optional(), Length(max=100)],
        description=_l('What the token is for, e.g. "reporting script".'),
    )


class StaffUserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES)
    language = SelectField(_l("Language of the invitation and later emails"), choices=LANGUAGE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ALL_ROLE_CHOICES)


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[("", _l("All roles")), *ALL_ROLE_CHOICES], validators=[Optional()])
