"""Overseas-support forms; the services do the checking, the forms carry values and CSRF."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from nup.applications.forms import MultiCheckboxField
from nup.overseas import catalogue, currency

RATINGS = [(str(n), str(n)) for n in range(1, 6)]
MONEY_HINT = _l("In the currency chosen above; digits with an optional decimal point, e.g. 12500.50.")


def _key() -> str:
    return secrets.token_hex(16)


class PlanForm(FlaskForm):
    version = HiddenField()
    agreement_number = StringField(_l("Agreement number"), validators=[Optional(), Length(max=40)])
    starts_on = DateField(_l("Agreement start"), validators=[InputRequired(message=_l("Enter the start date."))])
    months = IntegerField(
        _l("Agreement period (months)"), default=10, validators=[InputRequired(message=_l("Enter the months."))]
    )
    budget_won = IntegerField(
        _l("Budget (won)"),
        description=_l("Government grant under the agreement, in whole won."),
        validators=[InputRequired(message=_l("Enter an amount in won."))],
    )
    target_countries = MultiCheckboxField(_l("Target countries"), choices=[])
    status = SelectField(
        _l("Agreement status"),
        choices=[("active", _l("Active")), ("completed", _l("Completed")), ("terminated", _l("Terminated"))],
        default="active",
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])


class ItemForm(FlaskForm):
    request_key = HiddenField(default=_key)
    kind = SelectField(_l("Type of support"), choices=list(catalogue.ITEM_KINDS.items()))
    partner = SelectField(
        _l("Partner"), choices=[("", "—"), *[(p, _l("Other") if p == "Other" else p) for p in catalogue.PARTNERS]]
    )
    country = SelectField(_l("Country"), choices=[])
    budget_won = IntegerField(_l("Budget (won)"), validators=[InputRequired(message=_l("Enter an amount in won."))])
    starts_on = DateField(_l("From"), validators=[InputRequired(message=_l("Enter the start date."))])
    ends_on = DateField(_l("To"), validators=[InputRequired(message=_l("Enter the end date."))])
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])


class SpendForm(FlaskForm):
    request_key = HiddenField(default=_key)
    spent_on = DateField(_l("Date spent"), validators=[InputRequired(message=_l("Enter the date."))])
    currency = SelectField(_l("Currency"), choices=[], default="KRW")
    amount = StringField(_l("Amount"), validators=[DataRequired(message=_l("Enter the amount spent."))])
    rate = StringField(_l("Exchange rate (won per unit)"), default="1")
    description = StringField(_l("What for"), validators=[Length(max=300)])


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(message=_l("Name the milestone.")), Length(max=200)])
    due_on = DateField(_l("Due date"), validators=[InputRequired(message=_l("Enter the due date."))])
    item_id = SelectField(_l("Support item"), choices=[], validate_choice=False)


class MilestoneStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(catalogue.MILESTONE_STATUSES.items()))
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class MilestoneSubmitForm(FlaskForm):
    note = StringField(_l("What was done"), validators=[Length(max=2000)])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence file"), description=_l("PDF, or a JPEG, PNG or TIFF scan; at most 20 MB."))


class ReportForm(FlaskForm):
    version = HiddenField()
    period = SelectField(_l("Reporting period"), choices=[], validate_choice=False)
    market = SelectField(_l("Main market of these figures"), choices=[], validate_choice=False)
    currency = SelectField(
        _l("Currency of the amounts"),
        choices=[],
        default="KRW",
        validate_choice=False,
        description=_l("Amounts are entered in this currency and converted to won at the rate below."),
    )
    exchange_rate = StringField(
        _l("Exchange rate used (won per 1 unit)"),
        default="1",
        description=_l("For won leave 1. For example 1385.20 for USD, 9.12 for JPY."),
    )
    rate_source = StringField(
        _l("Source of the rate"),
        validators=[Length(max=200)],
        description=_l("e.g. Seoul Money Brokerage base rate on the last day of the period."),
    )
    export_contracts = StringField(_l("Export contracts signed (number)"), default="0")
    export_value = StringField(_l("Export contract value"), default="0", description=MONEY_HINT)
    overseas_sales = StringField(_l("Overseas sales"), default="0", description=MONEY_HINT)
    investment = StringField(_l("Investment attracted"), default="0", description=MONEY_HINT)
    jobs_overseas = StringField(_l("New jobs overseas"), default="0")
    jobs_domestic = StringField(_l("New jobs at home"), default="0")
    entity_established = BooleanField(_l("A local entity was established in this period"))
    entity_country = SelectField(_l("Country of the local entity"), choices=[], validate_choice=False)
    entity_established_on = DateField(_l("Date the local entity was established"), validators=[Optional()])
    narrative = TextAreaField(_l("Progress in this period"), validators=[Length(max=8000)])
    file = FileField(_l("Evidence file"), description=_l("PDF, or a JPEG, PNG or TIFF scan; at most 20 MB."))


class DecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=[("accept", _l("Accept the report")), ("return", _l("Return it for correction"))],
        validators=[InputRequired(message=_l("Choose accept or return."))],
    )
    comment = TextAreaField(
        _l("Comment to the startup"),
        description=_l("Required when returning: say what must be corrected."),
        validators=[Length(max=4000)],
    )


class CheckForm(FlaskForm):
    version = HiddenField()
    progress_rating = RadioField(
        _l("Progress against the plan (1–5)"), choices=RATINGS, validators=[InputRequired(_l("Choose a rating."))]
    )
    spend_rating = RadioField(
        _l("Use of the budget (1–5)"), choices=RATINGS, validators=[InputRequired(_l("Choose a rating."))]
    )
    outcome_rating = RadioField(
        _l("KPI achievement (1–5)"), choices=RATINGS, validators=[InputRequired(_l("Choose a rating."))]
    )
    result = RadioField(
        _l("Result"),
        choices=list(catalogue.CHECK_RESULTS.items()),
        validators=[InputRequired(_l("Choose the result of the check."))],
    )
    findings = TextAreaField(_l("Findings"), validators=[Length(max=8000)])
    actions = TextAreaField(_l("Actions required"), validators=[Length(max=8000)])
    action_due_on = DateField(_l("Actions due by"), validators=[Optional()])
    reclaim_grounds = MultiCheckboxField(_l("Reclaim grounds"), choices=list(catalogue.RECLAIM_GROUNDS.items()))
    reclaim_amount_won = IntegerField(_l("Amount to reclaim (won)"), default=0, validators=[Optional()])


class FollowUpForm(FlaskForm):
    version = HiddenField()
    status = SelectField(
        _l("Follow-up"), choices=[("open", _l("Follow-up open")), ("resolved", _l("Follow-up resolved"))]
    )
    note = TextAreaField(
        _l("What was done"), validators=[DataRequired(message=_l("Describe the follow-up.")), Length(max=4000)]
    )


class ReportingForm(FlaskForm):
    frequency = SelectField(_l("Reporting frequency"), choices=list(catalogue.FREQUENCIES.items()))
    due_days = IntegerField(
        _l("Days after the period a report is due"),
        default=10,
        validators=[InputRequired(message=_l("Give between 0 and 60 days."))],
    )


def currency_field_choices(language: str) -> list[tuple[str, str]]:
    return currency.currency_choices(language)
