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
from functools import lru_cache

# Korean legal forms, matched anywhere in the name and with anything but letters between their
# syllables ("주식 회사", "주식\u200b회사"): they are long enough never to be part of a name.
_KOREAN_FORMS = ("유한책임회사", "주식회사", "유한회사", "합자회사", "합명회사", "사단법인", "재단법인")
# Short Korean forms only in brackets: "(주)", "㈜" (NFKC turns it into "(주)"), "( 유 )".
_BRACKETED_FORMS = ("주", "유", "사", "재", "합")
# Latin legal forms, dropped as whole words wherever they stand ("Co., Ltd.", "INC", "corp").
_LATIN_FORMS = frozenset({"inc", "incorporated", "corp", "corporation", "ltd", "limited", "llc", "plc", "gmbh"})
_SEPARATORS = r"[\W_]*"
_KOREAN_FORM = re.compile("|".join(_SEPARATORS.join(form) for form in _KOREAN_FORMS))
_BRACKETED_FORM = re.compile(r"\(\s*(?:" + "|".join(_BRACKETED_FORMS) + r")\s*\)")
# Words: runs of Hangul, or runs of other letters and digits ("현대자동차inc" is two words).
_WORDS = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+|[^\W_\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")


# Characters that show nothing yet are letters to a naive comparison: the Hangul fillers
# (U+115F, U+1160, U+3164, U+FFA0, category Lo), the combining grapheme joiner, variation
# selectors, the Braille blank. With category Cf (zero-width spaces and joiners, the byte-order
# mark, soft hyphens) they are dropped before names are compared or searched.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0") | frozenset(
    map(chr, [*range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
)


def is_invisible(char: str) -> bool:
    """Whether a character shows nothing and means nothing in a name or a number."""
    return char in _INVISIBLE or unicodedata.category(char) == "Cf"


# A Latin legal form written against the name, capitalised after a small letter and ending the
# word ("RoboticsCo.,Ltd", "AcmeInc"): split off so that it is dropped as a word.
_GLUED_FORM = re.compile(r"(?<=[a-z])(?=(?:Co|CO|Inc|INC|Corp|CORP|Ltd|LTD|Llc|LLC)(?![A-Za-z]))")


def _plain(text: str, *, split_glued_forms: bool = False) -> str:
    """Compatibility-normalised, composed, case-folded text without invisible characters.

    Invisible characters (see `is_invisible`) are dropped before composing, so decomposed
    Hangul (NFD) split by one still composes. With `split_glued_forms`, a legal form written
    against the name ("RoboticsCo.,Ltd", "AcmeInc") becomes a word of its own.
    """
    visible = unicodedata.normalize("NFKC", "".join(c for c in text or "" if not is_invisible(c)))
    if split_glued_forms:
        visible = _GLUED_FORM.sub(" ", visible)
    return visible.casefold()


@lru_cache(maxsize=8192)  # a call compares each company with every evaluator's declarations
def normalise_name(name: str) -> str:
    """A company or person name reduced to its letters and digits, without legal-form words.

    Width (full-width Latin letters and digits), Unicode form (NFD, NFC), case, spacing,
    punctuation, zero-width characters and legal-form words in any position do not matter:
    "(주)현대자동차", "현대자동차 주식회사" and "현대 자동차㈜" all give "현대자동차",
    "ＨＹＵＮＤＡＩ Ｃｏ．，Ｌｔｄ．" and "Hyundai Inc" give "hyundai".
    """
    text = _BRACKETED_FORM.sub(" ", _plain(name, split_glued_forms=True))
    text = _KOREAN_FORM.sub(" ", text)
    words = _WORDS.findall(text)
    kept = [
        word
        for index, word in enumerate(words)
        if word not in _LATIN_FORMS
        # "Co." is a legal form before "Ltd." or at the end ("Hyundai Motor Co."), a word elsewhere.
        and not (word == "co" and (index == len(words) - 1 or words[index + 1] in _LATIN_FORMS))
    ]
    return "".join(kept)


def _digits(text: str) -> str:
    """The ASCII digits of a number however it is written (full-width, with dashes or spaces)."""
    return re.sub(r"[^0-9]", "", _plain(text))


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
    if len(declared_digits) == 10 and declared_digits == _digits(company.registration_number or ""):
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
