"""Create, edit, publish and close calls (officers only); every change is audited."""

from __future__ import annotations

import copy
import math
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from nup import security
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.programmes import catalogue
from nup.programmes.models import Call, CallStatus

EDITABLE = (
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "announced_on",
    "opens_at",
    "closes_at",
    "tracks",
    "eligibility",
    "required_documents",
    "rubric",
    "reviewers_per_application",
    "trim_min_reviews",
    "bonus_rules",
    "bonus_cap",
    "tie_breakers",
)


MAX_QUOTA = 100_000  # places in one track; a larger number is a typing slip
MAX_BONUS = 100  # points on a score out of 100: a bonus or its cap can never be more


def default_call_values() -> dict:
    """What a new call starts from: PSST rubric, the usual tracks, documents and rules."""
    return {
        "tracks": copy.deepcopy(catalogue.DEFAULT_TRACKS),
        "eligibility": copy.deepcopy(catalogue.DEFAULT_ELIGIBILITY),
        "required_documents": copy.deepcopy(catalogue.DEFAULT_REQUIRED_DOCUMENTS),
        "rubric": copy.deepcopy(catalogue.PSST_RUBRIC),
        "bonus_rules": copy.deepcopy(catalogue.DEFAULT_BONUS_RULES),
        "reviewers_per_application": 5,
        "trim_min_reviews": 5,
        "bonus_cap": 5.0,
        # Equal final scores: the higher solution (실현가능성), then problem score wins.
        "tie_breakers": default_tie_breakers(catalogue.PSST_RUBRIC),
    }


def default_tie_breakers(rubric: list[dict], *, most: int = 2) -> list[str]:
    """The keys of the `most` criteria worth the most weighted points (max_points x weight), heaviest first.

    Equal weights keep the rubric's order. For the PSST rubric: solution (30), then problem (25).
    A call's default tie-breakers follow its own rubric, so a call with its own criteria is
    never refused for tie-breakers its author did not write.
    """

    def worth(criterion: dict) -> float:
        try:
            return float(criterion.get("max_points") or 0) * float(criterion.get("weight", 1) or 0)
        except (TypeError, ValueError):
            return 0.0

    criteria = [c for c in rubric or [] if isinstance(c, dict) and c.get("key")]
    ranked = sorted(enumerate(criteria), key=lambda pair: (-worth(pair[1]), pair[0]))
    return list(dict.fromkeys(str(c["key"]) for _, c in ranked))[:most]


def clean_call_values(values: dict) -> dict:
    """Check a call's settings together; raise DomainError with a message per field."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    if not (values.get("title_ko") or "").strip():
        fail("title_ko", _l("Enter the title in Korean."))
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if not isinstance(opens, datetime) or opens.tzinfo is None:
        fail("opens_at", _l("Enter the opening date and time."))
    if not isinstance(closes, datetime) or closes.tzinfo is None:
        fail("closes_at", _l("Enter the closing date and time."))
    elif isinstance(opens, datetime) and opens.tzinfo and closes <= opens:
        fail("closes_at", _l("The call must close after it opens."))
    if not isinstance(values.get("announced_on"), date):
        fail("announced_on", _l("Enter the announcement date."))
    tracks = values.get("tracks") or []
    keys = [t.get("key") for t in tracks]
    if not tracks:
        fail("tracks", _l("Add at least one track."))
    elif len(set(keys)) != len(keys) or not all(keys):
        fail("tracks", _l("Each track needs its own key."))
    for track in tracks:
        quota = track.get("quota", 0)
        if not isinstance(quota, int) or isinstance(quota, bool) or not 0 <= quota <= MAX_QUOTA:
            fail("tracks", _l("A track's quota must be a whole number from 0 to %(most)s.", most=f"{MAX_QUOTA:,}"))
    rubric = values.get("rubric") or []
    rubric_keys = [c.get("key") for c in rubric]
    if not rubric:
        fail("rubric", _l("Add at least one evaluation criterion."))
    elif len(set(rubric_keys)) != len(rubric_keys) or not all(rubric_keys):
        fail("rubric", _l("Each criterion needs its own key."))
    for criterion in rubric:
        if not _positive_number(criterion.get("max_points")) or not _positive_number(criterion.get("weight", 1)):
            fail("rubric", _l("Maximum points and weights must be positive numbers."))
            break
    eligibility = values.get("eligibility") or {}
    low, high = eligibility.get("min_business_years"), eligibility.get("max_business_years")
    for bound in (low, high):
        if bound is not None and (not isinstance(bound, int) or bound < 0):
            fail("eligibility", _l("Business-age limits must be whole numbers of years, zero or more."))
    if isinstance(low, int) and isinstance(high, int) and low >= high:
        fail("eligibility", _l("The minimum business age must be below the maximum."))
    for document in values.get("required_documents") or []:
        if document.get("kind") not in catalogue.DOCUMENT_KINDS:
            fail("required_documents", _l("Unknown document kind: %(kind)s", kind=document.get("kind")))
    reviewers = values.get("reviewers_per_application")
    if not isinstance(reviewers, int) or not 1 <= reviewers <= 50:
        fail("reviewers_per_application", _l("Enter a number of evaluators from 1 to 50."))
    trim = values.get("trim_min_reviews")
    if not isinstance(trim, int) or trim < 3:
        fail("trim_min_reviews", _l("Trimming needs at least 3 reviews."))
    rubric_keys = {c.get("key") for c in values.get("rubric") or []}
    unknown = [k for k in values.get("tie_breakers") or [] if k not in rubric_keys]
    if unknown:
        fail("tie_breakers", _l("Tie-breakers must be criteria of the rubric: %(keys)s.", keys=", ".join(unknown)))
    for rule in values.get("bonus_rules") or []:
        if not rule.get("when") or not _number(rule.get("points")) or not 0 <= rule["points"] <= MAX_BONUS:
            fail("bonus_rules", _l("Each bonus rule needs a condition and points from 0 to 100."))
            break
    cap = values.get("bonus_cap")
    if cap is not None and (not _number(cap) or not 0 <= cap <= MAX_BONUS):
        fail("bonus_cap", _l("The bonus cap must be a number from 0 to 100."))
    if errors:
        raise DomainError(_l("Some settings of the call are not valid."), fields=errors)
    return values


def _number(value) -> bool:
    """A real, finite number (not a bool, NaN or infinity: a form's float("nan") passes a range check)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive_number(value) -> bool:
    return _number(value) and value > 0


def keep_guidance(rubric: list[dict], known: list[dict]) -> list[dict]:
    """Carry each criterion's guidance over from `known` when the new rubric does not give it.

    The call form edits keys, labels, points and weights; the guidance evaluators read must
    survive such an edit.
    """
    guidance = {}
    for criterion in known:
        guidance.setdefault(criterion["key"], criterion)
    kept = []
    for criterion in rubric or []:
        source = guidance.get(criterion.get("key"), {})
        kept.append(
            {
                **criterion,
                "guidance": criterion.get("guidance") or source.get("guidance", ""),
                "guidance_en": criterion.get("guidance_en") or source.get("guidance_en", ""),
            }
        )
    return kept


def create_call(*, actor, values: dict, now: datetime) -> Call:
    """Create a draft call from `values` (defaults fill what is not given)."""
    security.require(actor, "calls.manage")
    merged = {**default_call_values(), **{k: v for k, v in values.items() if v is not None}}
    merged["rubric"] = keep_guidance(merged["rubric"], catalogue.PSST_RUBRIC)
    if values.get("tie_breakers") is None:
        merged["tie_breakers"] = default_tie_breakers(merged["rubric"])
    clean_call_values(merged)
    call = Call(
        **{k: merged[k] for k in EDITABLE if k in merged},
        status=CallStatus.DRAFT,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "call.created", call, after={"title": call.title_ko})
    return call


def update_call(call: Call, *, actor, values: dict, now: datetime) -> Call:
    """Change a call's settings; dates and rules of a closed call no longer change."""
    security.require(actor, "calls.manage", call)
    if call.status == CallStatus.CLOSED:
        raise Conflict(_l("A closed call cannot be edited."))
    merged = {k: getattr(call, k) for k in EDITABLE} | {k: v for k, v in values.items() if v is not None}
    merged["rubric"] = keep_guidance(merged["rubric"], [*call.rubric, *catalogue.PSST_RUBRIC])
    if values.get("tie_breakers") is None and values.get("rubric") is not None:
        # A new rubric without tie-breakers: keep those still in it; if none is left, derive them from it.
        keys = {c.get("key") for c in merged["rubric"]}
        kept = [k for k in call.tie_breakers or [] if k in keys]
        merged["tie_breakers"] = kept if kept or not call.tie_breakers else default_tie_breakers(merged["rubric"])
    clean_call_values(merged)
    before = {k: _plain(getattr(call, k)) for k in EDITABLE if merged.get(k) != getattr(call, k)}
    for key in EDITABLE:
        setattr(call, key, merged[key])
    call.updated_at = now
    audit.record(actor, "call.updated", call, before=before, after={k: _plain(getattr(call, k)) for k in before})
    db.session.flush()
    return call


def publish_call(call: Call, *, actor, now: datetime) -> Call:
    """Make a draft call public; applicants can apply between its opening and closing times."""
    security.require(actor, "calls.manage", call)
    if call.status != CallStatus.DRAFT:
        raise Conflict(_l("Only a draft call can be published."))
    call.status = CallStatus.PUBLISHED
    call.updated_at = now
    audit.record(actor, "call.published", call)
    db.session.flush()
    return call


def close_call(call: Call, *, actor, now: datetime) -> Call:
    """Close a call now (earlier than planned, or to end it formally after the deadline)."""
    security.require(actor, "calls.manage", call)
    if call.status == CallStatus.CLOSED:
        return call
    call.status = CallStatus.CLOSED
    if call.closes_at > now:
        call.closes_at = now
    call.updated_at = now
    audit.record(actor, "call.closed", call)
    db.session.flush()
    return call


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value
