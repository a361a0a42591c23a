"""The controlled vocabularies of mentoring: expertise, languages, session formats, with labels."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nup.mentoring.matching import EXPERTISE
from nup.programmes.catalogue import DEFAULT_TRACKS, MARKETS

EXPERTISE_LABELS = {
    "robotics": _l("Robotics"),
    "autonomous_driving": _l("Autonomous driving"),
    "manufacturing_ai": _l("Manufacturing AI"),
    "drones": _l("Drones"),
    "ai_software": _l("AI software"),
    "go_to_market": _l("Go-to-market"),
    "fundraising_ir": _l("Fundraising and IR"),
    "legal_ip": _l("Legal and IP"),
    "localisation": _l("Localisation"),
    "export_sales": _l("Export sales"),
    "manufacturing_scale_up": _l("Manufacturing scale-up"),
    "hr_organisation": _l("People and organisation"),
    "finance_accounting": _l("Finance and accounting"),
    "data_cloud_gpu": _l("Data, cloud and GPU"),
}
assert set(EXPERTISE_LABELS) == set(EXPERTISE)

LANGUAGE_LABELS = {
    "ko": _l("Korean"),
    "en": _l("English"),
    "ja": _l("Japanese"),
    "zh": _l("Chinese"),
    "de": _l("German"),
    "vi": _l("Vietnamese"),
    "fr": _l("French"),
    "es": _l("Spanish"),
}

MODE_LABELS = {"online": _l("Online"), "in_person": _l("In person"), "either": _l("Either")}

REASON_LABELS = {
    "expertise": _l("Expertise"),
    "market": _l("Target markets"),
    "language": _l("Language"),
    "industry": _l("Industry"),
    "experience": _l("Experience"),
    "capacity": _l("Capacity"),
    "balance": _l("Balance across mentors"),
}

INDUSTRIES = [track["key"] for track in DEFAULT_TRACKS]
COUNTRIES = list(MARKETS)

# A track's field suggests what a startup will want to talk about; the founder edits it.
TOPICS_FOR_TRACK = {
    "physical_ai_robotics": ["robotics", "go_to_market", "export_sales"],
    "physical_ai_mobility": ["autonomous_driving", "go_to_market", "legal_ip"],
    "physical_ai_manufacturing": ["manufacturing_ai", "manufacturing_scale_up", "go_to_market"],
    "ai_software": ["ai_software", "go_to_market", "fundraising_ir"],
}
# The language of the market, offered besides Korean when a need is prefilled.
MARKET_LANGUAGE = {
    "US": "en",
    "GB": "en",
    "SG": "en",
    "IN": "en",
    "AE": "en",
    "JP": "ja",
    "CN": "zh",
    "DE": "de",
    "VN": "vi",
    "FR": "fr",
    "MX": "es",
    "ID": "en",
}


def labelled(keys, labels) -> list[str]:
    """The labels of `keys`, in the page's language, for display."""
    return [str(labels.get(key, key)) for key in keys]


def _names(keys, labels) -> str:
    return ", ".join(labelled(keys, labels)) or "—"


def explain(reason) -> str:
    """One reason of a suggestion in the page's language, from its facts (stored reasons are dicts)."""
    get = reason.get if isinstance(reason, dict) else lambda key, default=None: getattr(reason, key, default)
    code, facts = get("code"), get("facts") or {}
    if not facts:  # stored before facts were kept
        return get("detail") or ""
    english = str(get_locale()) == "en"
    if code == "expertise":
        if not facts["named"]:
            return _("No topics named.")
        if not facts["covered"]:
            return _("Covers none of the %(total)d topics.", total=facts["named"])
        text = _(
            "Covers %(topics)s (%(n)d of %(total)d topics).",
            topics=_names(facts["covered"], EXPERTISE_LABELS),
            n=len(facts["covered"]),
            total=facts["named"],
        )
        if facts["missing"]:
            text += " " + _("Not: %(topics)s.", topics=_names(facts["missing"], EXPERTISE_LABELS))
        return text
    if code == "market":
        if not facts["named"]:
            return _("No target market named.")
        if not facts["covered"]:
            return _("Knows none of the %(total)d target markets.", total=facts["named"])
        countries = {key: names[1 if english else 0] for key, names in MARKETS.items()}
        return _(
            "Knows %(markets)s (%(n)d of %(total)d markets).",
            markets=_names(facts["covered"], countries),
            n=len(facts["covered"]),
            total=facts["named"],
        )
    if code == "language":
        return _("Speaks %(languages)s.", languages=_names(facts["shared"], LANGUAGE_LABELS)) if facts["shared"] else ""
    if code == "industry":
        tracks = {t["key"]: t["label_en"] if english else t["label_ko"] for t in DEFAULT_TRACKS}
        name = tracks.get(facts["industry"], facts["industry"])
        if not name:
            return _("No industry named.")
        return (
            _("Works in %(industry)s.", industry=name) if facts["match"] else _("Not in %(industry)s.", industry=name)
        )
    if code == "experience":
        return _("%(years)d years of experience.", years=facts["years"])
    if code == "capacity":
        return _(
            "%(left)s hours a month free for the %(wanted)s wanted.",
            left=f"{facts['left']:g}",
            wanted=f"{facts['wanted']:g}",
        )
    if code == "balance":
        return _(
            "%(booked)s of %(month)s hours a month already promised.",
            booked=f"{facts['booked']:g}",
            month=f"{facts['month']:g}",
        )
    return get("detail") or ""
