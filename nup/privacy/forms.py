"""Forms of the personal-data pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class RequestForm(FlaskForm):
    kind = RadioField(
        _l("What are you asking for?"),
        choices=[("correction", _l("Correct my data")), ("access", _l("A copy or an explanation of my data"))],
        default="correction",
        validators=[DataRequired()],
    )
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])


class ConfirmDeletionForm(FlaskForm):
    confirm = BooleanField(_l("I understand that my account and the data we no longer must keep will be deleted."))


class WithdrawForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired(), Length(max=40)])


class AnswerForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[("done", _l("Done")), ("refused", _l("Refused"))],
        default="done",
        validators=[DataRequired()],
    )
    answer = TextAreaField(_l("Answer to the person"), validators=[Optional(), Length(max=5000)])


class HoldForm(FlaskForm):
    application_id = IntegerField(_l("Application number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    user_id = IntegerField(_l("Person (account number)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    reason = StringField(_l("Reason (objection, dispute, legal duty)"), validators=[Optional(), Length(max=2000)])


class AccessReportForm(FlaskForm):
    class Meta:
        csrf = False

    since = DateField(_l("From (KST)"), validators=[Optional()])
    until = DateField(_l("To (KST)"), validators=[Optional()])
    user_id = IntegerField(_l("Person (account number)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
