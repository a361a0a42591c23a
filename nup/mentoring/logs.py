"""Mentoring logs (멘토링 일지): the mentor files, the startup confirms, the officer approves; ratings both ways."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db, savepoint
from nup.mentoring import accounting
from nup.mentoring.models import MentoringSession, SessionRating, SessionStatus
from nup.mentoring.queries import minutes_in_month, usage_of
from nup.mentoring.sessions import SessionRefused, lock_allowance
from nup.notifications import services as notifications


class StaleLog(Conflict):
    code = "stale"
    default_message = _l("This log changed in another window; reload it and try again. Nothing was saved.")


def _flush(session: MentoringSession) -> MentoringSession:
    """Write now, so two windows changing one log at once end in StaleLog (409), not a server error."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StaleLog() from error
    return session


def _ask_mentor_to_correct(session: MentoringSession, *, note: str, by_officer: bool) -> None:
    """Email the mentor that the log came back (from the startup or the office) and what to correct."""
    if not session.mentor.user_id:
        return
    mentor_user = db.session.get(User, session.mentor.user_id)
    notifications.queue(
        "mentoring_log_returned",
        to=mentor_user,
        key=f"log-{session.id}-{session.version}-{'returned' if by_officer else 'disputed'}",
        context={
            "name": mentor_user.name,
            "company": session.application.company_name,
            "note": note,
            "by_officer": by_officer,
            "session_id": session.id,
        },
    )


def _check_version(session: MentoringSession, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != session.version:
        raise StaleLog()


def file_log(
    session: MentoringSession,
    *,
    actor: User,
    values: dict[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> MentoringSession:
    """The mentor records what happened (topic, advice, follow-up, minutes); the startup is asked to confirm.

    Refused before the session has ended, for an empty topic or advice, and for a duration
    of zero or longer than the session. A log the startup disputed can be filed again.
    """
    security.require(actor, "log.file", session)
    _check_version(session, expected_version)
    if session.status not in (SessionStatus.SCHEDULED, SessionStatus.LOGGED, SessionStatus.DISPUTED):
        raise Conflict(_l("This log can no longer be changed."))
    if session.ends_at > now:
        raise Conflict(_l("The log can be filed once the session has ended."))
    errors: dict[str, list[str]] = {}
    topic = str(values.get("topic") or "").strip()
    advice = str(values.get("advice") or "").strip()
    if not topic:
        errors["topic"] = [str(_l("Enter the topic of the session."))]
    if not advice:
        errors["advice"] = [str(_l("Enter the advice given."))]
    try:
        minutes = int(values.get("minutes"))
        accounting.check_log_duration(session.scheduled_minutes, minutes)
    except accounting.AccountingError:
        errors["minutes"] = [
            str(
                _l(
                    "The log can record from 1 to %(max)d minutes: the session was scheduled for %(max)d.",
                    max=session.scheduled_minutes,
                )
            )
        ]
    except (TypeError, ValueError):
        errors["minutes"] = [str(_l("Enter the duration in whole minutes."))]
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked fields."), fields=errors)
    before = {"status": session.status, "minutes": session.logged_minutes}
    session.topic, session.advice = topic[:300], advice[:8000]
    session.follow_up = str(values.get("follow_up") or "").strip()[:8000]
    session.logged_minutes, session.logged_at = minutes, now
    session.status = SessionStatus.LOGGED
    audit.record(
        actor,
        "mentoring_log.filed",
        session,
        before=before,
        after={"status": session.status, "minutes": minutes, "topic": session.topic},
    )
    founder = db.session.get(User, session.application.user_id)
    notifications.queue(
        "mentoring_log_filed",
        to=founder,
        key=f"log-{session.id}-{session.version}",
        context={
            "name": founder.name,
            "mentor": session.mentor.name,
            "topic": session.topic,
            "minutes": minutes,
            "session_id": session.id,
        },
    )
    return _flush(session)


def confirm_log(
    session: MentoringSession,
    *,
    actor: User,
    agree: bool,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> MentoringSession:
    """The startup confirms the mentor's log, or disputes it with a note (the mentor corrects and files again)."""
    security.require(actor, "log.confirm", session)
    _check_version(session, expected_version)
    if session.status == (SessionStatus.CONFIRMED if agree else SessionStatus.DISPUTED):
        return session  # the same answer twice
    if session.status != SessionStatus.LOGGED:
        raise Conflict(_l("There is no filed log waiting for your confirmation."))
    note = (note or "").strip()
    if not agree and not note:
        raise DomainError(fields={"note": [str(_l("Say what is wrong in the log."))]})
    session.status = SessionStatus.CONFIRMED if agree else SessionStatus.DISPUTED
    session.confirmed_at = now if agree else None
    session.dispute_note = "" if agree else note[:2000]
    audit.record(
        actor,
        "mentoring_log.confirmed" if agree else "mentoring_log.disputed",
        session,
        after={"status": session.status, "note": note},
    )
    if not agree:
        _ask_mentor_to_correct(session, note=note, by_officer=False)
    return _flush(session)


def approve_log(
    session: MentoringSession,
    *,
    actor: User,
    approve: bool,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> MentoringSession:
    """An officer approves a confirmed log (its hours and fee then count) or returns it to the mentor.

    Approval is refused, with the reason, when the hours would pass the startup's cap or
    budget, or the mentor's monthly capacity; the fee is the one in force when the session was booked.
    """
    security.require(actor, "log.approve", session)
    _check_version(session, expected_version)
    if approve and session.status == SessionStatus.APPROVED:
        return session
    if session.status != SessionStatus.CONFIRMED:
        raise Conflict(_l("Only a log the startup has confirmed can be approved or returned."))
    note = (note or "").strip()
    if not approve:
        if not note:
            raise DomainError(fields={"note": [str(_l("Say what the mentor must correct."))]})
        session.status, session.dispute_note, session.confirmed_at = SessionStatus.DISPUTED, note[:2000], None
        audit.record(actor, "mentoring_log.returned", session, after={"note": note})
        _ask_mentor_to_correct(session, note=note, by_officer=True)
        return session
    hours = session.logged_minutes / 60
    lock_allowance(session.application, session.mentor_id, now=now)
    usage = usage_of(session.application_id)
    budget = accounting.Budget(usage.hour_cap, usage.budget_won, usage.approved_hours, usage.approved_won)
    try:
        accounting.check_session(budget, hours=hours, fee_per_hour=session.fee_per_hour)
    except accounting.AccountingError as error:
        left_h = max(usage.hour_cap - usage.approved_hours, 0)
        left_w = max(usage.budget_won - usage.approved_won, 0)
        message = (
            _l(
                "Approving %(hours)s hours would pass the startup's cap: %(left)s of %(cap)s hours remain.",
                hours=f"{hours:g}",
                left=f"{left_h:g}",
                cap=f"{usage.hour_cap:g}",
            )
            if error.code == "over_hours"
            else _l(
                "Approving this fee would pass the startup's budget: %(left)s won of %(budget)s won remain.",
                left=f"{left_w:,}",
                budget=f"{usage.budget_won:,}",
            )
        )
        raise SessionRefused(message) from error
    month = minutes_in_month(session.mentor_id, session.starts_at, approved_only=True)
    if month + session.logged_minutes > session.mentor.monthly_capacity_hours * 60:
        raise SessionRefused(
            _l(
                "Approving this would pass the mentor's capacity of %(cap)d hours that month (%(used)s approved).",
                cap=session.mentor.monthly_capacity_hours,
                used=f"{month / 60:g}",
            )
        )
    session.status = SessionStatus.APPROVED
    session.approved_at, session.approved_by_id = now, actor.id
    session.approved_hours = round(hours, 4)
    session.fee_won = accounting.session_fee(hours, session.fee_per_hour)
    audit.record(
        actor, "mentoring_log.approved", session, after={"hours": session.approved_hours, "fee_won": session.fee_won}
    )
    return _flush(session)


def rate_session(session: MentoringSession, *, actor: User, stars: Any, comment: str, now: datetime) -> SessionRating:
    """Rate a session once from each side (1–5): the startup rates the mentor, the mentor the startup."""
    security.require(actor, "session.rate", session)
    if session.status in (SessionStatus.SCHEDULED, SessionStatus.CANCELLED):
        raise Conflict(_l("A session can be rated once its log is filed."))
    try:
        stars = int(stars)
        if not 1 <= stars <= 5:
            raise ValueError
    except (TypeError, ValueError):
        raise DomainError(fields={"stars": [str(_l("Choose from 1 to 5 stars."))]}) from None
    role = "mentor" if actor.role == "mentor" else "startup"
    if db.session.scalar(
        select(SessionRating.id).where(SessionRating.session_id == session.id, SessionRating.rater_role == role)
    ):
        raise Conflict(_l("You have already rated this session."))
    rating = SessionRating(
        session_id=session.id,
        mentor_id=session.mentor_id,
        rater_role=role,
        stars=stars,
        comment=(comment or "").strip()[:2000],
        rated_at=now,
    )
    try:
        with savepoint():
            db.session.add(rating)
    except IntegrityError:
        raise Conflict(_l("You have already rated this session.")) from None
    audit.record(actor, "mentoring_session.rated", session, after={"role": role, "stars": stars})
    return rating
