"""Apply the pure at-risk rules to stored plans, and keep each plan's at-risk flag up to date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nup.extensions import db
from nup.overseas import kpis, risk
from nup.overseas.models import KpiReport, Milestone, PlanCheck, PlanStatus, SupportItem, SupportPlan
from nup.timeutil import to_kst


def assess_plan(plan: SupportPlan, *, today: date) -> list[risk.RiskReason]:
    """Every reason this plan is at risk today (reads its milestones, reports, spend and checks)."""
    if plan.status != PlanStatus.ACTIVE:
        return []
    milestones = db.session.execute(
        select(Milestone.title, Milestone.due_on, Milestone.status).where(Milestone.plan_id == plan.id)
    ).all()
    reports = db.session.execute(
        select(KpiReport.period_start, KpiReport.status, KpiReport.decided_at).where(KpiReport.plan_id == plan.id)
    ).all()
    spent = sum(db.session.scalars(select(SupportItem.spent_won).where(SupportItem.plan_id == plan.id)))
    checks = db.session.execute(
        select(PlanCheck.kind, PlanCheck.result, PlanCheck.reclaim_grounds, PlanCheck.follow_up_status).where(
            PlanCheck.plan_id == plan.id
        )
    ).all()
    return risk.assess(
        today=today,
        milestones=[risk.MilestoneFact(t, d, s) for t, d, s in milestones],
        periods=kpis.periods(plan.starts_on, min(plan.ends_on, today), plan.report_frequency),
        reports=[risk.ReportFact(p, s, to_kst(d).date() if d else None) for p, s, d in reports],
        due_days=plan.report_due_days,
        budget_won=plan.budget_won,
        spent_won=spent,
        reclaim_grounds=[g for _k, _r, grounds, follow in checks if follow != "resolved" for g in grounds or []],
        failed_checks=[kind for kind, result, _g, _f in checks if result == "unsatisfactory"],
    )


def reasons_as_json(reasons: list[risk.RiskReason]) -> list[dict]:
    return [{"code": r.code, "detail": r.detail, "since": r.since.isoformat() if r.since else None} for r in reasons]


def refresh_risk(plan: SupportPlan, *, today: date) -> bool:
    """Recompute and store the plan's at-risk flag and reasons; say whether it is at risk."""
    reasons = reasons_as_json(assess_plan(plan, today=today))
    if plan.risk_reasons != reasons or plan.at_risk != bool(reasons):
        # A derived flag: it must not bump the plan's version (an officer's open form stays valid).
        db.session.execute(
            SupportPlan.__table__.update()
            .where(SupportPlan.id == plan.id)
            .values(at_risk=bool(reasons), risk_reasons=reasons)
        )
        db.session.expire(plan, ["at_risk", "risk_reasons"])
    return bool(reasons)
