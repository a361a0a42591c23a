"""The officer's call form: plain fields plus one-line-per-item lists for tracks, rubric, documents."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from nup.programmes import catalogue
from nup.timeutil import KST

REQUIRED = _l("This field is required.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CallForm(FlaskForm):
    title_ko = StringField(_l("Title (Korean)"), validators=[DataRequired(REQUIRED), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    description_ko = TextAreaField(_l("Description (Korean)"), validators=[Optional(), Length(max=20000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=20000)])
    announced_on = DateField(
        _l("Announcement date"),
        validators=[InputRequired(REQUIRED)],
        description=_l("Business age is counted on this date."),
    )
    opens_at = DateTimeLocalField(_l("Opens (KST)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(REQUIRED)])
    closes_at = DateTimeLocalField(
        _l("Closes (KST)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(REQUIRED)],
        description=_l("Applications are accepted until the second before this time."),
    )
    tracks = TextAreaField(
        _l("Tracks"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"rows": 6},
        description=_l("One per line: key | Korean name | English name | quota | physical_ai (yes/no)"),
    )
    min_business_years = IntegerField(_l("Business older than (years)"), validators=[Optional(), NumberRange(0, 50)])
    max_business_years = IntegerField(_l("Business at most (years)"), validators=[Optional(), NumberRange(0, 50)])
    excluded_industries = StringField(
        _l("Excluded industries"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Separated by commas."),
    )
    allowed_applicant_types = MultiCheckboxField(
        _l("Who may apply"), choices=list(catalogue.APPLICANT_TYPE_LABELS.items())
    )
    check_declarations = BooleanField(_l("Check tax arrears, loan default and participation ban"))
    check_duplicate_support = BooleanField(_l("Check duplicate support"))
    required_documents = TextAreaField(
        _l("Required documents"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"rows": 8},
        description=_l("One per line: kind | applicant types (comma-separated) | maximum age in days"),
    )
    rubric = TextAreaField(
        _l("Evaluation rubric"),
        validators=[DataRequired(REQUIRED)],
        render_kw={"rows": 5},
        description=_l("One per line: key | Korean label | English label | max points | weight"),
    )
    reviewers_per_application = IntegerField(
        _l("Evaluators per application"), validators=[InputRequired(REQUIRED), NumberRange(1, 50)]
    )
    trim_min_reviews = IntegerField(
        _l("Drop highest and lowest from (reviews)"), validators=[InputRequired(REQUIRED), NumberRange(3, 50)]
    )
    bonus_rules = TextAreaField(
        _l("Bonus points"),
        validators=[Optional()],
        render_kw={"rows": 3},
        description=_l("One per line: condition | points (e.g. physical_ai | 2)"),
    )
    bonus_cap = FloatField(_l("Bonus points cap"), validators=[InputRequired(REQUIRED), NumberRange(0, 20)])
    tie_breakers = StringField(
        _l("Tie-breakers"),
        validators=[Optional()],
        description=_l("Criteria compared in order when final scores are equal, e.g. solution, problem"),
    )

    def fill(self, call_values: dict) -> None:
        """Show a call's stored settings in the form."""
        self.title_ko.data, self.title_en.data = call_values.get("title_ko"), call_values.get("title_en")
        self.description_ko.data = call_values.get("description_ko")
        self.description_en.data = call_values.get("description_en")
        self.announced_on.data = call_values.get("announced_on")
        for name in ("opens_at", "closes_at"):
            moment = call_values.get(name)
            getattr(self, name).data = moment.astimezone(KST).replace(tzinfo=None) if moment else None
        self.tracks.data = "\n".join(
            f"{t['key']} | {t.get('label_ko', '')} | {t.get('label_en', '')} | {t.get('quota', 0)} | "
            f"{'yes' if t.get('physical_ai') else 'no'}"
            for t in call_values.get("tracks", [])
        )
        eligibility = call_values.get("eligibility", {})
        self.min_business_years.data = eligibility.get("min_business_years")
        self.max_business_years.data = eligibility.get("max_business_years")
        self.excluded_industries.data = ", ".join(eligibility.get("excluded_industries", []))
        self.allowed_applicant_types.data = eligibility.get("allowed_applicant_types", [])
        self.check_declarations.data = eligibility.get("check_declarations", True)
        self.check_duplicate_support.data = eligibility.get("check_duplicate_support", True)
        self.required_documents.data = "\n".join(
            f"{d['kind']} | {', '.join(d.get('applicant_types') or [])} | {d.get('max_age_days') or ''}"
            for d in call_values.get("required_documents", [])
        )
        self.rubric.data = "\n".join(
            f"{c['key']} | {c.get('label_ko', '')} | {c.get('label_en', '')} | {c['max_points']} | {c.get('weight', 1)}"
            for c in call_values.get("rubric", [])
        )
        self.reviewers_per_application.data = call_values.get("reviewers_per_application")
        self.trim_min_reviews.data = call_values.get("trim_min_reviews")
        self.bonus_rules.data = "\n".join(f"{r['when']} | {r['points']}" for r in call_values.get("bonus_rules", []))
        self.bonus_cap.data = call_values.get("bonus_cap")
        self.tie_breakers.data = ", ".join(call_values.get("tie_breakers") or [])

    def values(self) -> dict:
        """The call settings the form describes; raises ValueError(field, message) on a bad line."""
        return {
            "title_ko": self.title_ko.data,
            "title_en": self.title_en.data or "",
            "description_ko": self.description_ko.data or "",
            "description_en": self.description_en.data or "",
            "announced_on": self.announced_on.data,
            "opens_at": _kst(self.opens_at.data),
            "closes_at": _kst(self.closes_at.data),
            "tracks": _lines(self.tracks.data, "tracks", _track),
            "eligibility": {
                "min_business_years": self.min_business_years.data,
                "max_business_years": self.max_business_years.data,
                "excluded_industries": [
                    i.strip() for i in (self.excluded_industries.data or "").split(",") if i.strip()
                ],
                "allowed_applicant_types": self.allowed_applicant_types.data or [],
                "check_declarations": bool(self.check_declarations.data),
                "check_duplicate_support": bool(self.check_duplicate_support.data),
            },
            "required_documents": _lines(self.required_documents.data, "required_documents", _document),
            "rubric": _lines(self.rubric.data, "rubric", _criterion),
            "reviewers_per_application": self.reviewers_per_application.data,
            "trim_min_reviews": self.trim_min_reviews.data,
            "bonus_rules": _lines(self.bonus_rules.data or "", "bonus_rules", _bonus),
            "bonus_cap": self.bonus_cap.data,
            "tie_breakers": [k.strip() for k in (self.tie_breakers.data or "").split(",") if k.strip()],
        }


class LineError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _kst(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=KST) if moment else None


def _lines(text: str, field: str, parse) -> list:
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        try:
            items.append(parse(parts))
        except (ValueError, IndexError) as error:
            raise LineError(field, str(_l("Line %(n)d is not in the expected form.", n=number))) from error
    return items


def _track(parts: list[str]) -> dict:
    return {
        "key": parts[0],
        "label_ko": parts[1],
        "label_en": parts[2] if len(parts) > 2 else "",
        "quota": int(parts[3]) if len(parts) > 3 and parts[3] else 0,
        "physical_ai": len(parts) > 4 and parts[4].lower() in ("yes", "y", "true", "1", "예"),
    }


def _document(parts: list[str]) -> dict:
    types = [t.strip() for t in parts[1].split(",") if t.strip()] if len(parts) > 1 else []
    if any(t not in catalogue.APPLICANT_TYPE_LABELS for t in types):
        raise ValueError("unknown applicant type")
    return {
        "kind": parts[0],
        "applicant_types": types,
        "max_age_days": int(parts[2]) if len(parts) > 2 and parts[2] else None,
    }


def _criterion(parts: list[str]) -> dict:
    return {
        "key": parts[0],
        "label_ko": parts[1],
        "label_en": parts[2],
        "max_points": float(parts[3]),
        "weight": float(parts[4]) if len(parts) > 4 and parts[4] else 1.0,
    }


def _bonus(parts: list[str]) -> dict:
    return {"when": parts[0], "points": float(parts[1])}
