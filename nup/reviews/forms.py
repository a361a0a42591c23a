"""Evaluation forms; the services do the checking, the forms carry values and CSRF."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nup.applications.forms import MultiCheckboxField
from nup.programmes import catalogue

GENDER_CHOICES = [("female", _l("Female")), ("male", _l("Male")), ("undisclosed", _l("Prefer not to say"))]


def expertise_choices(language: str) -> list[tuple[str, str]]:
    return [(t["key"], t["label_en"] if language == "en" else t["label_ko"]) for t in catalogue.DEFAULT_TRACKS]


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DeclarationsForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    past_employers = TextAreaField(
        _l("Past employers (last 3 years)"),
        description=_l("One per line: company name or registration number."),
        validators=[Length(max=5000)],
    )
    investments = TextAreaField(
        _l("Companies you or your relatives invested in"),
        description=_l("One per line: company name or registration number."),
        validators=[Length(max=5000)],
    )
    advisory_roles = TextAreaField(
        _l("Companies you advised, represented or appraised"),
        description=_l("One per line: company name, registration number or CEO name."),
        validators=[Length(max=5000)],
    )
    expertise = MultiCheckboxField(_l("Fields of expertise"), choices=[])
    gender = RadioField(_l("Gender"), choices=GENDER_CHOICES, default="undisclosed")
    market_expert = BooleanField(_l("Market expert (investor, accelerator or industry practitioner)"))


class PledgeForm(FlaskForm):
    agree = BooleanField(
        _l("I have read the pledge and will keep it."),
        validators=[DataRequired(message=_l("Tick the box to sign the pledge."))],
    )


class RecuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawing"),
        validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)],
    )


class ScoreForm(FlaskForm):
    """The rubric's point fields are read by name (points-<key>, comment-<key>) from the request."""

    version = HiddenField()
    overall_comment = TextAreaField(_l("Overall comment"), validators=[Length(max=4000)])


class PanelForm(FlaskForm):
    stage = HiddenField()
    track = HiddenField()
    name = StringField(_l("Panel name"), validators=[Optional(), Length(max=200)])
    reviewer_ids = MultiCheckboxField(_l("Evaluators"), choices=[], coerce=int)


class ConflictForm(FlaskForm):
    reviewer_id = SelectField(_l("Evaluator"), coerce=int, choices=[], validate_choice=False)
    receipt_number = StringField(_l("Receipt number"), validators=[DataRequired(), Length(max=20)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)])


class DecideRequestForm(FlaskForm):
    decision = HiddenField()
    reviewer_ids = MultiCheckboxField(_l("Evaluators to exclude"), choices=[], coerce=int)
    note = TextAreaField(_l("Reason for the decision"), validators=[Length(max=2000)])


class StageForm(FlaskForm):
    """Open (or set the due date) or close a round; the action comes from the form's hidden input."""

    due_at = StringField(_l("Scores due"), render_kw={"type": "datetime-local"}, validators=[Optional()])


class RunForm(FlaskForm):
    stage = HiddenField(default="document")
    per_application = IntegerField(
        _l("Evaluators per application"), validators=[InputRequired(), NumberRange(min=1, max=15)]
    )
    seed = IntegerField(
        _l("Random seed (optional)"),
        validators=[Optional(), NumberRange(min=0, max=2**31 - 1)],
        description=_l("Leave empty for a new random draw; the seed used is recorded."),
    )


class EditRunForm(FlaskForm):
    application_id = HiddenField(validators=[DataRequired()])
    remove_reviewer_id = HiddenField(validators=[DataRequired()])
    add_reviewer_id = SelectField(_l("Replace with"), coerce=int, choices=[], validate_choice=False)


class PenaltyForm(FlaskForm):
    points = DecimalField(_l("Penalty points"), validators=[InputRequired(), NumberRange(min=0.5, max=20)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A one-click action that needs only CSRF."""


class ObjectionForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds of the objection"),
        validators=[DataRequired(message=_l("Describe the grounds of the objection.")), Length(min=10, max=8000)],
    )


class AnswerForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("dismiss", _l("Dismiss")), ("uphold", _l("Uphold"))],
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    rereview = BooleanField(_l("Send the application to re-review by replacement evaluators"))
    answer = TextAreaField(_l("Answer to the applicant"), validators=[DataRequired(), Length(min=10, max=8000)])


class ExtendForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=2000)])


class RatingForm(FlaskForm):
    stars = RadioField(
        _l("How fair and useful was the evaluation?"),
        choices=[
            ("5", _l("5 — very fair and useful")),
            ("4", _l("4 — fair")),
            ("3", _l("3 — acceptable")),
            ("2", _l("2 — unfair or unhelpful in places")),
            ("1", _l("1 — not fair")),
        ],
        validators=[InputRequired(message=_l("Choose 1 to 5 stars."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=2000)])


class ExclusionRequestForm(FlaskForm):
    subject = StringField(_l("Evaluator or organisation to exclude"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)])


class ScheduleForm(FlaskForm):
    starts_at = StringField(
        _l("First presentation (KST)"), render_kw={"type": "datetime-local"}, validators=[DataRequired()]
    )
    minutes = IntegerField(_l("Minutes each"), default=20, validators=[InputRequired(), NumberRange(min=5, max=120)])
    gap = IntegerField(
        _l("Break between (minutes)"), default=10, validators=[InputRequired(), NumberRange(min=0, max=60)]
    )
    per_day = IntegerField(
        _l("Presentations a day"), default=12, validators=[InputRequired(), NumberRange(min=1, max=40)]
    )
    location = StringField(_l("Place or video link"), validators=[DataRequired(), Length(max=200)])
