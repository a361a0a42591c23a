"""Conflict-of-interest detection (pure): which declared ties exclude an evaluator (제척).

An evaluator's organisation, past employers, investments and advisory roles are compared
with the applicant company's name and registration number and with its CEO's name.
Names are compared after removing legal-form words and punctuation, so "(주)로보틱스랩",
"주식회사 로보틱스랩" and "Robotics Lab Inc." style variants of one name meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_LEGAL_FORMS = (
    "주식회사",
    "유한회사",
    "유한책임회사",
    "합자회사",
    "합명회사",
    "사단법인",
    "재단법인",
    "(주)",
    "㈜",
    "(유)",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co ltd",
    "corporation",
    "corp.",
    "corp",
    "inc.",
    "inc",
    "ltd.",
    "ltd",
    "llc",
)


def normalise_name(name: str) -> str:
    """Lower-case a company or person name without legal-form words, spaces or punctuation."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    for form in _LEGAL_FORMS:
        text = text.replace(form, " ")
    return re.sub(r"[\W_]+", "", text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass(frozen=True)
class Declarations:
    """What an evaluator declared (EvaluatorProfile), as plain values."""

    organisation: str = ""
    past_employers: Sequence[str] = ()
    investments: Sequence[str] = ()
    advisory_roles: Sequence[str] = ()


@dataclass(frozen=True)
class Company:
    name: str
    registration_number: str | None = None
    ceo_name: str = ""


@dataclass(frozen=True)
class Tie:
    ground: str  # organisation | past_employer | investment | advisory_role
    declared: str  # the declaration that matched

    def describe(self) -> str:
        return f"{self.ground}: {self.declared}"


def _matches(declared: str, company: Company) -> bool:
    declared_digits = _digits(declared)
    if company.registration_number and len(declared_digits) == 10 and declared_digits == company.registration_number:
        return True
    key = normalise_name(declared)
    if len(key) < 2:
        return False  # one letter matches too much to mean anything
    return key in {normalise_name(company.name), normalise_name(company.ceo_name)} - {""}


def exclusion_ties(declarations: Declarations, company: Company) -> list[Tie]:
    """The declared ties that require mandatory exclusion (제척) from this company's review."""
    grounds: Iterable[tuple[str, Sequence[str]]] = (
        ("organisation", [declarations.organisation]),
        ("past_employer", declarations.past_employers),
        ("investment", declarations.investments),
        ("advisory_role", declarations.advisory_roles),
    )
    return [Tie(ground, item) for ground, items in grounds for item in items if item and _matches(item, company)]
