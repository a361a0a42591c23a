"""Portfolio figures for officers: accepted KPIs by country, track, support item, cohort and month.

Three grouped scans of the reports (per plan, per market, per month) and four small reads feed
every figure, so the dashboard costs the same number of queries for ten startups or ten thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, distinct, func, select

from nup.applications.models import Application
from nup.extensions import db
from nup.overseas.kpis import KpiFigures
from nup.overseas.models import KpiReport, PlanStatus, ReportStatus, SupportItem, SupportPlan
from nup.programmes.models import Call

SUMS = (
    func.coalesce(func.sum(KpiReport.export_contracts), 0),
    func.coalesce(func.sum(KpiReport.export_value_won), 0),
    func.coalesce(func.sum(KpiReport.overseas_sales_won), 0),
    func.coalesce(func.sum(KpiReport.investment_won), 0),
    func.coalesce(func.sum(KpiReport.jobs_overseas), 0),
    func.coalesce(func.sum(KpiReport.jobs_domestic), 0),
    func.count(KpiReport.entity_established_on),  # set only when an entity was established
)
WIDTH = len(SUMS)
AT_RISK_SHOWN = 50


@dataclass
class Group:
    key: object
    label: str
    figures: KpiFigures
    firms: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class Portfolio:
    firms: int
    active: int
    at_risk: int
    budget_won: int
    spent_won: int
    pending_reports: int
    totals: KpiFigures
    by_country: list[Group]
    by_track: list[Group]
    by_item: list[Group]
    by_cohort: list[Group]
    by_month: list[Group]
    risky: list  # rows of (id, risk_reasons, company_name)
    by_application: dict[int, KpiFigures] = field(default_factory=dict)


class _Sum:
    """A running total of the seven summed columns and the firms that contributed."""

    __slots__ = ("firms", "values")

    def __init__(self) -> None:
        self.values = [0] * WIDTH
        self.firms: set[int] = set()

    def add(self, plan_id: int, row) -> None:
        self.values = [a + int(b or 0) for a, b in zip(self.values, row[:WIDTH], strict=True)]
        self.firms.add(plan_id)

    def figures(self) -> KpiFigures:
        return KpiFigures(*self.values)


def _accepted(call_id: int | None, *columns) -> Select:
    query = (
        select(*SUMS, *columns)
        .join(SupportPlan, SupportPlan.id == KpiReport.plan_id)
        .where(KpiReport.status == ReportStatus.ACCEPTED)
    )
    return query.where(SupportPlan.call_id == call_id) if call_id else query


def _groups(sums: dict, label) -> list[Group]:
    return [Group(key, label(key), total.figures(), firms=len(total.firms)) for key, total in sums.items()]


def portfolio(*, call_id: int | None = None, language: str = "ko") -> Portfolio:
    """The dashboard's figures (accepted reports only), optionally for one cohort (call)."""
    plan_filter = [SupportPlan.call_id == call_id] if call_id else []
    plans = db.session.execute(
        select(
            SupportPlan.id,
            SupportPlan.application_id,
            SupportPlan.call_id,
            SupportPlan.status,
            SupportPlan.at_risk,
            SupportPlan.budget_won,
            Application.physical_ai,
        )
        .join(Application, Application.id == SupportPlan.application_id)
        .where(*plan_filter)
    ).all()
    info = {p.id: p for p in plans}
    items = db.session.execute(
        select(SupportItem.plan_id, SupportItem.kind, func.sum(SupportItem.budget_won), func.sum(SupportItem.spent_won))
        .join(SupportPlan, SupportPlan.id == SupportItem.plan_id)
        .where(*plan_filter)
        .group_by(SupportItem.plan_id, SupportItem.kind)
    ).all()
    kinds_of: dict[int, list[str]] = defaultdict(list)
    item_budget: dict[str, int] = defaultdict(int)
    for plan_id, kind, budget, _spent in items:
        kinds_of[plan_id].append(kind)
        item_budget[kind] += int(budget or 0)
    # One row per plan (track, cohort and support items are plan facts) and one per market.
    cells = db.session.execute(_accepted(call_id, KpiReport.plan_id).group_by(KpiReport.plan_id)).all()
    total, per_plan = _Sum(), {}
    track, cohort, kind_sums = defaultdict(_Sum), defaultdict(_Sum), defaultdict(_Sum)
    for row in cells:
        plan_id = row[WIDTH]
        plan = info.get(plan_id)
        if plan is None:
            continue
        per_plan[plan_id] = KpiFigures(*(int(v or 0) for v in row[:WIDTH]))
        for target in (total, track[bool(plan.physical_ai)], cohort[plan.call_id]):
            target.add(plan_id, row)
        for kind in kinds_of.get(plan_id, ()):
            kind_sums[kind].add(plan_id, row)
    markets = db.session.execute(
        _accepted(call_id, KpiReport.market, func.count(distinct(KpiReport.plan_id))).group_by(KpiReport.market)
    ).all()
    months = db.session.execute(
        _accepted(call_id, KpiReport.period_start, func.count(distinct(KpiReport.plan_id)))
        .group_by(KpiReport.period_start)
        .order_by(KpiReport.period_start)
    ).all()
    titles = {
        c.id: (c.title_en if language == "en" and c.title_en else c.title_ko)
        for c in db.session.scalars(select(Call).where(Call.id.in_(list(cohort) or [-1])))
    }
    pending = db.session.scalar(
        select(func.count(KpiReport.id))
        .join(SupportPlan, SupportPlan.id == KpiReport.plan_id)
        .where(KpiReport.status == ReportStatus.SUBMITTED, *plan_filter)
    )
    risky = list(
        db.session.execute(
            select(SupportPlan.id, SupportPlan.risk_reasons, Application.company_name)
            .join(Application, Application.id == SupportPlan.application_id)
            .where(SupportPlan.at_risk.is_(True), *plan_filter)
            .order_by(Application.company_name)
            .limit(AT_RISK_SHOWN)
        )
    )
    by_item = _groups(kind_sums, str)
    for group in by_item:
        group.extra["budget_won"] = item_budget.get(group.key, 0)
    return Portfolio(
        firms=len(plans),
        active=sum(p.status == PlanStatus.ACTIVE for p in plans),
        at_risk=sum(bool(p.at_risk) for p in plans),
        budget_won=sum(int(p.budget_won or 0) for p in plans),
        spent_won=sum(int(spent or 0) for *_rest, spent in items),
        pending_reports=int(pending or 0),
        totals=total.figures(),
        by_country=sorted(
            (
                Group(r[WIDTH], str(r[WIDTH]), KpiFigures(*(int(v or 0) for v in r[:WIDTH])), firms=r[-1])
                for r in markets
            ),
            key=lambda g: -g.figures.outcome_won,
        ),
        by_track=sorted(_groups(track, str), key=lambda g: not g.key),
        by_item=sorted(by_item, key=lambda g: -g.figures.outcome_won),
        by_cohort=_groups(cohort, lambda key: titles.get(key, str(key))),
        by_month=[
            Group(r[WIDTH], r[WIDTH].strftime("%Y-%m"), KpiFigures(*(int(v or 0) for v in r[:WIDTH])), firms=r[-1])
            for r in months
        ],
        risky=risky,
        by_application={info[p].application_id: figures for p, figures in per_plan.items()},
    )


def outcomes_by_application(call_id: int | None = None) -> dict[int, KpiFigures]:
    """Accepted KPI totals per application (for the selection-to-outcome link), one query."""
    rows = db.session.execute(_accepted(call_id, SupportPlan.application_id).group_by(SupportPlan.application_id)).all()
    return {r[-1]: KpiFigures(*(int(v or 0) for v in r[:WIDTH])) for r in rows}
