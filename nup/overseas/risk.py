"""Pure at-risk detection for a support plan: overdue milestones, missing or returned reports,
overspending and reclaim grounds (plain values in, reasons out)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from nup.overseas.kpis import Period

# A returned report left uncorrected this long counts against the firm.
RETURNED_GRACE = timedelta(days=14)


@dataclass(frozen=True)
class MilestoneFact:
    title: str
    due_on: date
    status: str


@dataclass(frozen=True)
class ReportFact:
    period_start: date
    status: str
    decided_on: date | None = None


@dataclass(frozen=True)
class RiskReason:
    code: str  # milestone_overdue, report_missing, report_returned, overspent, reclaim, check_failed
    detail: str
    since: date | None = None


def overdue_milestones(milestones: Iterable[MilestoneFact], today: date) -> list[MilestoneFact]:
    """Milestones past their due date with nothing submitted (submitted ones wait for the officer)."""
    return [m for m in milestones if m.status == "planned" and m.due_on < today]


def missing_reports(
    periods: Sequence[Period], reports: Iterable[ReportFact], *, today: date, due_days: int
) -> list[Period]:
    """Periods whose report is past due and was never filed."""
    filed = {r.period_start for r in reports}
    return [p for p in periods if p.due_on(due_days) < today and p.start not in filed]


def assess(
    *,
    today: date,
    milestones: Iterable[MilestoneFact] = (),
    periods: Sequence[Period] = (),
    reports: Iterable[ReportFact] = (),
    due_days: int = 10,
    budget_won: int = 0,
    spent_won: int = 0,
    reclaim_grounds: Iterable[str] = (),
    failed_checks: Iterable[str] = (),
) -> list[RiskReason]:
    """Every reason a plan is at risk today; an empty list means it is on track."""
    reports = list(reports)
    reasons = [
        RiskReason("milestone_overdue", m.title, m.due_on)
        for m in sorted(overdue_milestones(milestones, today), key=lambda m: m.due_on)
    ]
    reasons += [
        RiskReason("report_missing", p.label, p.due_on(due_days))
        for p in missing_reports(periods, reports, today=today, due_days=due_days)
    ]
    reasons += [
        RiskReason("report_returned", r.period_start.isoformat()[:7], r.decided_on)
        for r in reports
        if r.status == "returned" and r.decided_on is not None and today - r.decided_on > RETURNED_GRACE
    ]
    if budget_won and spent_won > budget_won:
        reasons.append(RiskReason("overspent", f"{spent_won - budget_won:,}"))
    reasons += [RiskReason("reclaim", ground) for ground in sorted(set(reclaim_grounds))]
    reasons += [RiskReason("check_failed", kind) for kind in failed_checks]
    return reasons
