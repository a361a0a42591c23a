"""Pure rules of intake: registration numbers, business age, eligibility (요건검토).

Plain values in, plain values out: no database, no Flask, so every rule is tested alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalise_brn(raw: str) -> str | None:
    """Return the 10 ASCII digits of a business registration number written any usual way.

    Full-width digits and dashes (typed with a Korean input method) are read as their ASCII
    forms, so one number is stored one way and duplicates are found whatever the writing.
    """
    digits = re.sub(r"[\s\-.\u2010-\u2015\u2212]", "", unicodedata.normalize("NFKC", raw or ""))
    return digits if re.fullmatch(r"[0-9]{10}", digits) else None


def brn_check_digit(first_nine: str) -> int:
    """The check digit of a business registration number (사업자등록번호)."""
    numbers = [int(c) for c in first_nine]
    total = sum(w * n for w, n in zip(BRN_WEIGHTS, numbers, strict=True))
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10


def is_valid_brn(raw: str) -> bool:
    """Say whether the number has 10 digits and a correct check digit."""
    digits = normalise_brn(raw)
    return digits is not None and brn_check_digit(digits[:9]) == int(digits[9])


def format_brn(digits: str) -> str:
    """Write 10 digits as XXX-XX-XXXXX."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def business_age_years(founded_on: date, on: date) -> int:
    """Completed years of business on a day (the day the call was announced)."""
    years = on.year - founded_on.year
    return years - 1 if (on.month, on.day) < (founded_on.month, founded_on.day) else years


APPLICANT_TYPES = ("pre_founder", "sole_trader", "company")


@dataclass(frozen=True)
class EligibilityRules:
    """A call's eligibility rules (all configurable per call)."""

    min_business_years: int | None = 3  # business must be MORE than this many years old
    max_business_years: int | None = 7  # ... and at most this many
    excluded_industries: tuple[str, ...] = ()
    allowed_applicant_types: tuple[str, ...] = APPLICANT_TYPES
    check_declarations: bool = True
    check_duplicate_support: bool = True


@dataclass(frozen=True)
class CompanyFacts:
    applicant_type: str | None = None
    founded_on: date | None = None
    industry: str | None = None
    tax_arrears: bool | None = None
    loan_default: bool | None = None
    participation_ban: bool | None = None
    duplicate_support: bool | None = None
    business_registration_number: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    ko: str
    en: str
    # False for a warning (something still to answer) rather than a reason to exclude.
    blocking: bool = True

    def as_dict(self) -> dict:
        return {"code": self.code, "ko": self.ko, "en": self.en, "blocking": self.blocking}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    # The applicant type or founding date is missing, so the age rule cannot be applied.
    incomplete: bool = False

    @property
    def excluded(self) -> bool:
        return any(r.blocking for r in self.reasons)

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "incomplete": self.incomplete,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def assess_eligibility(rules: EligibilityRules, company: CompanyFacts, *, announced_on: date) -> Eligibility:
    """Decide eligibility from the call's rules and the company's facts, with reasons.

    Business age is counted on the announcement date: the business must be more than
    `min_business_years` and at most `max_business_years` old. Without the applicant
    type or the founding date the verdict is incomplete (not eligible yet); unanswered
    declarations are warnings, since submission asks for them anyway.
    """
    reasons: list[Reason] = []
    incomplete = False
    kind = company.applicant_type
    if kind is None:
        incomplete = True
        reasons.append(
            Reason(
                "applicant_type_missing",
                "신청자 유형(예비창업자·개인사업자·법인)을 선택해 주세요.",
                "Choose the applicant type (pre-founder, sole trader or company).",
                blocking=False,
            )
        )
    elif kind not in rules.allowed_applicant_types:
        reasons.append(
            Reason(
                "applicant_type_not_allowed",
                "이 공고는 해당 신청자 유형을 받지 않습니다.",
                "This call does not accept this applicant type.",
            )
        )
    if kind in ("sole_trader", "company"):
        if company.business_registration_number and not is_valid_brn(company.business_registration_number):
            reasons.append(
                Reason(
                    "brn_invalid",
                    "사업자등록번호가 올바르지 않습니다(검증번호 불일치).",
                    "The business registration number is not valid (check digit).",
                )
            )
        if company.founded_on is None:
            incomplete = True
        reasons += _age_reasons(rules, company.founded_on, announced_on)
    elif kind == "pre_founder" and rules.min_business_years:
        reasons.append(
            Reason(
                "pre_founder_not_allowed",
                f"업력 {rules.min_business_years}년 초과 기업만 신청할 수 있습니다(예비창업자 불가).",
                f"Only businesses more than {rules.min_business_years} years old may apply (not pre-founders).",
            )
        )
    industry = (company.industry or "").strip().lower()
    if industry and industry in {i.strip().lower() for i in rules.excluded_industries}:
        reasons.append(Reason("industry_excluded", "지원 제외 업종입니다.", "This industry is excluded from support."))
    unanswered = False
    if rules.check_declarations:
        for attribute, code, ko, en in _DECLARATIONS:
            value = getattr(company, attribute)
            unanswered = unanswered or value is None
            if value:
                reasons.append(Reason(code, ko, en))
    if rules.check_duplicate_support:
        unanswered = unanswered or company.duplicate_support is None
        if company.duplicate_support:
            reasons.append(
                Reason(
                    "duplicate_support",
                    "같은 기간 다른 중앙·지자체 창업지원사업의 지원을 받고 있어 중복지원에 해당합니다.",
                    "Already supported by another central or local startup programme in the "
                    "same period (duplicate support).",
                )
            )
    if unanswered:
        reasons.append(
            Reason(
                "declarations_missing",
                "체납·채무불이행·참여제한·중복지원 확인 항목에 모두 답해 주세요.",
                "Answer every declaration (tax arrears, loan default, participation ban, duplicate support).",
                blocking=False,
            )
        )
    excluded = any(r.blocking for r in reasons)
    return Eligibility(eligible=not excluded and not incomplete, reasons=reasons, incomplete=incomplete)


_DECLARATIONS = (
    (
        "tax_arrears",
        "tax_arrears",
        "국세 또는 지방세 체납이 있어 지원할 수 없습니다.",
        "National or local tax arrears make the firm ineligible.",
    ),
    (
        "loan_default",
        "loan_default",
        "채무불이행 상태여서 지원할 수 없습니다.",
        "A loan default makes the firm ineligible.",
    ),
    (
        "participation_ban",
        "participation_ban",
        "정부지원사업 참여제한 중이어서 지원할 수 없습니다.",
        "The firm is under a ban from government support programmes.",
    ),
)


def _age_reasons(rules: EligibilityRules, founded_on: date | None, announced_on: date) -> list[Reason]:
    if founded_on is None:
        return [
            Reason(
                "founded_on_missing",
                "설립일(법인설립등기일 또는 사업개시일)을 입력해 주세요.",
                "Enter the founding date (incorporation registration or business start date).",
                blocking=False,
            )
        ]
    if founded_on > announced_on:
        return [
            Reason(
                "founded_after_announcement",
                "설립일이 공고일 이후입니다.",
                "The founding date is after the call's announcement date.",
            )
        ]
    reasons = []
    age = business_age_years(founded_on, announced_on)
    minimum, maximum = rules.min_business_years, rules.max_business_years
    if minimum is not None and add_years(founded_on, minimum) >= announced_on:
        reasons.append(
            Reason(
                "too_young",
                f"공고일 기준 업력이 {minimum}년을 초과해야 합니다(현재 {age}년).",
                f"The business must be more than {minimum} years old on the announcement date (it is {age}).",
            )
        )
    if maximum is not None and add_years(founded_on, maximum) < announced_on:
        reasons.append(
            Reason(
                "too_old",
                f"공고일 기준 업력이 {maximum}년 이내여야 합니다(현재 {age}년).",
                f"The business must be at most {maximum} years old on the announcement date (it is {age}).",
            )
        )
    return reasons
