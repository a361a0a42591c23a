"""Field checks for an application's company facts and plan (shared by pages and API)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from nup.applications import rules
from nup.applications.models import COMPANY_FIELDS, PLAN_FIELDS
from nup.programmes import catalogue
from nup.programmes.models import Call

TEXT_LIMITS = {
    "company_name": 200,
    "ceo_name": 100,
    "address": 300,
    "industry": 100,
    "website": 300,
    "summary": 2000,
    "problem": 20000,
    "solution": 20000,
    "scale_up": 20000,
    "team": 20000,
}
BOOLEAN_FIELDS = ("tax_arrears", "loan_default", "participation_ban", "duplicate_support")
MAX_FUNDING = 10_000_000_000  # ₩10bn: far above any N-Up grant, catches a misplaced digit


def clean_values(values: dict, *, call: Call) -> tuple[dict, dict[str, list[str]]]:
    """Split submitted values into the well-formed ones and per-field error messages.

    Unknown keys are ignored. Empty strings clear a field. Nothing here decides
    eligibility: that is rules.assess_eligibility on the saved facts.
    """
    clean: dict = {}
    errors: dict[str, list[str]] = {}

    def fail(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    for field in COMPANY_FIELDS + PLAN_FIELDS:
        if field not in values:
            continue
        raw = values[field]
        if field in TEXT_LIMITS:
            text = "" if raw is None else str(raw).replace("\x00", "").strip()
            if len(text) > TEXT_LIMITS[field]:
                fail(field, _l("Use at most %(n)d characters.", n=TEXT_LIMITS[field]))
                continue
            if field == "website" and text and not _is_web_address(text):
                fail(field, _l("Enter a web address starting with http:// or https://."))
                continue
            clean[field] = text
        elif field == "business_registration_number":
            if raw in (None, ""):
                clean[field] = None
            elif (digits := rules.normalise_brn(str(raw))) is None:
                fail(field, _l("Enter the 10 digits of the business registration number (XXX-XX-XXXXX)."))
            elif not rules.is_valid_brn(digits):
                fail(field, _l("This business registration number is not valid: check the digits."))
            else:
                clean[field] = digits
        elif field == "applicant_type":
            if raw in (None, ""):
                clean[field] = None
            elif raw not in rules.APPLICANT_TYPES:
                fail(field, _l("Choose pre-founder, sole trader or company."))
            else:
                clean[field] = raw
        elif field == "founded_on":
            parsed = _date(raw)
            if parsed is False:
                fail(field, _l("Enter a date as YYYY-MM-DD."))
            else:
                clean[field] = parsed
        elif field in ("employees", "funding_requested"):
            number = _integer(raw)
            limit = MAX_FUNDING if field == "funding_requested" else 1_000_000
            if number is False or (number is not None and not 0 <= number <= limit):
                fail(field, _l("Enter a whole number from 0 to %(n)s.", n=f"{limit:,}"))
            else:
                clean[field] = number
        elif field in BOOLEAN_FIELDS:
            flag = _boolean(raw)
            if flag == "invalid":
                fail(field, _l("Answer yes or no."))
            else:
                clean[field] = flag
        elif field == "region":
            region = (raw or "").strip()
            if region and region not in catalogue.REGIONS:
                fail(field, _l("Choose a region from the list."))
            else:
                clean[field] = region
        elif field == "track":
            track = (raw or "").strip()
            if track and call.track(track) is None:
                fail(field, _l("Choose one of this call's tracks."))
            else:
                clean[field] = track
        elif field == "target_markets":
            markets = raw if isinstance(raw, list) else [m for m in str(raw or "").split(",") if m]
            unknown = [m for m in markets if m not in catalogue.MARKETS]
            if unknown or len(markets) > len(catalogue.MARKETS):
                fail(field, _l("Choose target markets from the list."))
            else:
                clean[field] = list(dict.fromkeys(markets))
    return clean, errors


def _is_web_address(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def _date(raw) -> date | bool | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        parsed = date.fromisoformat(str(raw).strip())
    except ValueError:
        return False
    return parsed if date(1900, 1, 1) <= parsed <= date(2100, 1, 1) else False


def _integer(raw) -> int | bool | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return raw
    text = str(raw).replace(",", "").strip()
    return int(text) if text.isascii() and text.isdigit() else False


def _boolean(raw) -> bool | str | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("yes", "y", "true", "1", "on"):
        return True
    if text in ("no", "n", "false", "0", "off"):
        return False
    return "invalid"


def missing_for_submission(values: dict, *, call: Call) -> list[str]:
    """Fields that must be filled before submission."""
    needed = [
        "company_name",
        "applicant_type",
        "ceo_name",
        "track",
        "summary",
        "problem",
        "solution",
        "scale_up",
        "team",
        "region",
    ]
    if values.get("applicant_type") in ("sole_trader", "company"):
        needed += ["business_registration_number", "founded_on"]
    eligibility = call.eligibility or {}
    if eligibility.get("check_declarations", True):
        needed += ["tax_arrears", "loan_default", "participation_ban"]
    if eligibility.get("check_duplicate_support", True):
        needed.append("duplicate_support")
    return [f for f in needed if values.get(f) in (None, "")]
