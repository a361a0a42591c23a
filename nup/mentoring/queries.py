"""Reads for mentoring pages, the API, workers and reports: hours used, pages' lists, approvals due."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import selectinload

from nup import security
from nup.applications.models import Application
from nup.applications.queries import visible_applications
from nup.extensions import db
from nup.mentoring import accounting
from nup.mentoring.models import (
    MatchStatus,
    Mentor,
    MentoringNeed,
    MentoringSession,
    MentorMatch,
    MentorStatus,
    SessionRating,
    SessionStatus,
)
from nup.timeutil import KST, to_kst

DEFAULT_HOUR_CAP = 40.0
DEFAULT_BUDGET_WON = 10_000_000
PENDING = (SessionStatus.SCHEDULED, SessionStatus.LOGGED, SessionStatus.CONFIRMED, SessionStatus.DISPUTED)


@dataclass(frozen=True)
class Usage:
    hour_cap: float
    budget_won: int
    approved_hours: float
    approved_won: int
    pending_hours: float  # booked or logged, not yet approved
    pending_won: int  # at the fees agreed when booked

    @property
    def committed_hours(self) -> float:
        return self.approved_hours + self.pending_hours

    @property
    def committed_won(self) -> int:
        return self.approved_won + self.pending_won

    @property
    def share(self) -> float:
        return self.approved_hours / self.hour_cap if self.hour_cap else 0.0


def _minutes(session: MentoringSession) -> int:
    return session.logged_minutes or session.scheduled_minutes


def usage_of(application_id: int, *, ignore_id: int | None = None) -> Usage:
    """The startup's allowance and what approved and pending sessions take of it."""
    need = db.session.scalar(select(MentoringNeed).where(MentoringNeed.application_id == application_id))
    rows = db.session.execute(
        select(MentoringSession, MentoringSession.fee_per_hour).where(
            MentoringSession.application_id == application_id,
            MentoringSession.status.in_((*PENDING, SessionStatus.APPROVED)),
            MentoringSession.id != (ignore_id or 0),
        )
    ).all()
    approved_h = sum(s.approved_hours or 0.0 for s, _fee in rows if s.status == SessionStatus.APPROVED)
    approved_w = sum(s.fee_won or 0 for s, _fee in rows if s.status == SessionStatus.APPROVED)
    pending = [(s, fee) for s, fee in rows if s.status != SessionStatus.APPROVED]
    pending_h = sum(_minutes(s) / 60 for s, _fee in pending)
    pending_w = sum(accounting.session_fee(_minutes(s) / 60, fee) for s, fee in pending)
    return Usage(
        hour_cap=need.hour_cap if need else DEFAULT_HOUR_CAP,
        budget_won=need.budget_won if need else DEFAULT_BUDGET_WON,
        approved_hours=round(approved_h, 4),
        approved_won=approved_w,
        pending_hours=round(pending_h, 4),
        pending_won=pending_w,
    )


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The KST calendar month holding `moment`, as UTC-comparable aware datetimes."""
    local = to_kst(moment)
    start = datetime(local.year, local.month, 1, tzinfo=KST)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=KST)
    return start, end


def minutes_in_month(
    mentor_id: int, moment: datetime, *, approved_only: bool = False, ignore_id: int | None = None
) -> int:
    """Minutes of the mentor's sessions in the KST month of `moment`: booked to approved, or approved only."""
    start, end = month_bounds(moment)
    statuses = (SessionStatus.APPROVED,) if approved_only else (*PENDING, SessionStatus.APPROVED)
    sessions = db.session.scalars(
        select(MentoringSession).where(
            MentoringSession.mentor_id == mentor_id,
            MentoringSession.status.in_(statuses),
            MentoringSession.starts_at >= start,
            MentoringSession.starts_at < end,
            MentoringSession.id != (ignore_id or 0),
        )
    )
    return sum(_minutes(s) for s in sessions)


def approved_hours_by_application(application_ids: list[int] | None = None) -> dict[int, float]:
    """Approved mentoring hours per application id (for reports linking support to outcomes)."""
    query = (
        select(MentoringSession.application_id, func.sum(MentoringSession.approved_hours))
        .where(MentoringSession.status == SessionStatus.APPROVED)
        .group_by(MentoringSession.application_id)
    )
    if application_ids is not None:
        query = query.where(MentoringSession.application_id.in_(list(application_ids)))
    return {application_id: float(hours or 0.0) for application_id, hours in db.session.execute(query)}


def sessions_of(
    *, actor, mentor_id: int | None = None, application_id: int | None = None, statuses=None
) -> list[MentoringSession]:
    """The sessions `actor` may see, narrowed by mentor, startup and status, newest first."""
    # Lists show each session's startup and mentor: load them with the sessions, not one by one.
    query = visible_sessions(actor).options(
        selectinload(MentoringSession.application), selectinload(MentoringSession.mentor)
    )
    if mentor_id is not None:
        query = query.where(MentoringSession.mentor_id == mentor_id)
    if application_id is not None:
        query = query.where(MentoringSession.application_id == application_id)
    if statuses is not None:
        query = query.where(MentoringSession.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(MentoringSession.starts_at.desc())))


def matches_of(
    *, actor, mentor_id: int | None = None, application_id: int | None = None, statuses=None
) -> list[MentorMatch]:
    """The matches `actor` may see, narrowed by mentor, startup and status, newest first."""
    query = visible_matches(actor).options(selectinload(MentorMatch.application), selectinload(MentorMatch.mentor))
    if mentor_id is not None:
        query = query.where(MentorMatch.mentor_id == mentor_id)
    if application_id is not None:
        query = query.where(MentorMatch.application_id == application_id)
    if statuses is not None:
        query = query.where(MentorMatch.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(MentorMatch.proposed_at.desc())))


def ratings_given(session_ids: list[int]) -> dict[tuple[int, str], SessionRating]:
    if not session_ids:
        return {}
    rows = db.session.scalars(select(SessionRating).where(SessionRating.session_id.in_(session_ids)))
    return {(r.session_id, r.rater_role): r for r in rows}


def approvals_due() -> list[MentoringSession]:
    """Logs the startup has confirmed, oldest first: what officers approve next."""
    return list(
        db.session.scalars(
            select(MentoringSession)
            .options(selectinload(MentoringSession.application), selectinload(MentoringSession.mentor))
            .where(MentoringSession.status == SessionStatus.CONFIRMED)
            .order_by(MentoringSession.confirmed_at)
        )
    )


def pool_page(*, status: str | None, page: int, per_page: int = 25):
    """Mentors of one status (or all), newest first, with the total."""
    query = select(Mentor)
    if status:
        query = query.where(Mentor.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Mentor.status != MentorStatus.APPLIED, Mentor.created_at.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total


def cohort_overview(application_ids: list[int]) -> dict[int, dict]:
    """Per selected startup: live matches (mentor names, statuses) and hours used, in three queries."""
    matches: dict[int, list[MentorMatch]] = defaultdict(list)
    if application_ids:
        for match in db.session.scalars(
            select(MentorMatch)
            .options(selectinload(MentorMatch.mentor))
            .where(MentorMatch.application_id.in_(application_ids), MentorMatch.status != MatchStatus.DECLINED)
            .order_by(MentorMatch.proposed_at)
        ):
            matches[match.application_id].append(match)
    hours = approved_hours_by_application(application_ids)
    needs = (
        {
            n.application_id: n
            for n in db.session.scalars(select(MentoringNeed).where(MentoringNeed.application_id.in_(application_ids)))
        }
        if application_ids
        else {}
    )
    return {
        a: {"matches": matches.get(a, []), "hours": hours.get(a, 0.0), "need": needs.get(a)} for a in application_ids
    }


# ------------------------------------------------------------------------ visibility


def _visible(model, actor) -> Select:
    """Officers see every row; a mentor their own; a founder their own startups'; anyone else none."""
    query = select(model)
    if security.can(actor, "mentoring.manage"):
        return query
    if security.can(actor, "mentor.pages"):
        return query.where(model.mentor_id.in_(select(Mentor.id).where(Mentor.user_id == actor.id)))
    if security.can(actor, "applicant.pages"):
        return query.where(model.application_id.in_(visible_applications(actor).with_only_columns(Application.id)))
    return query.where(false())


def visible_matches(actor) -> Select:
    """A select of the mentor matches `actor` may see (agrees with `can(actor, "match.view", match)`)."""
    return _visible(MentorMatch, actor)


def visible_sessions(actor) -> Select:
    """A select of the mentoring sessions `actor` may see (agrees with `can(actor, "session.view", session)`)."""
    return _visible(MentoringSession, actor)


def match_visible_or_404(actor, match_id: int) -> MentorMatch:
    """The match if `actor` may see it; otherwise NotFound (someone else's is as good as not there)."""
    return db.one_or_404(visible_matches(actor).where(MentorMatch.id == match_id))


def session_visible_or_404(actor, session_id: int) -> MentoringSession:
    """The session if `actor` may see it; otherwise NotFound."""
    return db.one_or_404(visible_sessions(actor).where(MentoringSession.id == session_id))
