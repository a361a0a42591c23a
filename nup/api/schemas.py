"""Marshmallow schemas of the API: they validate input and document the OpenAPI shapes."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields
from marshmallow import Schema as BaseSchema


class Schema(BaseSchema):
    """Unknown fields are ignored rather than refused, so clients may send more than we read."""

    class Meta:
        unknown = EXCLUDE


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.Email(required=True)
    role = fields.String(required=True, metadata={"enum": ["applicant", "reviewer", "officer", "mentor"]})
    name = fields.String()
    language = fields.String()
    email_verified_at = fields.AwareDateTime(allow_none=True)


class Pagination(Schema):
    page = fields.Integer(load_default=1, validate=lambda n: 1 <= n <= 100000)
    per_page = fields.Integer(load_default=25, validate=lambda n: 1 <= n <= 100)


class TrackSchema(Schema):
    key = fields.String(required=True)
    label_ko = fields.String()
    label_en = fields.String()
    quota = fields.Integer()
    physical_ai = fields.Boolean()


class CriterionSchema(Schema):
    key = fields.String(required=True)
    label = fields.String()
    label_ko = fields.String()
    label_en = fields.String()
    max_points = fields.Float(required=True)
    weight = fields.Float(load_default=1.0)
    guidance = fields.String()


class BonusRuleSchema(Schema):
    when = fields.String(required=True)
    points = fields.Float(required=True)


class EligibilitySettingsSchema(Schema):
    min_business_years = fields.Integer(allow_none=True)
    max_business_years = fields.Integer(allow_none=True)
    excluded_industries = fields.List(fields.String())
    allowed_applicant_types = fields.List(fields.String())
    check_declarations = fields.Boolean()
    check_duplicate_support = fields.Boolean()


class CallInSchema(Schema):
    title = fields.String(required=True, metadata={"description": "Korean title (title_en for English)"})
    title_en = fields.String()
    description = fields.String()
    description_en = fields.String()
    announced_on = fields.Date(
        metadata={"description": "Business age is counted on this date; default: the date (KST) of opens_at"}
    )
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    tracks = fields.List(fields.Raw(), metadata={"description": "track keys, or track objects"})
    rubric = fields.List(fields.Nested(CriterionSchema))
    reviewers_per_application = fields.Integer()
    trim_min_reviews = fields.Integer()
    bonus_rules = fields.List(fields.Nested(BonusRuleSchema))
    bonus_cap = fields.Float()
    tie_breakers = fields.List(fields.String())
    eligibility = fields.Nested(EligibilitySettingsSchema)
    required_documents = fields.List(
        fields.Raw(),
        metadata={"description": "document kinds, or objects {kind, applicant_types, max_age_days}"},
    )
    status = fields.String(load_default="published", metadata={"enum": ["draft", "published"]})


class CallOutSchema(Schema):
    id = fields.Integer()
    title = fields.Function(lambda call: call.title_ko)
    title_ko = fields.String()
    title_en = fields.String()
    description = fields.Function(lambda call: call.description_ko)
    description_en = fields.String()
    status = fields.String()
    announced_on = fields.Date()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime()
    tracks = fields.List(fields.Dict())
    rubric = fields.List(fields.Dict())
    reviewers_per_application = fields.Integer()
    trim_min_reviews = fields.Integer()
    bonus_rules = fields.List(fields.Dict())
    bonus_cap = fields.Float()
    tie_breakers = fields.List(fields.String())
    eligibility = fields.Dict()
    required_documents = fields.List(fields.Dict())


class CallListSchema(Schema):
    items = fields.List(fields.Nested(CallOutSchema))
    total = fields.Integer()


class CompanySchema(Schema):
    name = fields.String()
    business_registration_number = fields.String(allow_none=True)
    applicant_type = fields.String(allow_none=True, metadata={"enum": ["pre_founder", "sole_trader", "company"]})
    founded_on = fields.Date(allow_none=True)
    ceo_name = fields.String()
    address = fields.String()
    region = fields.String()
    employees = fields.Integer(allow_none=True)
    industry = fields.String()
    website = fields.String()
    tax_arrears = fields.Boolean(allow_none=True)
    loan_default = fields.Boolean(allow_none=True)
    participation_ban = fields.Boolean(allow_none=True)
    duplicate_support = fields.Boolean(allow_none=True)


class PlanSchema(Schema):
    problem = fields.String()
    solution = fields.String()
    scale_up = fields.String()
    team = fields.String()


class ApplicationInSchema(Schema):
    track = fields.String()
    company = fields.Nested(CompanySchema)
    summary = fields.String()
    plan = fields.Nested(PlanSchema)
    funding_requested = fields.Integer(allow_none=True)
    target_markets = fields.List(fields.String())
    version = fields.Integer(
        metadata={"description": "optional: refuse the change if the draft has changed since this version (409)"}
    )


class DocumentOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()
    issued_on = fields.Date(allow_none=True)
    uploaded_at = fields.AwareDateTime()
    review_status = fields.String()
    review_message = fields.String()


class DocumentUploadSchema(Schema):
    kind = fields.String(required=True)
    issued_on = fields.Date(allow_none=True)


class ApplicationOutSchema(Schema):
    id = fields.Integer()
    call_id = fields.Integer()
    status = fields.String()
    receipt_number = fields.String(allow_none=True)
    track = fields.String()
    company = fields.Dict()
    summary = fields.String()
    plan = fields.Dict()
    funding_requested = fields.Integer(allow_none=True)
    target_markets = fields.List(fields.String())
    documents = fields.List(fields.Nested(DocumentOutSchema))
    eligibility = fields.Dict()
    priority = fields.Dict()
    missing = fields.Dict()
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime(allow_none=True)
    duplicate_registration_number = fields.Dict(
        metadata={
            "description": "Officers only: whether other submitted applications to the call give the same "
            "business registration number (`flagged`), and their ids (`application_ids`)."
        }
    )


class OutboxItemSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    to = fields.String(attribute="to_address")
    language = fields.String()
    status = fields.String(metadata={"enum": ["pending", "sending", "sent", "failed", "cancelled"]})
    queue = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    call_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class OutboxListSchema(Schema):
    items = fields.List(fields.Nested(OutboxItemSchema))
    total = fields.Integer()


class OutboxQuery(Pagination):
    status = fields.String(load_default="")
    kind = fields.String(load_default="")
    call_id = fields.Integer(load_default=None, allow_none=True)
