"""API: overseas-support plans, their milestones and KPI reports (founders: their own; officers: all)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from nup import security
from nup.accounts.models import User
from nup.api.blueprint import bp
from nup.api.overseas_schemas import (
    OverseasDecisionInSchema,
    OverseasMilestoneListSchema,
    OverseasPlanInSchema,
    OverseasPlanListSchema,
    OverseasPlanOutSchema,
    OverseasPlanQuery,
    OverseasReportInSchema,
    OverseasReportListSchema,
    OverseasReportOutSchema,
    OverseasReportQuery,
)
from nup.api.schemas import ErrorSchema
from nup.applications.models import Application
from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.overseas import kpi_reports, queries, services
from nup.overseas.currency import from_minor
from nup.overseas.models import KpiReport, SupportPlan
from nup.timeutil import to_kst, utcnow


def _me() -> User:
    return current_user._get_current_object()


def _plan(plan_id: int) -> SupportPlan:
    return queries.plan_visible_or_404(_me(), plan_id)  # another firm's plan is as good as not there


def _report(report_id: int) -> KpiReport:
    return queries.report_visible_or_404(_me(), report_id)


def report_out(report: KpiReport) -> dict:
    out = {name: getattr(report, name) for name in OverseasReportOutSchema().fields if hasattr(report, name)}
    out["period_label"] = report.period_label
    for name in kpi_reports.MONEY_FIELDS:
        out[name] = {
            "amount": str(from_minor(getattr(report, f"{name}_minor"), report.currency)),
            "won": getattr(report, f"{name}_won"),
        }
    return out


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict("Someone else changed this in the meantime. Fetch it again and retry.") from error


@bp.route("/overseas/plans", methods=["GET"])
@bp.arguments(OverseasPlanQuery, location="query")
@bp.response(200, OverseasPlanListSchema)
def list_plans(args: dict):
    """Support plans: officers see every plan (filter by call and at-risk), a founder only their own."""
    pagination = queries.paginate_plans(
        page=args["page"], per_page=args["per_page"], call_id=args["call_id"], at_risk=args["at_risk"], actor=_me()
    )
    return {"items": pagination.items, "total": pagination.total}


@bp.route("/overseas/plans", methods=["POST"])
@bp.arguments(OverseasPlanInSchema)
@bp.response(201, OverseasPlanOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Not selected, or already has a plan")
@bp.alt_response(422, schema=ErrorSchema, description="Negative budget, unknown country, bad period")
def create_plan(payload: dict):
    """Create the agreement and support plan of a selected startup (officers)."""
    application = db.session.get(Application, payload["application_id"])
    if application is None:
        raise DomainError(fields={"application_id": ["No application has that id."]})
    plan = services.create_plan(
        application,
        actor=_me(),
        starts_on=payload["starts_on"],
        months=payload["months"],
        budget_won=payload["budget_won"],
        target_countries=payload["target_countries"],
        agreement_number=payload["agreement_number"],
        notes=payload["notes"],
        now=utcnow(),
    )
    _commit()
    return plan


@bp.route("/overseas/plans/<int:plan_id>", methods=["GET"])
@bp.response(200, OverseasPlanOutSchema)
def get_plan(plan_id: int):
    """One plan with its support items and at-risk reasons."""
    return _plan(plan_id)


@bp.route("/overseas/plans/<int:plan_id>/milestones", methods=["GET"])
@bp.response(200, OverseasMilestoneListSchema)
def list_milestones(plan_id: int):
    """The plan's milestones, due date first, each with its evidence and whether it is overdue."""
    plan = _plan(plan_id)
    today = to_kst(utcnow()).date()
    items = [
        {
            **{
                k: getattr(m, k)
                for k in ("id", "plan_id", "item_id", "kind", "title", "due_on", "status", "completed_on", "evidence")
            },
            "overdue": m.status == "planned" and m.due_on < today,
        }
        for m in queries.bundle(plan).milestones
    ]
    return {"items": items, "total": len(items)}


@bp.route("/overseas/plans/<int:plan_id>/reports", methods=["GET"])
@bp.arguments(OverseasReportQuery, location="query")
@bp.response(200, OverseasReportListSchema)
def list_reports(args: dict, plan_id: int):
    """The plan's KPI reports, newest first."""
    plan = _plan(plan_id)
    pagination = queries.paginate_reports(
        page=args["page"], per_page=args["per_page"], status=args["status"], plan_id=plan.id, actor=_me()
    )
    return {"items": [report_out(r) for r in pagination.items], "total": pagination.total}


@bp.route("/overseas/plans/<int:plan_id>/reports", methods=["POST"])
@bp.arguments(OverseasReportInSchema)
@bp.response(201, OverseasReportOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="A report for this period exists (code duplicate_report)")
@bp.alt_response(422, schema=ErrorSchema, description="Negative amount, unknown currency, period outside the agreement")
def file_report(payload: dict, plan_id: int):
    """File the KPI report of one period (the founder); amounts in their currency with the rate used."""
    plan = _plan(plan_id)
    security.require(_me(), "overseas.plan.own", plan)
    report = kpi_reports.file_report(plan, actor=_me(), values=payload, now=utcnow())
    _commit()
    return report_out(report)


@bp.route("/overseas/reports/<int:report_id>", methods=["GET"])
@bp.response(200, OverseasReportOutSchema)
def get_report(report_id: int):
    """One KPI report with its evidence and review history."""
    return report_out(_report(report_id))


@bp.route("/overseas/reports/<int:report_id>", methods=["PUT"])
@bp.arguments(OverseasReportInSchema)
@bp.response(200, OverseasReportOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Not returned for correction, or a stale version")
def correct_report(payload: dict, report_id: int):
    """Correct a returned report and submit it again (the founder); send the `version` you read."""
    report = _report(report_id)
    kpi_reports.correct_report(report, actor=_me(), values=payload, version=payload["version"], now=utcnow())
    _commit()
    return report_out(report)


@bp.route("/overseas/reports/<int:report_id>/decision", methods=["POST"])
@bp.arguments(OverseasDecisionInSchema)
@bp.response(200, OverseasReportOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Already decided, or a stale version")
def decide_report(payload: dict, report_id: int):
    """Accept a submitted report or return it with a comment (officers); the founder is emailed."""
    report = _report(report_id)
    kpi_reports.decide_report(
        report,
        actor=_me(),
        accept=payload["decision"] == "accept",
        comment=payload["comment"],
        version=payload["version"],
        now=utcnow(),
    )
    _commit()
    return report_out(report)
