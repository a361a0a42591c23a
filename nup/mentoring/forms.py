"""Mentoring forms; the services do the checking, the forms carry values and CSRF."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from nup.applications.forms import MultiCheckboxField
from nup.mentoring.vocabulary import COUNTRIES, EXPERTISE_LABELS, INDUSTRIES, LANGUAGE_LABELS, MODE_LABELS
from nup.programmes.catalogue import DEFAULT_TRACKS, MARKETS


def vocabulary_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices for the controlled vocabularies, labelled in the page's language."""
    english = str(get_locale()) == "en"
    tracks = {t["key"]: (t["label_en"] if english else t["label_ko"]) for t in DEFAULT_TRACKS}
    return {
        "expertise": [(key, str(label)) for key, label in EXPERTISE_LABELS.items()],
        "industries": [(key, tracks[key]) for key in INDUSTRIES],
        "countries": [(code, MARKETS[code][1 if english else 0]) for code in COUNTRIES],
        "languages": [(key, str(label)) for key, label in LANGUAGE_LABELS.items()],
    }


def fill_choices(form: FlaskForm) -> FlaskForm:
    choices = vocabulary_choices()
    for name, options in (
        ("expertise", "expertise"),
        ("industries", "industries"),
        ("countries", "countries"),
        ("languages", "languages"),
        ("topics", "expertise"),
        ("markets", "countries"),
    ):
        if hasattr(form, name):
            getattr(form, name).choices = choices[options]
    return form


class MentorProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Career summary"), validators=[Optional(), Length(max=4000)])
    expertise = MultiCheckboxField(_l("Expertise"), choices=[])
    industries = MultiCheckboxField(_l("Industries"), choices=[])
    countries = MultiCheckboxField(_l("Markets you know"), choices=[])
    languages = MultiCheckboxField(_l("Languages"), choices=[])
    years_experience = IntegerField(_l("Years of business experience"), validators=[InputRequired()], default=10)
    past_employers = TextAreaField(
        _l("Past employers (last 3 years)"),
        description=_l("One per line. Used to keep you from mentoring firms you are tied to."),
        validators=[Length(max=5000)],
    )
    investments = TextAreaField(_l("Companies you or your relatives invested in"), validators=[Length(max=5000)])
    advisory_roles = TextAreaField(_l("Companies you advise or advised"), validators=[Length(max=5000)])
    monthly_capacity_hours = IntegerField(_l("Hours you can mentor a month"), validators=[InputRequired()], default=10)
    fee_per_hour = IntegerField(
        _l("Fee per hour (won)"),
        validators=[InputRequired()],
        default=100_000,
        description=_l("The programme's usual fee is about 100,000 won an hour."),
    )


class JoinForm(MentorProfileForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    consent = BooleanField(
        _l("I agree to the collection and use of these personal data (required)"),
        validators=[DataRequired(_l("This consent is required."))],
    )


class VetForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve into the pool")), ("reject", _l("Turn down"))],
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ActiveForm(FlaskForm):
    active = HiddenField()
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class NeedForm(FlaskForm):
    topics = MultiCheckboxField(_l("Topics you want help with"), choices=[])
    markets = MultiCheckboxField(_l("Target markets"), choices=[])
    languages = MultiCheckboxField(_l("Languages you can be mentored in"), choices=[])
    preferred_mode = RadioField(_l("Preferred format"), choices=list(MODE_LABELS.items()), default="either")
    hours_wanted = IntegerField(_l("Hours of mentoring a month"), validators=[InputRequired()], default=4)
    notes = TextAreaField(_l("Anything else the mentor should know"), validators=[Length(max=2000)])


class AllowanceForm(FlaskForm):
    hour_cap = StringField(_l("Hour cap"), validators=[DataRequired()])
    budget_won = StringField(_l("Budget (won)"), validators=[DataRequired()])


class ProposeForm(FlaskForm):
    mentor_id = HiddenField(validators=[DataRequired()])


class RespondForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note to the officer"), validators=[Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class SessionForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Date and time (KST)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    minutes = SelectField(
        _l("Length"),
        choices=[
            (30, _l("30 minutes")),
            (60, _l("1 hour")),
            (90, _l("1 hour 30 minutes")),
            (120, _l("2 hours")),
            (180, _l("3 hours")),
        ],
        coerce=int,
        default=60,
    )
    mode = RadioField(
        _l("Format"), choices=[("online", _l("Online")), ("in_person", _l("In person"))], default="online"
    )
    location = StringField(
        _l("Meeting link or place"),
        validators=[Length(max=500)],
        description=_l("A link starting with https:// for online sessions, an address otherwise."),
    )
    agenda = TextAreaField(_l("What you want to discuss"), validators=[Length(max=4000)])


class RescheduleForm(SessionForm):
    reason = TextAreaField(_l("Reason for the change"), validators=[DataRequired(), Length(max=2000)])


class LogForm(FlaskForm):
    version = HiddenField()
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    advice = TextAreaField(_l("Advice given"), validators=[DataRequired(), Length(max=8000)])
    follow_up = TextAreaField(_l("Follow-up actions"), validators=[Length(max=8000)])
    minutes = IntegerField(_l("Duration (minutes)"), validators=[InputRequired(), NumberRange(min=1)])


class ConfirmForm(FlaskForm):
    version = HiddenField()
    decision = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("What is wrong in the log"), validators=[Length(max=2000)])


class RatingForm(FlaskForm):
    stars = RadioField(_l("Rating"), choices=[(str(n), str(n)) for n in range(5, 0, -1)], validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class RunStartForm(FlaskForm):
    per_startup = SelectField(_l("Mentors per startup"), choices=[(1, "1"), (2, "2"), (3, "3")], coerce=int, default=1)
