"""Marshmallow schemas of the overseas-support endpoints (plans, milestones, KPI reports)."""

from __future__ import annotations

from marshmallow import fields, validate

from nup.api.schemas import Id, Pagination, Schema, Version, WholeNumber, bounds
from nup.overseas.currency import CURRENCIES
from nup.overseas.services import MAX_BUDGET

REPORT_STATES = ["submitted", "returned", "accepted"]


class OverseasPlanQuery(Pagination):
    call_id = Id(load_default=None)
    at_risk = fields.Boolean(load_default=None)


class OverseasPlanInSchema(Schema):
    application_id = Id(required=True)
    starts_on = fields.Date(required=True)
    months = WholeNumber(load_default=10, metadata=bounds(1, 36))
    budget_won = WholeNumber(
        required=True, metadata=bounds(0, MAX_BUDGET) | {"description": "Whole won; negative is refused."}
    )
    target_countries = fields.List(fields.String(), required=True, metadata={"description": "ISO 3166 alpha-2"})
    agreement_number = fields.String(load_default="", validate=validate.Length(max=40))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class OverseasItemOutSchema(Schema):
    id = WholeNumber()
    kind = fields.String()
    partner = fields.String()
    country = fields.String()
    description = fields.String()
    budget_won = WholeNumber()
    spent_won = WholeNumber()
    starts_on = fields.Date()
    ends_on = fields.Date()


class OverseasRiskSchema(Schema):
    code = fields.String()
    detail = fields.String(allow_none=True)
    since = fields.String(allow_none=True)


class OverseasPlanSummarySchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    call_id = WholeNumber()
    company = fields.String(attribute="application.company_name")
    agreement_number = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    months = WholeNumber()
    budget_won = WholeNumber()
    target_countries = fields.List(fields.String())
    report_frequency = fields.String(metadata={"enum": ["monthly", "quarterly"]})
    report_due_days = WholeNumber()
    status = fields.String(metadata={"enum": ["active", "completed", "terminated"]})
    at_risk = fields.Boolean()
    risk_reasons = fields.List(fields.Nested(OverseasRiskSchema))
    version = WholeNumber()
    created_at = fields.AwareDateTime()


class OverseasPlanOutSchema(OverseasPlanSummarySchema):
    items = fields.List(fields.Nested(OverseasItemOutSchema))


class OverseasPlanListSchema(Schema):
    items = fields.List(fields.Nested(OverseasPlanSummarySchema))
    total = WholeNumber()


class OverseasEvidenceOutSchema(Schema):
    id = WholeNumber()
    filename = fields.String()
    size = WholeNumber()
    content_type = fields.String()
    uploaded_at = fields.AwareDateTime()


class OverseasMilestoneOutSchema(Schema):
    id = WholeNumber()
    plan_id = WholeNumber()
    item_id = WholeNumber(allow_none=True)
    kind = fields.String(metadata={"enum": ["kickoff", "midterm", "final", "item"]})
    title = fields.String()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["planned", "submitted", "done", "waived"]})
    completed_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    evidence = fields.List(fields.Nested(OverseasEvidenceOutSchema))


class OverseasMilestoneListSchema(Schema):
    items = fields.List(fields.Nested(OverseasMilestoneOutSchema))
    total = WholeNumber()


class OverseasReportInSchema(Schema):
    period = fields.String(required=True, metadata={"description": "2026-03 (monthly) or 2026-Q1 (quarterly)"})
    currency = fields.String(load_default="KRW", metadata={"enum": list(CURRENCIES)})
    exchange_rate = fields.String(load_default="1", metadata={"description": "Won per 1 unit, decimal text"})
    rate_source = fields.String(load_default="", validate=validate.Length(max=200))
    market = fields.String(load_default="")
    export_contracts = WholeNumber(load_default=0, metadata=bounds(0))
    export_value = fields.String(load_default="0", metadata={"description": "Decimal text in `currency`"})
    overseas_sales = fields.String(load_default="0")
    investment = fields.String(load_default="0")
    jobs_overseas = WholeNumber(load_default=0, metadata=bounds(0))
    jobs_domestic = WholeNumber(load_default=0, metadata=bounds(0))
    entity_established = fields.Boolean(load_default=False)
    entity_country = fields.String(load_default="")
    entity_established_on = fields.Date(load_default=None, allow_none=True)
    narrative = fields.String(load_default="", validate=validate.Length(max=8000))
    version = Version(load_default=None, metadata={"description": "Required to correct a returned report"})


class OverseasAmountSchema(Schema):
    amount = fields.String(metadata={"description": "In the report's currency"})
    won = WholeNumber()


class OverseasReviewOutSchema(Schema):
    revision = WholeNumber()
    decision = fields.String()
    comment = fields.String()
    decided_at = fields.AwareDateTime()


class OverseasReportOutSchema(Schema):
    id = WholeNumber()
    plan_id = WholeNumber()
    period = fields.String(attribute="period_label")
    period_start = fields.Date()
    period_end = fields.Date()
    status = fields.String(metadata={"enum": REPORT_STATES})
    market = fields.String()
    currency = fields.String()
    exchange_rate = fields.String()
    rate_source = fields.String()
    export_contracts = WholeNumber()
    export_value = fields.Nested(OverseasAmountSchema)
    overseas_sales = fields.Nested(OverseasAmountSchema)
    investment = fields.Nested(OverseasAmountSchema)
    jobs_overseas = WholeNumber()
    jobs_domestic = WholeNumber()
    entity_established = fields.Boolean()
    entity_country = fields.String()
    entity_established_on = fields.Date(allow_none=True)
    narrative = fields.String()
    revision = WholeNumber()
    officer_comment = fields.String()
    submitted_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    version = WholeNumber()
    evidence = fields.List(fields.Nested(OverseasEvidenceOutSchema))
    reviews = fields.List(fields.Nested(OverseasReviewOutSchema))


class OverseasReportListSchema(Schema):
    items = fields.List(fields.Nested(OverseasReportOutSchema))
    total = WholeNumber()


class OverseasReportQuery(Pagination):
    status = fields.String(load_default=None, validate=validate.OneOf(REPORT_STATES))


class OverseasDecisionInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
    version = Version(load_default=None)
