"""Demo overseas-market support: plans, items, spend, milestones, KPI reports in four currencies and a check."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.overseas import checks, kpi_reports, kpis, services
from nup.overseas.models import SupportPlan
from nup.overseas.riskcheck import refresh_risk
from nup.timeutil import to_kst

# (kind, partner, country, share of the budget, month offset, months)
ITEMS = (
    ("market_research", "KOTRA", "US", 0.10, 0, 2),
    ("exhibition", "KOTRA", "US", 0.25, 2, 2),
    ("gpu_cloud", "NVIDIA", "", 0.20, 0, 10),
    ("matching", "KOTRA", "JP", 0.15, 3, 4),
    ("demonstration", "KISED", "DE", 0.20, 4, 5),
)
# (currency, won per unit, the market it goes with)
CURRENCIES = (("USD", "1385.20", "US"), ("JPY", "9.12", "JP"), ("EUR", "1502.35", "DE"), ("KRW", "1", "US"))
MIDTERM_FINE = {
    "progress_rating": 4,
    "spend_rating": 4,
    "outcome_rating": 4,
    "result": "satisfactory",
    "findings": "계획대로 추진 중",
    "actions": "",
    "action_due_on": None,
    "reclaim_grounds": [],
    "reclaim_amount_won": 0,
}
MIDTERM_FOLLOW_UP = {
    **MIDTERM_FINE,
    "spend_rating": 3,
    "result": "needs_improvement",
    "findings": "전시회 성과는 양호하나 GPU 크레딧 집행이 지연됨",
    "actions": "클라우드 사용계획 재제출 (2주 이내)",
}


def _first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def load_overseas_demo(officer: User, selected_applications: list[Application], *, now: datetime) -> list[SupportPlan]:
    """Give each selected startup a plan started 6 months ago, with monthly reports (flush only; the caller commits).

    Most reports are accepted, the latest of each firm awaits review, one is returned with a comment,
    every third firm is behind on its milestones (at risk) and one has a mid-term check with an open follow-up.
    """
    rng = random.Random(8)  # the same demo every time
    today = to_kst(now).date()
    start = kpis.add_months(_first_of_month(today), -6)
    plans = []
    for index, application in enumerate(selected_applications):
        if db.session.query(SupportPlan.id).filter_by(application_id=application.id).first():
            continue
        budget = 150_000_000 + 10_000_000 * (index % 6)
        markets = [c for c in (application.target_markets or []) if c in ("US", "JP", "DE", "VN", "SG")] or ["US"]
        plan = services.create_plan(
            application,
            actor=officer,
            starts_on=start,
            months=10,
            budget_won=budget,
            target_countries=markets,
            agreement_number=f"2026-NUP-{index + 1:03d}",
            now=now,
        )
        for kind, partner, country, share, offset, months in ITEMS:
            item_start = kpis.add_months(start, offset)
            item = services.add_item(
                plan,
                actor=officer,
                now=now,
                values={
                    "kind": kind,
                    "partner": partner,
                    "country": country,
                    "budget_won": int(budget * share),
                    "starts_on": item_start,
                    "ends_on": min(kpis.add_months(item_start, months) - timedelta(days=1), plan.ends_on),
                    "description": "",
                },
            )
            if item_start <= today:
                services.record_spend(
                    item,
                    actor=officer,
                    spent_on=min(item_start + timedelta(days=20), today),
                    currency_code="USD" if country == "US" else "KRW",
                    amount="12000" if country == "US" else str(int(budget * share * 0.4)),
                    rate="1385.20",
                    description="집행",
                    now=now,
                )
            if kind == "exhibition":
                services.add_milestone(
                    plan,
                    actor=officer,
                    title="CES 부스 참가 및 바이어 미팅",
                    due_on=item.ends_on,
                    item_id=item.id,
                    now=now,
                )
        founder = db.session.get(User, plan.user_id)
        periods = [p for p in kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency) if p.end < today]
        for number, period in enumerate(periods):
            code, rate, market = CURRENCIES[(index + number) % len(CURRENCIES)]
            scale = {"USD": 1, "JPY": 150, "EUR": 0.9, "KRW": 1385}[code]
            sales = int(rng.randint(0, 40_000) * (1 + index % 3) * scale)
            report = kpi_reports.file_report(
                plan,
                actor=founder,
                now=now,
                values={
                    "period": period.label,
                    "currency": code,
                    "exchange_rate": rate,
                    "market": market,
                    "rate_source": "서울외국환중개 매매기준율",
                    "export_contracts": str(rng.randint(0, 2)),
                    "export_value": str(int(rng.randint(0, 80_000) * scale)),
                    "overseas_sales": str(sales),
                    "investment": str(int(500_000 * scale)) if number == 3 and index % 2 == 0 else "0",
                    "jobs_overseas": str(rng.randint(0, 1)),
                    "jobs_domestic": str(rng.randint(0, 2)),
                    "entity_established": "y" if number == 4 and index % 4 == 0 else "",
                    "entity_country": market,
                    "entity_established_on": period.end.isoformat(),
                    "narrative": "현지 파트너 미팅 및 PoC 진행",
                },
            )
            if number < len(periods) - 1:
                returned = index == 1 and number == len(periods) - 2
                kpi_reports.decide_report(
                    report,
                    actor=officer,
                    accept=not returned,
                    version=None,
                    now=now,
                    comment="수출계약서 사본과 환율 근거를 첨부해 주세요." if returned else "",
                )
        if index % 3 != 2:  # the mid-term check (month 5) is done for firms on schedule
            checks.record_check(
                plan,
                actor=officer,
                kind="midterm",
                version=None,
                now=now,
                values=MIDTERM_FOLLOW_UP if index == 0 else MIDTERM_FINE,
            )
            # Every third firm is behind: its past milestones are still open (at risk).
            db.session.expire(plan, ["milestones"])
            for milestone in plan.milestones:
                if milestone.kind in ("kickoff", "item") and milestone.due_on < today:
                    services.set_milestone_status(milestone, actor=officer, status="done", note="완료 확인", now=now)
        refresh_risk(plan, today=today)
        plans.append(plan)
    db.session.flush()
    return plans
