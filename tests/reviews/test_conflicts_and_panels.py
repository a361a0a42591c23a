"""Pure rules: which declared ties exclude an evaluator, and what a panel lacks."""

from types import SimpleNamespace

from nup.reviews.composition import composition_warnings
from nup.reviews.conflicts import Company, Declarations, exclusion_ties, normalise_name

COMPANY = Company(name="(주)한빛로보틱스", registration_number="2208162517", ceo_name="김하늘")


def test_legal_forms_spacing_and_case_do_not_hide_a_match():
    assert normalise_name("주식회사 한빛 로보틱스") == normalise_name("(주)한빛로보틱스") == "한빛로보틱스"
    assert normalise_name("Robotics Lab Co., Ltd.") == normalise_name("robotics lab inc") == "roboticslab"


def test_each_declared_ground_excludes_on_name_number_or_ceo():
    declared = Declarations(
        organisation="한빛로보틱스 주식회사",
        past_employers=["삼성전자"],
        investments=["220-81-62517"],
        advisory_roles=["김하늘"],
    )
    ties = exclusion_ties(declared, COMPANY)
    assert [t.ground for t in ties] == ["organisation", "investment", "advisory_role"]


def test_unrelated_or_too_short_declarations_do_not_exclude():
    declared = Declarations(organisation="한빛", past_employers=["로"], investments=["220-81-62518"])
    assert exclusion_ties(declared, COMPANY) == []
    assert exclusion_ties(Declarations(), COMPANY) == []


def _profile(gender="male", market=False, organisation="KAIST"):
    return SimpleNamespace(gender=gender, market_expert=market, organisation=organisation)


def test_a_complete_panel_has_no_warnings():
    panel = [_profile("female", True), _profile(market=True), _profile(market=True), _profile(), _profile()]
    assert composition_warnings(panel) == []


def test_a_small_panel_without_experts_or_women_is_warned_about_each():
    panel = [_profile(), _profile(), None]
    codes = {w.code: w for w in composition_warnings(panel, per_application=5)}
    assert set(codes) == {"too_small", "market_experts", "women", "undeclared"}
    assert (codes["too_small"].needed, codes["too_small"].have) == (5, 3)
    assert codes["market_experts"].needed == 2 and codes["women"].needed == 1
    assert codes["undeclared"].have == 1


def test_the_panel_must_be_at_least_as_large_as_the_reviews_per_application():
    panel = [_profile("female", True)] * 3 + [_profile(market=True)] * 3
    assert [w.code for w in composition_warnings(panel, per_application=7)] == ["too_small"]
