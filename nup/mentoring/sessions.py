"""Mentoring sessions: booking, rescheduling and cancelling with notice, invitations and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict, DomainError, NotFound
from nup.extensions import db
from nup.mentoring import accounting
from nup.mentoring.calendar import Invitation, invitation_ics
from nup.mentoring.matches import LIVE_MATCH, need_for
from nup.mentoring.models import (
    MatchStatus,
    Mentor,
    MentoringNeed,
    MentoringSession,
    MentorMatch,
    SessionMode,
    SessionStatus,
)
from nup.mentoring.queries import minutes_in_month, usage_of
from nup.notifications import services as notifications
from nup.timeutil import to_kst

MIN_MINUTES, MAX_MINUTES = 30, 480
NOTICE = timedelta(hours=24)  # changes closer to the start than this are marked late in the mail
REMINDER_AHEAD = timedelta(hours=24)
BOOKED = (SessionStatus.SCHEDULED, SessionStatus.LOGGED, SessionStatus.CONFIRMED, SessionStatus.DISPUTED)


class SessionRefused(Conflict):
    code = "session_refused"


def _clean_slot(values: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Check a proposed time, length and place; raise DomainError naming every bad field."""
    errors: dict[str, list[str]] = {}
    starts_at = values.get("starts_at")
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        errors["starts_at"] = [str(_l("Enter the date and time (KST)."))]
    elif starts_at <= now:
        errors["starts_at"] = [
            str(
                _l(
                    "A session cannot be booked in the past (it is now %(now)s KST).",
                    now=to_kst(now).strftime("%Y-%m-%d %H:%M"),
                )
            )
        ]
    try:
        minutes = int(values.get("minutes"))
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ValueError
    except (TypeError, ValueError):
        errors["minutes"] = [
            str(_l("A session lasts from %(low)d to %(high)d minutes.", low=MIN_MINUTES, high=MAX_MINUTES))
        ]
        minutes = 0
    mode = values.get("mode") or SessionMode.ONLINE
    if mode not in {m.value for m in SessionMode}:
        errors["mode"] = [str(_l("Choose online or in person."))]
    location = str(values.get("location") or "").strip()[:500]
    if mode == SessionMode.IN_PERSON and not location:
        errors["location"] = [str(_l("Say where the session takes place."))]
    if mode == SessionMode.ONLINE and location and not location.startswith(("https://", "http://")):
        errors["location"] = [str(_l("An online session's link starts with https://."))]
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked fields."), fields=errors)
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "mode": mode,
        "location": location,
        "agenda": str(values.get("agenda") or "").strip()[:4000],
    }


def lock_allowance(application, mentor_id: int, *, now: datetime) -> None:
    """Lock the startup's allowance and the mentor's row until commit (PostgreSQL: SELECT ... FOR UPDATE).

    Two bookings or approvals at the same moment would each see the other's hours as free;
    with the rows locked, the second waits and then counts the first.
    """
    need = need_for(application, now=now)
    db.session.execute(select(MentoringNeed.id).where(MentoringNeed.id == need.id).with_for_update())
    db.session.execute(select(Mentor.id).where(Mentor.id == mentor_id).with_for_update())
    db.session.expire(need)


def _check_fits(match: MentorMatch, slot: dict[str, Any], *, ignore_id: int | None = None) -> None:
    """Refuse overlaps (the mentor's or the startup's), the mentor's monthly capacity and the startup's cap."""
    clashes = db.session.scalars(
        select(MentoringSession).where(
            (MentoringSession.mentor_id == match.mentor_id) | (MentoringSession.application_id == match.application_id),
            MentoringSession.status.in_((*BOOKED, SessionStatus.APPROVED)),
            MentoringSession.starts_at < slot["ends_at"],
            MentoringSession.ends_at > slot["starts_at"],
            MentoringSession.id != (ignore_id or 0),
        )
    ).all()
    for other in clashes:
        if not accounting.overlaps(slot["starts_at"], slot["ends_at"], other.starts_at, other.ends_at):
            continue
        if other.application_id != match.application_id and other.mentor_id == match.mentor_id:
            # Another startup's session: say the mentor is busy, not when or with whom.
            raise SessionRefused(_l("The mentor is already booked at this time; choose another time."))
        if other.mentor_id != match.mentor_id:
            raise SessionRefused(_l("The startup already has another mentoring session at this time."))
        raise SessionRefused(
            _l(
                "This time overlaps your other session with this mentor (%(start)s–%(end)s KST).",
                start=to_kst(other.starts_at).strftime("%Y-%m-%d %H:%M"),
                end=to_kst(other.ends_at).strftime("%H:%M"),
            )
        )
    minutes = int((slot["ends_at"] - slot["starts_at"]).total_seconds() // 60)
    month_minutes = minutes_in_month(match.mentor_id, slot["starts_at"], ignore_id=ignore_id)
    capacity = match.mentor.monthly_capacity_hours * 60
    if month_minutes + minutes > capacity:
        raise SessionRefused(
            _l(
                "The mentor's capacity that month is %(cap)d hours and %(used)s are booked.",
                cap=match.mentor.monthly_capacity_hours,
                used=f"{month_minutes / 60:g}",
            )
        )
    usage = usage_of(match.application_id, ignore_id=ignore_id)
    budget = accounting.Budget(usage.hour_cap, usage.budget_won, usage.committed_hours, usage.committed_won)
    # A moved session keeps the fee agreed when it was booked.
    fee = match.mentor.fee_per_hour if ignore_id is None else db.session.get(MentoringSession, ignore_id).fee_per_hour
    try:
        accounting.check_session(budget, hours=minutes / 60, fee_per_hour=fee)
    except accounting.AccountingError as error:
        raise SessionRefused(_refusal(error, usage)) from error


def _refusal(error: accounting.AccountingError, usage) -> str:
    if error.code == "over_hours":
        return str(
            _l(
                "This session would pass the startup's mentoring cap: %(left)s of %(cap)s hours remain "
                "(approved and booked sessions count).",
                left=f"{max(usage.hour_cap - usage.committed_hours, 0):g}",
                cap=f"{usage.hour_cap:g}",
            )
        )
    if error.code == "over_budget":
        return str(
            _l(
                "This session would pass the startup's mentoring budget: %(left)s won of %(budget)s won remain.",
                left=f"{max(usage.budget_won - usage.committed_won, 0):,}",
                budget=f"{usage.budget_won:,}",
            )
        )
    return error.message


def book_session(match: MentorMatch, *, actor: User, values: dict[str, Any], now: datetime) -> MentoringSession:
    """Book a session on an accepted match (the startup or its mentor); both get an invitation with an .ics.

    Refused in the past, overlapping either side's sessions, beyond the mentor's monthly
    capacity, or beyond the startup's hour cap or budget (booked sessions count until cancelled).
    """
    security.require(actor, "session.book", match)
    if match.status != MatchStatus.ACCEPTED:
        raise Conflict(_l("Sessions can be booked once the mentor has accepted the match."))
    slot = _clean_slot(values, now=now)
    lock_allowance(match.application, match.mentor_id, now=now)
    _check_fits(match, slot)
    session = MentoringSession(
        match_id=match.id,
        application_id=match.application_id,
        mentor_id=match.mentor_id,
        status=SessionStatus.SCHEDULED,
        requested_by_id=actor.id,
        created_at=now,
        fee_per_hour=match.mentor.fee_per_hour,
        **slot,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "mentoring_session.booked", session, after=_snapshot(session))
    _invite(session, kind="mentoring_session_booked", now=now)
    return session


def reschedule_session(
    session: MentoringSession, *, actor: User, values: dict[str, Any], reason: str, now: datetime
) -> MentoringSession:
    """Move a scheduled session (either side or an officer); both get an updated invitation."""
    security.require(actor, "session.change", session)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_l("Only a scheduled session can be moved."))
    if session.match.status != MatchStatus.ACCEPTED:
        raise Conflict(_l("This match has ended; its sessions can no longer be moved."))
    _refuse_after_start(session, actor, now)
    if not (reason or "").strip():
        raise DomainError(fields={"reason": [str(_l("Say why the session moves."))]})
    slot = _clean_slot(values, now=now)
    lock_allowance(session.application, session.mentor_id, now=now)
    _check_fits(session.match, slot, ignore_id=session.id)
    before = _snapshot(session)
    late = session.starts_at - now < NOTICE
    for field, value in slot.items():
        setattr(session, field, value)
    session.sequence += 1
    session.reminded_at = None
    audit.record(
        actor, "mentoring_session.rescheduled", session, before=before, after=_snapshot(session), detail=reason.strip()
    )
    _invite(session, kind="mentoring_session_changed", now=now, reason=reason.strip(), late=late)
    return session


def cancel_session(session: MentoringSession, *, actor: User, reason: str, now: datetime) -> MentoringSession:
    """Cancel a scheduled session with a reason; both get a cancellation that removes it from calendars."""
    security.require(actor, "session.change", session)
    if session.status == SessionStatus.CANCELLED:
        return session
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_l("A session with a log cannot be cancelled."))
    _refuse_after_start(session, actor, now)
    if not (reason or "").strip():
        raise DomainError(fields={"reason": [str(_l("Say why the session is cancelled."))]})
    late = session.starts_at - now < NOTICE
    session.status = SessionStatus.CANCELLED
    session.cancelled_at, session.cancelled_by_id = now, actor.id
    session.cancel_reason = reason.strip()[:2000]
    session.sequence += 1
    audit.record(actor, "mentoring_session.cancelled", session, after={"reason": session.cancel_reason, "late": late})
    _invite(session, kind="mentoring_session_cancelled", now=now, reason=session.cancel_reason, late=late)
    return session


def _refuse_after_start(session: MentoringSession, actor: User, now: datetime) -> None:
    """Once a session has started only an officer may move or cancel it: the mentor's log is due instead."""
    if session.starts_at <= now and not security.can(actor, "mentoring.manage"):
        raise Conflict(_l("This session has already started; ask the programme office to change it."))


def cancel_future_sessions(match: MentorMatch, *, actor: User, reason: str, now: datetime) -> int:
    """Cancel the match's sessions still to come (with cancellations to both sides); return how many."""
    upcoming = db.session.scalars(
        select(MentoringSession).where(
            MentoringSession.match_id == match.id,
            MentoringSession.status == SessionStatus.SCHEDULED,
            MentoringSession.starts_at > now,
        )
    ).all()
    for session in upcoming:
        cancel_session(session, actor=actor, reason=reason, now=now)
    return len(upcoming)


def end_match(match: MentorMatch, *, actor: User, reason: str, now: datetime) -> MentorMatch:
    """End a live match (officers): sessions still to come are cancelled; past sessions, logs and hours stay."""
    security.require(actor, "mentoring.manage")
    if match.status not in LIVE_MATCH:
        raise Conflict(_l("This match has already ended."))
    if not (reason or "").strip():
        raise DomainError(fields={"reason": [str(_l("Say why the match ends."))]})
    before = match.status
    match.status, match.response_note = MatchStatus.ENDED, reason.strip()[:2000]
    cancel_future_sessions(match, actor=actor, reason=reason.strip(), now=now)
    audit.record(
        actor,
        "mentor_match.ended",
        match,
        before={"status": before},
        after={"status": match.status},
        detail=reason.strip(),
    )
    return match


def send_due_reminders(*, now: datetime) -> int:
    """Queue the 24-hour reminder for each scheduled session starting within a day; once per time slot."""
    due = db.session.scalars(
        select(MentoringSession)
        .where(
            MentoringSession.status == SessionStatus.SCHEDULED,
            MentoringSession.reminded_at.is_(None),
            MentoringSession.starts_at > now,
            MentoringSession.starts_at <= now + REMINDER_AHEAD,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for session in due:
        session.reminded_at = now
        for person in _people(session):
            notifications.queue(
                "mentoring_session_reminder",
                to=person,
                key=f"session-{session.id}-{session.sequence}-reminder",
                context=_context(session, person),
                priority=True,
            )
    return len(due)


def get_session(session_id: int) -> MentoringSession:
    session = db.session.get(MentoringSession, session_id)
    if session is None:
        raise NotFound()
    return session


def _snapshot(session: MentoringSession) -> dict[str, Any]:
    return {
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "mode": session.mode,
        "location": session.location,
    }


def _people(session: MentoringSession) -> list[User]:
    people = [db.session.get(User, session.application.user_id)]
    if session.mentor.user_id:
        people.append(db.session.get(User, session.mentor.user_id))
    return [person for person in people if person is not None]


def _context(session: MentoringSession, person: User, **extra: Any) -> dict[str, Any]:
    start = to_kst(session.starts_at)
    return {
        "name": person.name,
        "mentor": session.mentor.name,
        "company": session.application.company_name,
        "starts": start.strftime("%Y-%m-%d %H:%M"),
        "ends": to_kst(session.ends_at).strftime("%H:%M"),
        "mode": session.mode,
        "location": session.location,
        "agenda": session.agenda,
        "session_id": session.id,
        "for_mentor": person.role == "mentor",
        **extra,
    }


def session_ics(session: MentoringSession, *, now: datetime) -> str:
    """The session as an .ics file for both people (one UID across changes; SEQUENCE grows with each)."""
    return invitation_ics(
        Invitation(
            uid=f"mentoring-session-{session.id}@nup.mss.go.kr",
            sequence=session.sequence,
            # In UTC: a TZID would need a VTIMEZONE block that strict calendar clients insist on.
            starts_at=session.starts_at.astimezone(UTC),
            ends_at=session.ends_at.astimezone(UTC),
            summary=f"N-Up 멘토링 · {session.mentor.name} × {session.application.company_name}",
            description=session.agenda or "N-Up mentoring session",
            location=session.location,
            organiser=parseaddr(current_app.config["MAIL_FROM"])[1] or "no-reply@nup.example.kr",
            attendees=tuple((person.name, person.email) for person in _people(session)),
            cancelled=session.status == SessionStatus.CANCELLED,
        ),
        stamp=now,
    )


def _invite(session: MentoringSession, *, kind: str, now: datetime, **extra: Any) -> None:
    """Queue the mail with its .ics to the founder and the mentor."""
    people = _people(session)
    ics = session_ics(session, now=now)
    attachment = {
        "filename": f"mentoring-{session.id}.ics",
        "content_type": "text/calendar",
        "content": ics,
        "method": "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST",
    }
    for person in people:
        notifications.queue(
            kind,
            to=person,
            key=f"session-{session.id}-{session.sequence}",
            context=_context(session, person, **extra),
            attachments=[attachment],
            essential=True,
        )
