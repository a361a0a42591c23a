"""The fixed lists of overseas-market support: item types, partners, KPI names, check results, reclaim grounds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ITEM_KINDS = {
    "market_research": _l("Market research"),
    "matching": _l("Buyer and partner matching"),
    "exhibition": _l("Exhibition (e.g. CES)"),
    "local_entity": _l("Local entity or branch set-up"),
    "ir": _l("IR and investment attraction"),
    "legal_ip": _l("Legal and IP"),
    "localisation": _l("Localisation"),
    "demonstration": _l("Overseas demonstration (PoC)"),
    "gpu_cloud": _l("GPU or cloud credits"),
}
PARTNERS = ("KOTRA", "NVIDIA", "KISED", "KOSME", "NIPA", "KITA", "Other")
MILESTONE_KINDS = {
    "kickoff": _l("Kick-off"),
    "midterm": _l("Mid-term check"),
    "final": _l("Final check"),
    "item": _l("Support item milestone"),
}
MILESTONE_STATUSES = {
    "planned": _l("Planned"),
    "submitted": _l("Submitted for confirmation"),
    "done": _l("Done"),
    "waived": _l("Waived"),
}
REPORT_STATUSES = {
    "submitted": _l("Awaiting review"),
    "returned": _l("Returned for correction"),
    "accepted": _l("Report accepted"),
}
FREQUENCIES = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly")}
CHECK_KINDS = {"midterm": _l("Mid-term check"), "final": _l("Final check")}
CHECK_RESULTS = {
    "satisfactory": _l("Satisfactory"),
    "needs_improvement": _l("Needs improvement"),
    "unsatisfactory": _l("Unsatisfactory"),
}
RECLAIM_GROUNDS = {
    "fraud": _l("Fraud or deception"),
    "abandonment": _l("Unjustified abandonment"),
    "other_use": _l("Use for another purpose"),
    "false_deliverables": _l("False deliverables"),
}
FOLLOW_UP = {"none": _l("No follow-up"), "open": _l("Follow-up open"), "resolved": _l("Follow-up resolved")}
KPI_LABELS = {
    "export_contracts": _l("Export contracts"),
    "export_value_won": _l("Export contract value"),
    "overseas_sales_won": _l("Overseas sales"),
    "investment_won": _l("Investment attracted"),
    "jobs_overseas": _l("New jobs overseas"),
    "jobs_domestic": _l("New jobs at home"),
    "entities": _l("Local entities established"),
    "outcome_won": _l("Contracts, sales and investment"),
}
RISK_LABELS = {
    "milestone_overdue": _l("Milestone overdue"),
    "report_missing": _l("KPI report missing"),
    "report_returned": _l("Returned report not corrected"),
    "overspent": _l("Spending over budget"),
    "reclaim": _l("Reclaim ground raised"),
    "check_failed": _l("Check unsatisfactory"),
}


def label(mapping: dict, key: str) -> str:
    """The label of a key, or the key itself when it is not on the list."""
    return str(mapping.get(key, key))


# Target countries (ISO 3166-1 alpha-2): the call's markets and others KOTRA covers often.
COUNTRIES: dict[str, tuple[str, str]] = {
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
    "CA": ("캐나다", "Canada"),
    "AU": ("호주", "Australia"),
    "NL": ("네덜란드", "Netherlands"),
    "SA": ("사우디아라비아", "Saudi Arabia"),
    "TH": ("태국", "Thailand"),
    "MY": ("말레이시아", "Malaysia"),
    "TW": ("대만", "Taiwan"),
    "HK": ("홍콩", "Hong Kong"),
    "PL": ("폴란드", "Poland"),
    "IL": ("이스라엘", "Israel"),
}


def country_name(code: str, language: str) -> str:
    """A country's name in the page's language (the code when it is not on the list)."""
    names = COUNTRIES.get(code)
    if names is None:
        return code or "—"
    return names[1] if language == "en" else names[0]


def country_choices(language: str) -> list[tuple[str, str]]:
    return [(code, country_name(code, language)) for code in COUNTRIES]
