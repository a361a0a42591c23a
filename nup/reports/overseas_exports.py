"""Overseas-support records for the ministry's reporting: plans, spend, milestones and KPIs as XLSX and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import Workbook
from sqlalchemy import select

from nup.applications.models import Application
from nup.extensions import db
from nup.overseas import catalogue
from nup.overseas.currency import from_minor
from nup.overseas.models import KpiReport, Milestone, PlanCheck, SpendEntry, SupportItem, SupportPlan
from nup.reports.review_exports import Value, _csv_value, write_table
from nup.timeutil import to_kst

ITEM_KO = {
    "market_research": "시장조사",
    "matching": "바이어·파트너 매칭",
    "exhibition": "전시회 참가",
    "local_entity": "현지법인·지사 설립",
    "ir": "IR·투자유치",
    "legal_ip": "법률·지식재산",
    "localisation": "현지화",
    "demonstration": "해외 실증",
    "gpu_cloud": "GPU·클라우드 크레딧",
}
MILESTONE_KO = {"planned": "예정", "submitted": "확인 요청", "done": "완료", "waived": "면제"}
REPORT_KO = {"submitted": "검토 대기", "returned": "보완 요청", "accepted": "승인"}
PLAN_KO = {"active": "진행", "completed": "종료", "terminated": "해지"}
SHEETS: dict[str, tuple[str, list[str]]] = {
    "plans": (
        "지원계획",
        [
            "협약번호",
            "기업명",
            "접수번호",
            "피지컬 AI",
            "협약 시작",
            "협약 종료",
            "기간(개월)",
            "협약금액(원)",
            "집행액(원)",
            "대상국가",
            "보고주기",
            "상태",
            "위험",
            "위험 사유",
        ],
    ),
    "spend": (
        "지원항목·집행",
        [
            "기업명",
            "지원항목",
            "협력기관",
            "국가",
            "항목예산(원)",
            "집행일",
            "통화",
            "집행액(현지통화)",
            "적용환율",
            "집행액(원)",
            "내용",
        ],
    ),
    "milestones": ("마일스톤", ["기업명", "구분", "마일스톤", "기한", "상태", "완료일", "증빙 수"]),
    "kpis": (
        "성과보고",
        [
            "기업명",
            "기간",
            "상태",
            "주요 시장",
            "통화",
            "적용환율",
            "환율 출처",
            "수출계약(건)",
            "수출계약액(현지통화)",
            "수출계약액(원)",
            "해외매출(현지통화)",
            "해외매출(원)",
            "투자유치(현지통화)",
            "투자유치(원)",
            "해외 고용(명)",
            "국내 고용(명)",
            "현지법인 설립",
            "현지법인 국가",
            "현지법인 설립일",
            "제출 차수",
            "검토 의견",
        ],
    ),
    "checks": (
        "점검",
        ["기업명", "구분", "진도", "예산집행", "성과", "결과", "환수 사유", "환수금액(원)", "후속조치", "점검일"],
    ),
}


def _plans(call_id: int | None):
    query = select(SupportPlan, Application).join(Application, Application.id == SupportPlan.application_id)
    if call_id:
        query = query.where(SupportPlan.call_id == call_id)
    return db.session.execute(query.order_by(Application.company_name, SupportPlan.id)).tuples().all()


def _rows_plans(call_id: int | None) -> list[list[Value]]:
    spent: dict[int, int] = {}
    for plan_id, amount in db.session.execute(select(SupportItem.plan_id, SupportItem.spent_won)):
        spent[plan_id] = spent.get(plan_id, 0) + amount
    return [
        [
            plan.agreement_number,
            app.company_name,
            app.receipt_number,
            "예" if app.physical_ai else "아니오",
            plan.starts_on.isoformat(),
            plan.ends_on.isoformat(),
            plan.months,
            plan.budget_won,
            spent.get(plan.id, 0),
            ", ".join(plan.target_countries or []),
            "월별" if plan.report_frequency == "monthly" else "분기별",
            PLAN_KO.get(plan.status, plan.status),
            "위험" if plan.at_risk else "정상",
            "; ".join(
                str(catalogue.label(catalogue.RISK_LABELS, r["code"])) + (f" {r['detail']}" if r.get("detail") else "")
                for r in plan.risk_reasons or []
            ),
        ]
        for plan, app in _plans(call_id)
    ]


def _by_plan(model, call_id: int | None, order) -> tuple[dict[int, str], list]:
    names = {plan.id: app.company_name for plan, app in _plans(call_id)}
    rows = db.session.scalars(select(model).where(model.plan_id.in_(list(names) or [-1])).order_by(*order)).all()
    return names, list(rows)


def _rows_spend(call_id: int | None) -> list[list[Value]]:
    names, items = _by_plan(SupportItem, call_id, (SupportItem.plan_id, SupportItem.id))
    spend: dict[int, list[SpendEntry]] = {}
    for entry in db.session.scalars(select(SpendEntry).order_by(SpendEntry.spent_on, SpendEntry.id)):
        spend.setdefault(entry.item_id, []).append(entry)
    rows: list[list[Value]] = []
    for item in items:
        head = [names[item.plan_id], ITEM_KO.get(item.kind, item.kind), item.partner, item.country, item.budget_won]
        entries = spend.get(item.id) or [None]
        for e in entries:
            rows.append(
                head
                + (
                    [
                        e.spent_on.isoformat(),
                        e.currency,
                        float(from_minor(e.amount_minor, e.currency)),
                        e.exchange_rate,
                        e.amount_won,
                        e.description,
                    ]
                    if e
                    else [None] * 6
                )
            )
    return rows


def _rows_milestones(call_id: int | None) -> list[list[Value]]:
    names, milestones = _by_plan(Milestone, call_id, (Milestone.plan_id, Milestone.due_on, Milestone.id))
    kinds = {"kickoff": "착수", "midterm": "중간점검", "final": "최종점검", "item": "지원항목"}
    return [
        [
            names[m.plan_id],
            kinds.get(m.kind, m.kind),
            m.title,
            m.due_on.isoformat(),
            MILESTONE_KO.get(m.status, m.status),
            m.completed_on.isoformat() if m.completed_on else None,
            len(m.evidence),
        ]
        for m in milestones
    ]


def _rows_kpis(call_id: int | None) -> list[list[Value]]:
    names, reports = _by_plan(KpiReport, call_id, (KpiReport.plan_id, KpiReport.period_start))

    def amount(report: KpiReport, name: str) -> float:
        return float(from_minor(getattr(report, f"{name}_minor"), report.currency))

    return [
        [
            names[r.plan_id],
            r.period_label,
            REPORT_KO.get(r.status, r.status),
            r.market,
            r.currency,
            r.exchange_rate,
            r.rate_source,
            r.export_contracts,
            amount(r, "export_value"),
            r.export_value_won,
            amount(r, "overseas_sales"),
            r.overseas_sales_won,
            amount(r, "investment"),
            r.investment_won,
            r.jobs_overseas,
            r.jobs_domestic,
            "예" if r.entity_established else "아니오",
            r.entity_country,
            r.entity_established_on.isoformat() if r.entity_established_on else None,
            r.revision,
            r.officer_comment,
        ]
        for r in reports
    ]


def _rows_checks(call_id: int | None) -> list[list[Value]]:
    names, checks = _by_plan(PlanCheck, call_id, (PlanCheck.plan_id, PlanCheck.kind))
    results = {"satisfactory": "적정", "needs_improvement": "보완 필요", "unsatisfactory": "부적정"}
    grounds = {
        "fraud": "부정",
        "abandonment": "정당한 사유 없는 포기",
        "other_use": "목적 외 사용",
        "false_deliverables": "허위 결과물",
    }
    follow = {"none": "없음", "open": "진행", "resolved": "완료"}
    return [
        [
            names[c.plan_id],
            "중간점검" if c.kind == "midterm" else "최종점검",
            c.progress_rating,
            c.spend_rating,
            c.outcome_rating,
            results.get(c.result, c.result),
            ", ".join(grounds.get(g, g) for g in c.reclaim_grounds),
            c.reclaim_amount_won,
            follow.get(c.follow_up_status, c.follow_up_status),
            to_kst(c.checked_at).date().isoformat(),
        ]
        for c in checks
    ]


ROWS: dict[str, Callable[[int | None], list[list[Value]]]] = {
    "plans": _rows_plans,
    "spend": _rows_spend,
    "milestones": _rows_milestones,
    "kpis": _rows_kpis,
    "checks": _rows_checks,
}


def portfolio_xlsx(call_id: int | None = None) -> bytes:
    """One workbook: a sheet each for plans, items and spend, milestones, KPI reports and checks."""
    workbook = Workbook(write_only=True)
    for key, (title, headers) in SHEETS.items():
        write_table(workbook, title, headers, ROWS[key](call_id))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def portfolio_csv(sheet: str, call_id: int | None = None) -> bytes:
    """One sheet as CSV in UTF-8 with a BOM (Excel reads Korean correctly); text that could run as a formula is
    neutralised."""
    _title, headers = SHEETS[sheet]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(h) for h in headers])
    for row in ROWS[sheet](call_id):
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
