"""Pure intake rules: registration numbers, business age, eligibility."""

from datetime import date

import pytest

from nup.applications import rules

ANNOUNCED = date(2026, 3, 1)
RULES = rules.EligibilityRules(min_business_years=3, max_business_years=7)


@pytest.mark.parametrize("number", ["220-81-62517", "2208162517", "124-81-00998", "220 81 62517"])
def test_valid_registration_numbers(number):
    assert rules.is_valid_brn(number)


@pytest.mark.parametrize("number", ["220-81-62518", "124-81-00990", "123-45-6789", "abc-de-fghij", "", "12345678901"])
def test_invalid_registration_numbers(number):
    assert not rules.is_valid_brn(number)


def test_check_digit_uses_the_ninth_digit_times_five_rule():
    # weights 1,3,7,1,3,7,1,3,5 on 2,2,0,8,1,6,2,5,1 = 2+6+0+8+3+42+2+15+5 = 83; + floor(1*5/10)=0
    assert rules.brn_check_digit("220816251") == (10 - 83 % 10) % 10 == 7
    assert rules.is_valid_brn("220-81-62517")


def facts(founded_on, **extra):
    base = {
        "applicant_type": "company",
        "founded_on": founded_on,
        "tax_arrears": False,
        "loan_default": False,
        "participation_ban": False,
        "duplicate_support": False,
    }
    return rules.CompanyFacts(**{**base, **extra})


@pytest.mark.parametrize(
    ("founded_on", "eligible", "code"),
    [
        (date(2023, 3, 1), False, "too_young"),  # exactly 3 years: not MORE than 3
        (date(2023, 2, 28), True, None),  # 3 years and a day
        (date(2019, 3, 1), True, None),  # exactly 7 years: at most 7
        (date(2019, 2, 28), False, "too_old"),  # 7 years and a day
        (date(2026, 3, 2), False, "founded_after_announcement"),
    ],
)
def test_business_age_boundaries_on_the_announcement_date(founded_on, eligible, code):
    verdict = rules.assess_eligibility(RULES, facts(founded_on), announced_on=ANNOUNCED)
    assert verdict.eligible is eligible
    assert (code in [r.code for r in verdict.reasons]) if code else verdict.reasons == []


def test_leap_day_founders_reach_their_anniversary_on_28_february():
    assert rules.add_years(date(2020, 2, 29), 3) == date(2023, 2, 28)
    assert rules.business_age_years(date(2020, 2, 29), date(2026, 3, 1)) == 6


@pytest.mark.parametrize("flag", ["tax_arrears", "loan_default", "participation_ban", "duplicate_support"])
def test_each_declaration_excludes_with_a_reason_in_both_languages(flag):
    verdict = rules.assess_eligibility(RULES, facts(date(2021, 1, 1), **{flag: True}), announced_on=ANNOUNCED)
    assert not verdict.eligible and verdict.excluded
    [reason] = verdict.reasons
    assert reason.code == flag and reason.ko and reason.en and reason.ko != reason.en


def test_unanswered_declarations_are_a_warning_not_an_exclusion():
    verdict = rules.assess_eligibility(
        RULES,
        rules.CompanyFacts(applicant_type="company", founded_on=date(2021, 1, 1)),
        announced_on=ANNOUNCED,
    )
    assert verdict.eligible and not verdict.excluded
    assert [r.code for r in verdict.reasons] == ["declarations_missing"]


def test_missing_founding_date_is_incomplete():
    verdict = rules.assess_eligibility(RULES, facts(None), announced_on=ANNOUNCED)
    assert not verdict.eligible and verdict.incomplete and not verdict.excluded


def test_excluded_industry_and_applicant_type():
    strict = rules.EligibilityRules(excluded_industries=("gambling",), allowed_applicant_types=("company",))
    verdict = rules.assess_eligibility(strict, facts(date(2021, 1, 1), industry="Gambling"), announced_on=ANNOUNCED)
    assert "industry_excluded" in [r.code for r in verdict.reasons]
    sole = rules.assess_eligibility(
        strict, facts(date(2021, 1, 1), applicant_type="sole_trader"), announced_on=ANNOUNCED
    )
    assert "applicant_type_not_allowed" in [r.code for r in sole.reasons]


def test_pre_founders_fail_a_minimum_age_rule_but_pass_without_one():
    pre = rules.CompanyFacts(
        applicant_type="pre_founder",
        tax_arrears=False,
        loan_default=False,
        participation_ban=False,
        duplicate_support=False,
    )
    assert not rules.assess_eligibility(RULES, pre, announced_on=ANNOUNCED).eligible
    open_rules = rules.EligibilityRules(min_business_years=None, max_business_years=None)
    assert rules.assess_eligibility(open_rules, pre, announced_on=ANNOUNCED).eligible


def test_invalid_registration_number_is_a_reason():
    verdict = rules.assess_eligibility(
        RULES, facts(date(2021, 1, 1), business_registration_number="2208162518"), announced_on=ANNOUNCED
    )
    assert "brn_invalid" in [r.code for r in verdict.reasons]


@pytest.mark.parametrize(
    "written",
    [
        "220-81-62517",
        "2208162517",
        "220 81 62517",
        "２２０-８１-６２５１７",
        "２２０８１６２５１７",
        "220‐81‐62517",
        " 220.81.62517 ",
    ],
)
def test_a_registration_number_is_read_as_ascii_digits_however_written(written):
    assert rules.normalise_brn(written) == "2208162517"


@pytest.mark.parametrize("written", ["٢٢٠٨١٦٢٥١٧", "220-81-6251", "220-81-625177", "22O-81-62517", ""])
def test_other_digits_letters_or_a_wrong_length_are_not_a_registration_number(written):
    assert rules.normalise_brn(written) is None
