"""Read logic of overseas-market support used by pages, the API and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, false, func, select

from nup import security
from nup.applications.models import Application
from nup.extensions import db
from nup.overseas import kpis
from nup.overseas.models import (
    EvidenceFile,
    KpiReport,
    Milestone,
    PlanCheck,
    ReportStatus,
    SpendEntry,
    SupportItem,
    SupportPlan,
)
from nup.programmes.models import Call
from nup.reviews.cohort import selected_query


def plan(plan_id: int) -> SupportPlan | None:
    return db.session.get(SupportPlan, plan_id)


def plans_query(*, actor, call_id: int | None = None, at_risk: bool | None = None, q: str = "") -> Select:
    """The plans `actor` may see (officers: all; a founder: their own), filtered, for a list."""
    query = visible_plans(actor).join(Application, Application.id == SupportPlan.application_id)
    if call_id:
        query = query.where(SupportPlan.call_id == call_id)
    if at_risk is not None:
        query = query.where(SupportPlan.at_risk.is_(at_risk))
    if q:
        query = query.where(Application.company_name.ilike(f"%{q}%"))
    return query.order_by(SupportPlan.at_risk.desc(), Application.company_name, SupportPlan.id)


def paginate_plans(*, page: int, per_page: int, **filters):
    return db.paginate(plans_query(**filters), page=page, per_page=per_page, error_out=False)


def spent_by_plan(plan_ids: list[int]) -> dict[int, int]:
    if not plan_ids:
        return {}
    rows = db.session.execute(
        select(SupportItem.plan_id, func.coalesce(func.sum(SupportItem.spent_won), 0))
        .where(SupportItem.plan_id.in_(plan_ids))
        .group_by(SupportItem.plan_id)
    ).all()
    return {plan_id: int(total) for plan_id, total in rows}


def unplanned_selected(call_id: int | None = None) -> list[Application]:
    """Selected startups that have no support plan yet (the officer's to-do)."""
    sub = selected_query(call_id=call_id).subquery()
    return list(
        db.session.scalars(
            select(Application)
            .join(sub, sub.c.id == Application.id)
            .where(~select(SupportPlan.id).where(SupportPlan.application_id == Application.id).exists())
            .order_by(Application.company_name)
        )
    )


def cohort_calls() -> list[Call]:
    """Calls that have at least one support plan, newest first."""
    return list(
        db.session.scalars(
            select(Call)
            .where(select(SupportPlan.id).where(SupportPlan.call_id == Call.id).exists())
            .order_by(Call.id.desc())
        )
    )


@dataclass
class PlanBundle:
    plan: SupportPlan
    items: list[SupportItem]
    spend: list[SpendEntry]
    milestones: list[Milestone]
    reports: list[KpiReport]
    checks: dict[str, PlanCheck]
    periods: list[kpis.Period]
    totals: kpis.KpiFigures
    spent_won: int


def figures_of(report: KpiReport) -> kpis.KpiFigures:
    return kpis.KpiFigures(
        export_contracts=report.export_contracts,
        export_value_won=report.export_value_won,
        overseas_sales_won=report.overseas_sales_won,
        investment_won=report.investment_won,
        jobs_overseas=report.jobs_overseas,
        jobs_domestic=report.jobs_domestic,
        entities=int(report.entity_established),
    )


def bundle(plan: SupportPlan) -> PlanBundle:
    """Everything the plan page shows, in a fixed number of queries."""
    items = list(db.session.scalars(select(SupportItem).where(SupportItem.plan_id == plan.id).order_by(SupportItem.id)))
    spend = list(
        db.session.scalars(
            select(SpendEntry).where(SpendEntry.plan_id == plan.id).order_by(SpendEntry.spent_on, SpendEntry.id)
        )
    )
    milestones = list(
        db.session.scalars(
            select(Milestone).where(Milestone.plan_id == plan.id).order_by(Milestone.due_on, Milestone.id)
        )
    )
    reports = list(
        db.session.scalars(select(KpiReport).where(KpiReport.plan_id == plan.id).order_by(KpiReport.period_start))
    )
    checks = {c.kind: c for c in db.session.scalars(select(PlanCheck).where(PlanCheck.plan_id == plan.id))}
    accepted = [figures_of(r) for r in reports if r.status == ReportStatus.ACCEPTED]
    return PlanBundle(
        plan=plan,
        items=items,
        spend=spend,
        milestones=milestones,
        reports=reports,
        checks=checks,
        periods=kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency),
        totals=kpis.roll_up(accepted),
        spent_won=sum(i.spent_won for i in items),
    )


def open_periods(plan: SupportPlan, reports: list[KpiReport], *, today: date) -> list[kpis.Period]:
    """Periods that have ended and have no report yet (what the founder may file now)."""
    filed = {r.period_start for r in reports}
    return [
        p
        for p in kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency)
        if p.end < today and p.start not in filed
    ]


def report(report_id: int) -> KpiReport | None:
    return db.session.get(KpiReport, report_id)


def reports_query(*, actor, status: str | None = None, plan_id: int | None = None) -> Select:
    """The KPI reports `actor` may see, filtered, newest first."""
    query = visible_reports(actor)
    if status:
        query = query.where(KpiReport.status == status)
    if plan_id:
        query = query.where(KpiReport.plan_id == plan_id)
    return query.order_by(KpiReport.submitted_at.desc(), KpiReport.id.desc())


def paginate_reports(*, page: int, per_page: int, **filters):
    return db.paginate(reports_query(**filters), page=page, per_page=per_page, error_out=False)


def milestone(milestone_id: int) -> Milestone | None:
    return db.session.get(Milestone, milestone_id)


def evidence(evidence_id: int) -> EvidenceFile | None:
    return db.session.get(EvidenceFile, evidence_id)


def item(item_id: int) -> SupportItem | None:
    return db.session.get(SupportItem, item_id)


def check(check_id: int) -> PlanCheck | None:
    return db.session.get(PlanCheck, check_id)


# ------------------------------------------------------------------------ visibility


def visible_plans(actor) -> Select:
    """A select of the support plans `actor` may see: officers every one, a founder their own startup's,
    anyone else none (agrees with `can(actor, "overseas.plan.view", plan)`)."""
    query = select(SupportPlan)
    if security.can(actor, "overseas.manage"):
        return query
    if security.can(actor, "overseas.own"):
        return query.where(SupportPlan.user_id == actor.id)
    return query.where(false())


def plan_visible_or_404(actor, plan_id: int) -> SupportPlan:
    """The plan if `actor` may see it; otherwise NotFound (another firm's plan is as good as not there)."""
    return db.one_or_404(visible_plans(actor).where(SupportPlan.id == plan_id))


def visible_reports(actor) -> Select:
    """A select of the KPI reports of the plans `actor` may see."""
    plans = visible_plans(actor).with_only_columns(SupportPlan.id)
    return select(KpiReport).where(KpiReport.plan_id.in_(plans))


def report_visible_or_404(actor, report_id: int) -> KpiReport:
    """The KPI report if `actor` may see its plan; otherwise NotFound."""
    return db.one_or_404(visible_reports(actor).where(KpiReport.id == report_id))
