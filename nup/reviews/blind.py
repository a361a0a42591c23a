"""Blind redaction (pure): mask what identifies an applicant in text, however it is written.

Text is normalised before matching — each character by NFKC, then composed (so decomposed
Hangul meets its syllables), folded in case — and zero-width characters are dropped, while
every normalised character remembers the span of the original text it came from. Names
and the registration number are then looked for with every separator and punctuation
mark between their letters or digits ignored, and each match is mapped back, so the mask
covers exactly the identifying span of the original text and nothing around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from nup.reviews.conflicts import is_invisible, normalise_name

BLIND_MASK = "○○○"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+82[-\s]?|0)\d{1,2}[-\s.)]?\d{3,4}[-\s.]?\d{4}(?!\d)")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True)
class Identifiers:
    """What identifies one applicant, as plain values."""

    company_name: str = ""
    ceo_name: str = ""
    registration_number: str | None = None
    website: str = ""


@dataclass(frozen=True)
class Normalised:
    """Normalised text; `spans[i]` is the [start, end) of the original text behind `text[i]`."""

    text: str
    spans: tuple[tuple[int, int], ...]


def normalise(text: str) -> Normalised:
    """Normalise `text` for matching and keep, for each character, where it came from."""
    chars: list[str] = []
    spans: list[list[int]] = []
    for index, char in enumerate(text):
        if is_invisible(char):  # zero-width characters, Hangul fillers: the conflict check's list
            continue
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if chars:
                # Compose with the character before (Hangul jamo into syllables, a letter
                # with its accent); a pair that does not compose stays two characters.
                composed = unicodedata.normalize("NFC", chars[-1] + piece)
                if len(composed) == 1:
                    chars[-1] = composed
                    spans[-1][1] = index + 1
                    continue
            chars.append(piece)
            spans.append([index, index + 1])
    return Normalised("".join(chars), tuple((s, e) for s, e in spans))


def name_keys(identifiers: Identifiers) -> list[str]:
    """The names to look for: company, CEO and the website's name (two letters at least)."""
    names = [identifiers.company_name, identifiers.ceo_name]
    host = website_host(identifiers.website)
    if host:
        labels = host.split(".")
        names.append(labels[0] if len(labels) > 1 else host)
    return [k for k in dict.fromkeys(normalise_name(n) for n in names if n) if len(k) >= 2]


def website_host(website: str) -> str:
    """The website's host without scheme, `www.` or path ("alpha.co.kr")."""
    host = _SCHEME.sub("", normalise(website or "").text.strip())
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    return host.removeprefix("www.")


def _skeleton(normalised: str) -> tuple[str, list[int]]:
    """The letters and digits of the normalised text, with each one's index in it."""
    positions = [i for i, c in enumerate(normalised) if c.isalnum()]
    return "".join(normalised[i] for i in positions), positions


def _find_all(haystack: str, needle: str) -> Iterable[int]:
    start = haystack.find(needle)
    while start != -1:
        yield start
        start = haystack.find(needle, start + 1)


def _camel_boundary(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """Whether the original characters at two neighbouring spans go from lower to upper case."""
    return text[left[1] - 1].islower() and text[right[0]].isupper()


def identifying_spans(text: str, identifiers: Identifiers) -> list[tuple[int, int]]:
    """The [start, end) spans of `text` that identify the applicant, merged and in order."""
    norm = normalise(text)
    skeleton, positions = _skeleton(norm.text)
    found: list[tuple[int, int]] = []  # in normalised indices, end exclusive

    for key in name_keys(identifiers):
        for at in _find_all(skeleton, key):
            first, last = positions[at], positions[at + len(key) - 1]
            # A Latin name is a word of its own ("Nova" is not masked inside "Novak"); a
            # Korean name is not, since particles follow it directly ("노바는").
            # A change from lower to upper case is a word boundary too ("Acme-RoboticsCo.,Ltd").
            glued_before = first > 0 and _ascii_alnum(key[0]) and _ascii_alnum(norm.text[first - 1])
            if glued_before and not _camel_boundary(text, norm.spans[first - 1], norm.spans[first]):
                continue
            glued_after = last + 1 < len(norm.text) and _ascii_alnum(key[-1]) and _ascii_alnum(norm.text[last + 1])
            if glued_after and not _camel_boundary(text, norm.spans[last], norm.spans[last + 1]):
                continue
            found.append((first, last + 1))

    number = "".join(c for c in (identifiers.registration_number or "") if c.isdigit())
    if len(number) == 10:
        digits = [i for i, c in enumerate(norm.text) if c.isdigit() and c.isascii()]
        run = "".join(norm.text[i] for i in digits)
        for at in _find_all(run, number):
            first, last = digits[at], digits[at + 9]
            # Only separators between the digits, never words ("123 and 45...").
            if all(not norm.text[i].isalpha() for i in range(first, last + 1)):
                found.append((first, last + 1))

    for pattern in (_EMAIL, _PHONE):
        found.extend(m.span() for m in pattern.finditer(norm.text))

    spans = sorted((norm.spans[a][0], norm.spans[b - 1][1]) for a, b in found)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def redact(text: str, identifiers: Identifiers) -> str:
    """Replace each identifying span of `text` with BLIND_MASK; everything else is kept as it was."""
    if not text:
        return text or ""
    out: list[str] = []
    cursor = 0
    for start, end in identifying_spans(text, identifiers):
        out.append(text[cursor:start])
        out.append(BLIND_MASK)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
