"""Defaults a new call starts from: tracks, document kinds, the PSST rubric, bonus rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# kind -> (Korean label, English label, default max age in days of the issue date or None)
DOCUMENT_KINDS: dict[str, tuple[str, str, int | None]] = {
    "business_plan": ("사업계획서(PSST 양식)", "Business plan (PSST form)", None),
    "personal_data_consent": ("개인정보 수집·이용 동의서", "Consent to the use of personal data", None),
    "eligibility_declaration": ("신청자격 자가진단표", "Eligibility self-declaration", None),
    "business_registration": ("사업자등록증명", "Certificate of business registration", 90),
    "corporate_register": (
        "법인등기부등본(3개월 이내 발급)",
        "Corporate register extract (issued within 3 months)",
        90,
    ),
    "national_tax_certificate": ("국세 납세증명서", "National tax payment certificate", 90),
    "local_tax_certificate": ("지방세 납세증명서", "Local tax payment certificate", 90),
    "financial_statements": ("최근 2개년 재무제표", "Financial statements of the last two years", None),
    "identity_document": ("대표자 신분증 사본", "Copy of the representative's ID", None),
}

APPLICANT_TYPE_LABELS = {
    "pre_founder": _l("Pre-founder (예비창업자)"),
    "sole_trader": _l("Sole trader (개인사업자)"),
    "company": _l("Company (법인)"),
}

DEFAULT_TRACKS = [
    {
        "key": "physical_ai_robotics",
        "label_ko": "피지컬 AI — 로보틱스",
        "label_en": "Physical AI — robotics",
        "quota": 10,
        "physical_ai": True,
    },
    {
        "key": "physical_ai_mobility",
        "label_ko": "피지컬 AI — 자율주행·미래 모빌리티",
        "label_en": "Physical AI — autonomous driving and mobility",
        "quota": 8,
        "physical_ai": True,
    },
    {
        "key": "physical_ai_manufacturing",
        "label_ko": "피지컬 AI — AI 스마트제조",
        "label_en": "Physical AI — smart manufacturing",
        "quota": 8,
        "physical_ai": True,
    },
    {
        "key": "ai_software",
        "label_ko": "AI 소프트웨어",
        "label_en": "AI software",
        "quota": 10,
        "physical_ai": False,
    },
    {"key": "other", "label_ko": "기타", "label_en": "Other", "quota": 4, "physical_ai": False},
]

ALL_TYPES = ["pre_founder", "sole_trader", "company"]
BUSINESS = ["sole_trader", "company"]

DEFAULT_REQUIRED_DOCUMENTS = [
    {"kind": "business_plan", "applicant_types": ALL_TYPES, "max_age_days": None},
    {"kind": "personal_data_consent", "applicant_types": ALL_TYPES, "max_age_days": None},
    {"kind": "eligibility_declaration", "applicant_types": ALL_TYPES, "max_age_days": None},
    {"kind": "business_registration", "applicant_types": BUSINESS, "max_age_days": 90},
    {"kind": "corporate_register", "applicant_types": ["company"], "max_age_days": 90},
    {"kind": "national_tax_certificate", "applicant_types": BUSINESS, "max_age_days": 90},
    {"kind": "local_tax_certificate", "applicant_types": BUSINESS, "max_age_days": 90},
    {"kind": "financial_statements", "applicant_types": BUSINESS, "max_age_days": None},
    {"kind": "identity_document", "applicant_types": ["pre_founder"], "max_age_days": None},
]

PSST_RUBRIC = [
    {
        "key": "problem",
        "label_ko": "문제인식(Problem)",
        "label_en": "Problem",
        "max_points": 25,
        "weight": 1,
        "guidance": "시장의 문제와 고객의 필요를 구체적 근거로 제시했는가",
        "guidance_en": "Does it show the market problem and the customers' need with concrete evidence?",
    },
    {
        "key": "solution",
        "label_ko": "실현가능성(Solution)",
        "label_en": "Solution",
        "max_points": 30,
        "weight": 1,
        "guidance": "기술·제품의 차별성과 개발·사업화 계획이 실현 가능한가",
        "guidance_en": "Is the product distinctive, and are the development and commercialisation plans feasible?",
    },
    {
        "key": "scale_up",
        "label_ko": "성장전략(Scale-up)",
        "label_en": "Scale-up",
        "max_points": 25,
        "weight": 1,
        "guidance": "국내외 시장 진출과 자금 조달 전략이 구체적인가",
        "guidance_en": "Are the plans to enter domestic and overseas markets and to raise funds concrete?",
    },
    {
        "key": "team",
        "label_ko": "팀 구성(Team)",
        "label_en": "Team",
        "max_points": 20,
        "weight": 1,
        "guidance": "대표자와 팀의 역량, 협력 네트워크가 충분한가",
        "guidance_en": "Are the CEO's and the team's capabilities and partner network sufficient?",
    },
]

DEFAULT_ELIGIBILITY = {
    "min_business_years": 3,
    "max_business_years": 7,
    "excluded_industries": ["gambling", "사행산업", "유흥주점"],
    "allowed_applicant_types": BUSINESS,
    "check_declarations": True,
    "check_duplicate_support": True,
}

DEFAULT_BONUS_RULES = [
    {"when": "physical_ai", "points": 2},
    {"when": "women_led", "points": 1},
    {"when": "innobiz_or_mainbiz", "points": 1},
]

REGIONS = [
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
]

MARKETS = {
    "US": ("미국", "United States"),
    "JP": ("일본", "Japan"),
    "CN": ("중국", "China"),
    "DE": ("독일", "Germany"),
    "VN": ("베트남", "Vietnam"),
    "SG": ("싱가포르", "Singapore"),
    "AE": ("아랍에미리트", "UAE"),
    "IN": ("인도", "India"),
    "GB": ("영국", "United Kingdom"),
    "FR": ("프랑스", "France"),
    "ID": ("인도네시아", "Indonesia"),
    "MX": ("멕시코", "Mexico"),
}


def document_label(kind: str, language: str) -> str:
    ko, en, _ = DOCUMENT_KINDS.get(kind, (kind, kind, None))
    return en if language == "en" else ko
