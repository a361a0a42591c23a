"""Money and hours for officers: monthly fee statements, hours against caps, the yearly mentor review."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nup.applications.models import Application
from nup.extensions import db
from nup.mentoring.models import Mentor, MentoringNeed, MentoringSession, SessionRating, SessionStatus
from nup.mentoring.queries import DEFAULT_BUDGET_WON, DEFAULT_HOUR_CAP, month_bounds
from nup.mentoring.review import MentorYear, ReviewRow, review_year
from nup.reviews.cohort import selected_query
from nup.timeutil import KST


@dataclass(frozen=True)
class StatementLine:
    key: int  # mentor id or application id
    name: str
    sessions: int
    hours: float
    fee_won: int


@dataclass(frozen=True)
class MonthlyStatement:
    month: date
    sessions: list[MentoringSession]  # approved, held in the month (KST), by start
    by_mentor: list[StatementLine]
    by_startup: list[StatementLine]

    @property
    def total_won(self) -> int:
        return sum(line.fee_won for line in self.by_mentor)

    @property
    def total_hours(self) -> float:
        return round(sum(line.hours for line in self.by_mentor), 4)


def _lines(sessions: list[MentoringSession], key, name) -> list[StatementLine]:
    groups: dict[int, list[MentoringSession]] = defaultdict(list)
    for session in sessions:
        groups[key(session)].append(session)
    lines = [
        StatementLine(
            k,
            name(group[0]),
            len(group),
            round(sum(s.approved_hours or 0 for s in group), 4),
            sum(s.fee_won or 0 for s in group),
        )
        for k, group in groups.items()
    ]
    return sorted(lines, key=lambda line: (-line.fee_won, line.name))


def monthly_statement(month: date) -> MonthlyStatement:
    """Sessions approved in a KST month (what is paid that month), totalled per mentor and per startup."""
    start, end = month_bounds(datetime(month.year, month.month, 1, 12, tzinfo=KST))
    sessions = list(
        db.session.scalars(
            select(MentoringSession)
            .options(selectinload(MentoringSession.application), selectinload(MentoringSession.mentor))
            .where(
                MentoringSession.status == SessionStatus.APPROVED,
                MentoringSession.approved_at >= start,
                MentoringSession.approved_at < end,
            )
            .order_by(MentoringSession.approved_at)
        )
    )
    return MonthlyStatement(
        month,
        sessions,
        _lines(sessions, lambda s: s.mentor_id, lambda s: s.mentor.name),
        _lines(sessions, lambda s: s.application_id, lambda s: s.application.company_name),
    )


@dataclass(frozen=True)
class CapLine:
    application_id: int
    company: str
    physical_ai: bool
    hour_cap: float
    budget_won: int
    approved_hours: float
    approved_won: int

    @property
    def share(self) -> float:
        return min(self.approved_hours / self.hour_cap, 1.0) if self.hour_cap else 0.0


def hours_against_caps() -> list[CapLine]:
    """Every selected startup's approved hours and won against its cap and budget, in two queries."""
    applications = list(db.session.scalars(selected_query()))
    ids = [a.id for a in applications]
    used = (
        {
            row[0]: (float(row[1] or 0), int(row[2] or 0))
            for row in db.session.execute(
                select(
                    MentoringSession.application_id,
                    func.sum(MentoringSession.approved_hours),
                    func.sum(MentoringSession.fee_won),
                )
                .where(MentoringSession.status == SessionStatus.APPROVED, MentoringSession.application_id.in_(ids))
                .group_by(MentoringSession.application_id)
            )
        }
        if ids
        else {}
    )
    needs = (
        {
            n.application_id: n
            for n in db.session.scalars(select(MentoringNeed).where(MentoringNeed.application_id.in_(ids)))
        }
        if ids
        else {}
    )
    lines = []
    for application in applications:
        need = needs.get(application.id)
        hours, won = used.get(application.id, (0.0, 0))
        lines.append(
            CapLine(
                application.id,
                application.company_name,
                application.physical_ai,
                need.hour_cap if need else DEFAULT_HOUR_CAP,
                need.budget_won if need else DEFAULT_BUDGET_WON,
                round(hours, 4),
                won,
            )
        )
    return sorted(lines, key=lambda line: (-line.share, line.company))


def yearly_review(year: int, *, progress: dict[int, tuple[int, int]] | None = None) -> list[ReviewRow]:
    """Each approved mentor's year (KST): hours, sessions, startups, their ratings; the bottom 20% flagged.

    `progress` maps an application id to (KPI results in won, new jobs), the startups' progress
    from their accepted overseas reports; the reports module supplies it.
    """
    progress = progress or {}
    start = datetime(year, 1, 1, tzinfo=KST)
    end = datetime(year + 1, 1, 1, tzinfo=KST)
    mentors = list(db.session.scalars(select(Mentor).where(Mentor.status == "approved").order_by(Mentor.id)))
    sessions: dict[int, list[MentoringSession]] = defaultdict(list)
    for session in db.session.scalars(
        select(MentoringSession).where(
            MentoringSession.status == SessionStatus.APPROVED,
            MentoringSession.starts_at >= start,
            MentoringSession.starts_at < end,
        )
    ):
        sessions[session.mentor_id].append(session)
    stars: dict[int, list[int]] = defaultdict(list)
    for mentor_id, value in db.session.execute(
        select(SessionRating.mentor_id, SessionRating.stars)
        .join(MentoringSession, MentoringSession.id == SessionRating.session_id)
        .where(
            SessionRating.rater_role == "startup", MentoringSession.starts_at >= start, MentoringSession.starts_at < end
        )
    ):
        stars[mentor_id].append(value)
    years = [
        MentorYear(
            mentor_id=m.id,
            name=m.name,
            approved_hours=round(sum(s.approved_hours or 0 for s in sessions[m.id]), 2),
            sessions=len(sessions[m.id]),
            startups=len({s.application_id for s in sessions[m.id]}),
            ratings=tuple(stars[m.id]),
            follow_ups=sum(1 for s in sessions[m.id] if s.follow_up.strip()),
            fee_won=sum(s.fee_won or 0 for s in sessions[m.id]),
            startups_outcome_won=sum(progress.get(a, (0, 0))[0] for a in {s.application_id for s in sessions[m.id]}),
            startups_jobs=sum(progress.get(a, (0, 0))[1] for a in {s.application_id for s in sessions[m.id]}),
        )
        for m in mentors
    ]
    return review_year(years)


def startup_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Application.id, Application.company_name).where(Application.id.in_(ids))))
