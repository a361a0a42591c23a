"""The daily overseas-support run: refresh at-risk flags, remind founders of KPI reports and overdue milestones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.notifications import services as notifications
from nup.overseas import kpis
from nup.overseas.models import KpiReport, Milestone, MilestoneStatus, PlanStatus, SupportPlan
from nup.overseas.riskcheck import refresh_risk
from nup.timeutil import to_kst

BEFORE_DAYS = 3  # the first reminder, this many days before a report is due
SECOND_OVERDUE_DAYS = 7  # a second reminder a week after the due date


def refresh_all_risks(*, now: datetime) -> int:
    """Recompute every active plan's at-risk flag (time alone makes milestones and reports late); count at risk."""
    today = to_kst(now).date()
    plans = db.session.scalars(select(SupportPlan).where(SupportPlan.status == PlanStatus.ACTIVE)).all()
    return sum(refresh_risk(plan, today=today) for plan in plans)


def queue_overseas_reminders(*, now: datetime) -> int:
    """Queue the reminders due today; idempotent (each reminder has its own key), so a second run adds nothing.

    A report: 3 days before its due date, the day after it, and a week after it while it is missing.
    A milestone: once, when it passes its due date with nothing submitted.
    """
    today = to_kst(now).date()
    plans = db.session.scalars(select(SupportPlan).where(SupportPlan.status == PlanStatus.ACTIVE)).all()
    if not plans:
        return 0
    ids = [p.id for p in plans]
    filed = set(
        db.session.execute(select(KpiReport.plan_id, KpiReport.period_start).where(KpiReport.plan_id.in_(ids))).tuples()
    )
    founders = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_({p.user_id for p in plans}), User.active))
    }
    overdue = db.session.scalars(
        select(Milestone).where(
            Milestone.plan_id.in_(ids), Milestone.status == MilestoneStatus.PLANNED, Milestone.due_on < today
        )
    ).all()
    queued = 0

    def send(kind: str, founder: User, key: str, context: dict, call_id: int) -> None:
        nonlocal queued
        row = notifications.queue(kind, to=founder, key=key, call_id=call_id, context={"name": founder.name, **context})
        queued += bool(row is not None and getattr(row, "created_now", False))

    for plan in plans:
        founder = founders.get(plan.user_id)
        if founder is None:
            continue
        for period in kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency):
            if (plan.id, period.start) in filed or period.end >= today:
                continue
            due = period.due_on(plan.report_due_days)
            context = {"period": period.label, "due": due.isoformat(), "plan_id": plan.id}
            days_left = (due - today).days
            if 0 <= days_left <= BEFORE_DAYS:
                send("overseas_report_due", founder, f"plan-{plan.id}-{period.label}", context, plan.call_id)
            elif days_left < 0:
                stage = 1 if -days_left < SECOND_OVERDUE_DAYS else 2
                send(
                    "overseas_report_overdue", founder, f"plan-{plan.id}-{period.label}-{stage}", context, plan.call_id
                )
    by_plan = {p.id: p for p in plans}
    for milestone in overdue:
        plan = by_plan[milestone.plan_id]
        founder = founders.get(plan.user_id)
        if founder is not None:
            send(
                "overseas_milestone_overdue",
                founder,
                f"milestone-{milestone.id}-{milestone.due_on}",
                {"title": milestone.title, "due": milestone.due_on.isoformat(), "plan_id": plan.id},
                plan.call_id,
            )
    db.session.flush()
    return queued
