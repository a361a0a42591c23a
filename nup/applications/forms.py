"""The application wizard's forms; the service does the checking (validation.clean_values)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from nup.programmes import catalogue

YES_NO = [("no", _l("No")), ("yes", _l("Yes"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:  # the service checks the choices
        pass


class CompanyForm(FlaskForm):
    company_name = StringField(_l("Company name"), render_kw={"autocomplete": "organization"})
    applicant_type = RadioField(
        _l("Applicant type"), choices=list(catalogue.APPLICANT_TYPE_LABELS.items()), validators=[Optional()]
    )
    business_registration_number = StringField(
        _l("Business registration number"),
        description=_l("10 digits, e.g. 123-45-67891"),
        render_kw={"inputmode": "numeric", "placeholder": "000-00-00000"},
    )
    founded_on = StringField(
        _l("Founding date"),
        render_kw={"type": "date"},
        description=_l("Incorporation registration date (company) or business start date (sole trader)."),
    )
    ceo_name = StringField(_l("CEO name"))
    address = StringField(_l("Address"), render_kw={"autocomplete": "street-address"})
    region = SelectField(_l("Region"), choices=[("", "—")] + [(r, r) for r in catalogue.REGIONS], validate_choice=False)
    employees = StringField(_l("Employees"), render_kw={"inputmode": "numeric"})
    industry = StringField(_l("Industry"), description=_l("e.g. robot manufacturing, software development"))
    website = StringField(_l("Website"), render_kw={"type": "url", "placeholder": "https://"})
    tax_arrears = RadioField(_l("Do you have national or local tax arrears?"), choices=YES_NO, validators=[Optional()])
    loan_default = RadioField(_l("Are you in default on a loan?"), choices=YES_NO, validators=[Optional()])
    participation_ban = RadioField(
        _l("Are you banned from government support programmes?"), choices=YES_NO, validators=[Optional()]
    )
    duplicate_support = RadioField(
        _l("Are you supported by another central or local startup programme in the same period?"),
        choices=YES_NO,
        validators=[Optional()],
    )


class PlanForm(FlaskForm):
    track = RadioField(_l("Track"), choices=[], validators=[Optional()], validate_choice=False)
    summary = TextAreaField(
        _l("Summary"),
        description=_l("What you do, for whom, in a few sentences (up to 2,000 characters)."),
        render_kw={"rows": 4, "maxlength": 2000},
    )
    problem = TextAreaField(
        _l("Problem (문제인식)"),
        render_kw={"rows": 8},
        description=_l("The problem in the market and the customers' need, with evidence."),
    )
    solution = TextAreaField(
        _l("Solution (실현가능성)"),
        render_kw={"rows": 8},
        description=_l("Your technology or product, what sets it apart, and your development plan."),
    )
    scale_up = TextAreaField(
        _l("Scale-up (성장전략)"),
        render_kw={"rows": 8},
        description=_l("How you will grow at home and abroad, and how you will fund it."),
    )
    team = TextAreaField(
        _l("Team (팀 구성)"),
        render_kw={"rows": 8},
        description=_l("The CEO's and the team's capabilities and partners."),
    )
    funding_requested = StringField(_l("Funding requested (won)"), render_kw={"inputmode": "numeric"})
    target_markets = MultiCheckboxField(_l("Target overseas markets"), choices=[])


class UploadForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=[], validate_choice=False)
    issued_on = DateField(
        _l("Issue date"), validators=[Optional()], description=_l("For certificates that must be recent.")
    )
    file = FileField(_l("File"), description=_l("PDF, or a JPEG, PNG or TIFF scan; at most 20 MB."))


class ScreeningForm(FlaskForm):
    message = TextAreaField(_l("Message to the applicant"), render_kw={"rows": 3})
