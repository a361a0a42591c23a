"""Physical AI classification of a project description: a bilingual weighted lexicon, pure and offline."""

from __future__ import annotations

import bisect
import math
import re
import string
import unicodedata
from dataclasses import dataclass

from nup.priority.lexicon import (
    ACTING_REASONS,
    ASCII_LOWER,
    BY_NEEDLE,
    MACHINE_KO,
    MACHINE_KO_SUBFIELD,
    MACHINE_WORDS,
    VERB_OTHER,
    VERB_WORDS,
    WORD,
    A,
    D,
    Kind,
    M,
    R,
    Signal,
)

MAX_CHARS = 20_000  # bounds the cost of one call whatever arrives
MIN_LETTERS = 20  # fewer letters than this is not a description
BIAS = -2.5  # with nothing found the score is about 0.08; one strong signal lifts it over 0.5
TRACK_PRIOR = 0.5  # a declared Physical AI track nudges the score; alone it stays far below 0.5
OTHER_TRACK_PRIOR = -0.25
ACTING_BONUS = (1.25, 0.75)  # the first and the second sentence where a machine does something physical
MAX_EVIDENCE = 12
SUBFIELDS = (R, A, M, D)  # a tie goes to the earlier one

_ALNUM = frozenset(string.ascii_lowercase + string.digits)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_ODD = re.compile(r"[^\w\s.,;:!?()\[\]'\"\-/·%&+~@]")  # neither letter, digit, space nor ordinary punctuation
_BOUNDARY = re.compile(r"[.!?。\n]")
_KNOWN_SCRIPT = re.compile(r"[a-zA-Z\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\u4e00-\u9fff]")  # Latin, Hangul, Hanja


@dataclass(frozen=True)
class Classification:
    """The verdict on one description, with the phrases that decided it."""

    physical_ai: bool
    score: float
    subfield: str | None
    evidence: list[str]
    confidence: str


@dataclass(frozen=True)
class _Found:
    signal: Signal
    phrase: str
    counted: bool
    subfield: str | None


def classify(
    text: str, *, declared_track: str | None = None, declared_physical_ai: bool | None = None
) -> Classification:
    """Decide whether a description is Physical AI: a machine that perceives and acts in the physical world."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    raw = str(text or "")
    notes: list[str] = []
    if len(raw) > MAX_CHARS:
        notes.append(f"text truncated to the first {MAX_CHARS:,} characters")
    clean = _normalise(raw[: MAX_CHARS * 2])[:MAX_CHARS]
    if not clean.strip():
        notes.append("no description")
    elif _unreadable(raw[:MAX_CHARS]):  # before normalising: U+FFFD and control bytes are the symptom
        notes.append("mostly non-text characters: the input looks like binary data or symbols")
    elif (letters := len(_LETTER.findall(clean))) < MIN_LETTERS:
        notes.append("too little text to judge")
    elif len(_KNOWN_SCRIPT.findall(clean)) < 0.8 * letters:
        notes.append("much of the text is in other scripts: only Korean and English terms are understood")

    found = _match(clean) if clean.strip() else []
    prior, prior_note = _prior(declared_track, declared_physical_ai)
    total = BIAS + prior + sum(f.signal.weight for f in found if f.counted)
    score = round(1.0 / (1.0 + math.exp(-total)), 4)
    physical = score >= 0.5
    evidence = notes + _evidence(found, physical) + ([prior_note] if prior_note else [])
    return Classification(
        physical_ai=physical,
        score=score,
        subfield=_subfield(found) if physical else None,
        evidence=evidence,
        confidence=_confidence(score, found, troubled=bool(notes)),
    )


def as_contract_json(c: Classification) -> dict:
    """Return the CONTRACT.md shape of `nup classify`: physical_ai, score, evidence, plus subfield and confidence."""
    return {
        "physical_ai": bool(c.physical_ai),
        "score": float(c.score),
        "evidence": [str(line) for line in c.evidence],
        "subfield": c.subfield,
        "confidence": c.confidence,
    }


def _normalise(text: str) -> str:
    # NFKC folds full-width Latin (ＡＭＲ) and compatibility jamo; control bytes become spaces.
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))


def _unreadable(sample: str) -> bool:
    """Tell whether most visible characters are not text: binary read as text, walls of emoji or symbols."""
    visible = len(sample) - len(_SPACE.findall(sample))
    if visible <= 0:
        return False
    return len(_ODD.findall(sample)) > 0.4 * visible or len(_LETTER.findall(sample)) < 0.3 * visible


def _match(text: str) -> list[_Found]:
    """Find each signal once, the longest phrase first, so "소프트웨어 로봇" hides its "로봇"."""
    low = text.translate(ASCII_LOWER)
    places = {"text": low, "compact": _SPACES.sub("", low), "words": set(WORD.findall(low))}
    present: dict[int, Signal] = {}
    for (lookup, needle), signals in BY_NEEDLE.items():
        # A substring or set test is far cheaper than a regex scan, and most signals are absent.
        if needle in places[lookup]:
            present.update((id(signal), signal) for signal in signals)
    candidates = [
        (m.start(), m.end(), signal)
        for signal in present.values()
        for m in signal.regex.finditer(low)
        if not (signal.word_start and m.start() and low[m.start() - 1] in _ALNUM)
    ]
    candidates.sort(key=lambda c: (c[0] - c[1], c[2].kind is not Kind.TRAP, c[0]))
    taken = bytearray(len(low))
    masked = list(low)
    first: dict[str, tuple[int, Signal, str]] = {}
    for start, end, signal in candidates:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        if signal.kind is Kind.TRAP:
            masked[start:end] = " " * (end - start)  # "software robot" must not count as a robot below
        if signal.key not in first or start < first[signal.key][0]:
            first[signal.key] = (start, signal, _SPACES.sub(" ", text[start:end]).strip())
    found = [(signal, phrase, signal.subfield) for _start, signal, phrase in sorted(first.values(), key=lambda v: v[0])]
    for (phrase, subfield), weight, reason in zip(
        _acting_sentences("".join(masked), text), ACTING_BONUS, ACTING_REASONS, strict=False
    ):
        # An acting sentence is found by _acting_sentences, not by a pattern of its own.
        acting = Signal(f"acting:{reason}", _BOUNDARY, (), weight, Kind.ACTION, None, reason)
        found.append((acting, phrase, subfield))
    # Settings (a factory, a car, a farm) and sensors count only beside a machine that acts.
    acts = any(s.kind in (Kind.STRONG, Kind.ACTION) for s, _p, _f in found)
    return [_Found(s, p, acts or s.kind not in (Kind.CONTEXT, Kind.SENSING), f) for s, p, f in found]


def _acting_sentences(low: str, text: str) -> list[tuple[str, str]]:
    """Return up to two ("machine … verb", subfield of the machine) from sentences where a machine acts.

    `low` is the lower-cased text with the traps blanked out; `text` is the original, quoted in the phrase.
    """
    ends = [m.start() for m in _BOUNDARY.finditer(low)]
    machines: dict[int, tuple[int, int, str]] = {}  # sentence → (start, end, subfield) of its first machine
    verbs: dict[int, tuple[int, int]] = {}  # sentence → (start, end) of its first physical verb
    for m in MACHINE_KO.finditer(low):
        sentence = bisect.bisect_right(ends, m.start())
        if sentence not in machines or m.start() < machines[sentence][0]:
            machines[sentence] = (m.start(), m.end(), MACHINE_KO_SUBFIELD[m.group()])
    for m in WORD.finditer(low):
        word, sentence = m.group(), bisect.bisect_right(ends, m.start())
        if word in MACHINE_WORDS and (sentence not in machines or m.start() < machines[sentence][0]):
            machines[sentence] = (m.start(), m.end(), MACHINE_WORDS[word])
        elif word in VERB_WORDS:
            verbs.setdefault(sentence, m.span())
    for m in VERB_OTHER.finditer(low):
        sentence = bisect.bisect_right(ends, m.start())
        if sentence not in verbs or m.start() < verbs[sentence][0]:
            verbs[sentence] = m.span()
    phrases = []
    for sentence in sorted(verbs):
        # Korean drops a subject already named, so the machine may sit in the sentence before.
        machine = machines.get(sentence) or machines.get(sentence - 1)
        if machine:
            (noun_start, noun_end, subfield), (verb_start, verb_end) = machine, verbs[sentence]
            phrases.append((f"{text[noun_start:noun_end]} … {text[verb_start:verb_end]}", subfield))
            if len(phrases) == len(ACTING_BONUS):
                break
    return phrases


def _prior(track: str | None, declared: bool | None) -> tuple[float, str | None]:
    """Return the small prior of what the applicant declared, and the evidence line that says so."""
    key = (track or "").strip().lower()
    if declared or key.startswith("physical_ai"):
        label = f'declared track "{key}"' if key.startswith("physical_ai") else "declared Physical AI"
        return TRACK_PRIOR, f"{label} — a small prior only: a declaration alone does not make it Physical AI"
    if key or declared is False:
        label = f'declared track "{key}"' if key else "declared not Physical AI"
        return OTHER_TRACK_PRIOR, f"{label} — a small prior only; the description decides"
    return 0.0, None


def _subfield(found: list[_Found]) -> str | None:
    """Vote by weight; the machine of an acting sentence decides only when nothing more specific was named."""
    for fallback in (False, True):
        votes = dict.fromkeys(SUBFIELDS, 0.0)
        for f in found:
            if f.counted and f.subfield and f.signal.weight > 0 and f.signal.key.startswith("acting:") == fallback:
                votes[f.subfield] += f.signal.weight
        best = max(SUBFIELDS, key=lambda s: votes[s])
        if votes[best] > 0:
            return best
    return None


def _evidence(found: list[_Found], physical: bool) -> list[str]:
    """Explain the verdict: the strongest phrases first, then why the rest did not tip it."""
    ordered = sorted(found, key=lambda f: (not f.counted, -abs(f.signal.weight)))
    lines = [_line(f) for f in ordered[:MAX_EVIDENCE]]
    positive = any(f.counted and f.signal.weight > 0 for f in found)
    traps = any(f.signal.kind is Kind.TRAP for f in found)
    if not positive:
        lines.append("no physical-world signal: no robot, vehicle, drone, machine control or actuation is described")
    elif not physical and traps:
        lines.append("outweighed: the product described is software or a service; it does not itself act on machines")
    elif not physical:
        lines.append("too weak: no machine is described doing something physical (moving, grasping, controlling)")
    return lines


def _line(f: _Found) -> str:
    if f.counted:
        reason = f.signal.reason + (f" ({f.subfield})" if f.subfield and f.signal.weight > 0 else "")
    else:
        reason = "a setting or sensor alone is weak: no machine control, actuation or inline inspection is described"
    phrase = f.phrase if len(f.phrase) <= 48 else f.phrase[:47] + "…"
    return f'"{phrase}" — {reason}'


def _confidence(score: float, found: list[_Found], *, troubled: bool) -> str:
    if troubled or 0.35 <= score <= 0.65:
        return "low"
    positives = sum(1 for f in found if f.counted and f.signal.weight > 0)
    if (score >= 0.85 and positives >= 2) or score <= 0.12:
        return "high"
    return "medium"
