"""The mentor pool: applications to join, vetting by officers, profiles, active or not."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from nup import security
from nup.accounts import services as accounts
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.mentoring.matching import EXPERTISE
from nup.mentoring.models import Mentor, MentorStatus
from nup.mentoring.vocabulary import COUNTRIES, INDUSTRIES, LANGUAGE_LABELS

PROFILE_FIELDS = (
    "name",
    "organisation",
    "title",
    "bio",
    "expertise",
    "industries",
    "countries",
    "languages",
    "years_experience",
    "past_employers",
    "investments",
    "advisory_roles",
    "monthly_capacity_hours",
    "fee_per_hour",
)
MAX_CAPACITY_HOURS = 160
MAX_FEE_PER_HOUR = 2_000_000


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    return [str(item).strip() for item in value or [] if str(item).strip()]


def _whole(value: Any, field: str, errors: dict, *, low: int, high: int, message) -> int | None:
    try:
        number = int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        errors[field] = [str(_l("Enter a whole number."))]
        return None
    if not low <= number <= high:
        errors[field] = [str(message)]
        return None
    return number


def clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    """Check a mentor profile; return clean values or raise DomainError naming every bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = [str(_l("Enter the mentor's name."))]
    clean["name"] = name[:100]
    for field in ("organisation", "title"):
        clean[field] = str(values.get(field) or "").strip()[:200]
    clean["bio"] = str(values.get("bio") or "").strip()[:4000]
    for field, allowed in (
        ("expertise", EXPERTISE),
        ("industries", INDUSTRIES),
        ("countries", COUNTRIES),
        ("languages", tuple(LANGUAGE_LABELS)),
    ):
        chosen = _words(values.get(field))
        unknown = [item for item in chosen if item not in allowed]
        if unknown:
            errors[field] = [str(_l("Unknown choice: %(items)s", items=", ".join(unknown)))]
        clean[field] = sorted(set(chosen) - set(unknown))
    if not clean["expertise"] and "expertise" not in errors:
        errors["expertise"] = [str(_l("Choose at least one area of expertise."))]
    if not clean["languages"] and "languages" not in errors:
        errors["languages"] = [str(_l("Choose at least one language."))]
    for field in ("past_employers", "investments", "advisory_roles"):
        clean[field] = _words(values.get(field))[:50]
    clean["years_experience"] = _whole(
        values.get("years_experience", 0),
        "years_experience",
        errors,
        low=0,
        high=70,
        message=_l("Years of experience must be between 0 and 70."),
    )
    clean["monthly_capacity_hours"] = _whole(
        values.get("monthly_capacity_hours", 0),
        "monthly_capacity_hours",
        errors,
        low=0,
        high=MAX_CAPACITY_HOURS,
        message=_l("Monthly capacity must be between 0 and %(max)d hours.", max=MAX_CAPACITY_HOURS),
    )
    clean["fee_per_hour"] = _whole(
        values.get("fee_per_hour", 0),
        "fee_per_hour",
        errors,
        low=0,
        high=MAX_FEE_PER_HOUR,
        message=_l("The fee per hour cannot be negative or above %(max)s won.", max=f"{MAX_FEE_PER_HOUR:,}"),
    )
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked fields."), fields=errors)
    return clean


def apply_to_join(*, email: str, values: dict[str, Any], now: datetime, actor: User | None = None) -> Mentor:
    """Record a request to join the pool (anyone may ask; `actor` when an officer enters it); officers vet it.

    Raises Conflict when the address already asked or is in the pool. Sends nothing.
    """
    email = accounts.normalise_email(email)
    if "@" not in email:
        raise DomainError(fields={"email": [str(_l("Enter a valid email address."))]})
    clean = clean_profile(values)
    pending = db.session.scalar(
        select(Mentor).where(func.lower(Mentor.email) == email, Mentor.status != MentorStatus.REJECTED)
    )
    if pending is not None:
        raise Conflict(
            _l("A mentor with this email address has already asked to join."),
            fields={"email": [str(_l("This email address has already asked to join."))]},
        )
    mentor = Mentor(
        email=email,
        status=MentorStatus.APPLIED,
        active=False,
        created_at=now,
        updated_at=now,
        consented_at=now if actor is None else None,
        **clean,
    )
    db.session.add(mentor)
    db.session.flush()
    audit.record(actor, "mentor.applied", mentor, after={"email": email, "name": mentor.name})
    return mentor


def vet_mentor(mentor: Mentor, *, actor: User, approve: bool, note: str, now: datetime) -> Mentor:
    """Approve (into the pool, active, with an account invitation) or reject a request to join.

    Approving creates a mentor account when the email has none; its invitation mail (a
    set-password link) leaves after the commit. A rejection needs a note.
    """
    security.require(actor, "mentoring.manage")
    if mentor.status != MentorStatus.APPLIED:
        raise Conflict(_l("This request has already been decided."))
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(fields={"note": [str(_l("Say why the request is turned down."))]})
    before = {"status": mentor.status}
    mentor.status = MentorStatus.APPROVED if approve else MentorStatus.REJECTED
    mentor.active = approve
    mentor.vetting_note = note
    mentor.vetted_by_id, mentor.vetted_at, mentor.updated_at = actor.id, now, now
    if approve:
        user = db.session.scalar(select(User).where(User.email == mentor.email))
        if user is None:
            user = accounts.create_user(actor=actor, email=mentor.email, role="mentor", name=mentor.name, now=now)
        elif user.role != "mentor":
            raise Conflict(
                _l("This email address belongs to an account of another role; use another address."),
            )
        mentor.user_id = user.id
    audit.record(actor, "mentor.vetted", mentor, before=before, after={"status": mentor.status, "note": note})
    return mentor


def update_mentor_profile(mentor: Mentor, *, actor: User, values: dict[str, Any], now: datetime) -> Mentor:
    """Change a profile (the mentor their own, except the fee; an officer any); audited with before and after."""
    security.require(actor, "mentor.edit", mentor)
    if not security.can(actor, "mentoring.manage"):
        # The fee is agreed with the programme office; a mentor cannot raise it themselves.
        values = {**values, "fee_per_hour": mentor.fee_per_hour}
    clean = clean_profile(values)
    before = {field: getattr(mentor, field) for field in clean}
    for field, value in clean.items():
        setattr(mentor, field, value)
    mentor.updated_at = now
    changed = {field: value for field, value in clean.items() if before[field] != value}
    if changed:
        audit.record(actor, "mentor.profile_changed", mentor, before={f: before[f] for f in changed}, after=changed)
    return mentor


def set_mentor_active(mentor: Mentor, *, actor: User, active: bool, reason: str) -> Mentor:
    """Take a vetted mentor out of the pool or back in; existing matches and sessions stay."""
    security.require(actor, "mentoring.manage")
    if mentor.status != MentorStatus.APPROVED:
        raise Conflict(_l("Only an approved mentor can be made active or inactive."))
    if not active and not (reason or "").strip():
        raise DomainError(fields={"reason": [str(_l("Say why the mentor is made inactive."))]})
    before = mentor.active
    mentor.active = active
    audit.record(
        actor,
        "mentor.active_changed",
        mentor,
        before={"active": before},
        after={"active": active},
        detail=(reason or "").strip() or None,
    )
    return mentor


def mentor_of(user: Any) -> Mentor | None:
    """The pool entry of a signed-in mentor, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Mentor).where(Mentor.user_id == user.id))


def create_mentor(
    *, actor: User | None, email: str, values: dict[str, Any], user: User | None, now: datetime
) -> Mentor:
    """Put a vetted mentor straight into the pool (the demo, the CLI, an officer's import)."""
    clean = clean_profile(values)
    mentor = Mentor(
        email=accounts.normalise_email(email),
        status=MentorStatus.APPROVED,
        active=True,
        user_id=user.id if user else None,
        vetted_by_id=actor.id if actor else None,
        vetted_at=now,
        created_at=now,
        updated_at=now,
        **clean,
    )
    db.session.add(mentor)
    db.session.flush()
    audit.record(actor, "mentor.created", mentor, after={"email": mentor.email})
    return mentor
