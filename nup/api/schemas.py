"""Marshmallow schemas of the API: they validate input and document the OpenAPI shapes."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate
from marshmallow import Schema as BaseSchema

from nup.applications.models import ApplicationStatus, DocumentReview
from nup.applications.validation import MAX_FUNDING
from nup.input_guard import MAX_ID
from nup.notifications.models import NotificationStatus
from nup.programmes.catalogue import ALL_TYPES, DOCUMENT_KINDS
from nup.programmes.models import CallStatus
from nup.programmes.services import MAX_QUOTA

ROLES = ["applicant", "reviewer", "officer", "mentor"]
OUTBOX_STATUSES = [s.value for s in NotificationStatus]


def bounds(low: float | None = None, high: float | None = None, *, above: float | None = None) -> dict:
    """OpenAPI bounds of a number the service checks itself (so its refusal keeps its translated message)."""
    described: dict = {}
    if above is not None:
        described.update(minimum=above, exclusiveMinimum=True)
    if low is not None:
        described["minimum"] = low
    if high is not None:
        described["maximum"] = high
    return described


class Schema(BaseSchema):
    """Unknown fields are ignored rather than refused, so clients may send more than we read."""

    class Meta:
        unknown = EXCLUDE


class WholeNumber(fields.Integer):
    """An integer. A number with a fraction (1.5) is refused, not cut to 1; digits as text ("5",
    as query strings come) are read."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class Id(WholeNumber):
    """A row's id: a whole number from 1 to 2^31-1 (documented as the OpenAPI minimum and maximum)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Version(WholeNumber):
    """A row's version, sent back to refuse a change made meanwhile (409)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=validate.Range(min=0, max=MAX_ID), **kwargs)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class MeSchema(Schema):
    id = WholeNumber(required=True)
    email = fields.Email(required=True)
    role = fields.String(required=True, metadata={"enum": ROLES})
    name = fields.String()
    language = fields.String()
    email_verified_at = fields.AwareDateTime(allow_none=True)


class Pagination(Schema):
    page = WholeNumber(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = WholeNumber(load_default=25, validate=validate.Range(min=1, max=100))


class TrackSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=60))
    label_ko = fields.String(validate=validate.Length(max=200))
    label_en = fields.String(validate=validate.Length(max=200))
    quota = WholeNumber(metadata=bounds(0, MAX_QUOTA) | {"description": "places"})
    physical_ai = fields.Boolean()


class CriterionSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=60))
    label = fields.String(validate=validate.Length(max=200))
    label_ko = fields.String(validate=validate.Length(max=200))
    label_en = fields.String(validate=validate.Length(max=200))
    max_points = fields.Float(required=True, metadata=bounds(above=0, high=1000))
    weight = fields.Float(load_default=1.0, metadata=bounds(above=0, high=100))
    guidance = fields.String(validate=validate.Length(max=4000))


class BonusRuleSchema(Schema):
    when = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "a condition such as physical_ai, women_led, innobiz_or_mainbiz"},
    )
    points = fields.Float(required=True, metadata=bounds(0, 100))


class EligibilitySettingsSchema(Schema):
    min_business_years = WholeNumber(allow_none=True, validate=validate.Range(min=0, max=200))
    max_business_years = WholeNumber(allow_none=True, validate=validate.Range(min=0, max=200))
    excluded_industries = fields.List(fields.String(validate=validate.Length(max=200)))
    allowed_applicant_types = fields.List(fields.String(validate=validate.OneOf(ALL_TYPES)))
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
    rubric = fields.List(fields.Nested(CriterionSchema), validate=validate.Length(max=30))
    reviewers_per_application = WholeNumber(metadata=bounds(1, 50))
    trim_min_reviews = WholeNumber(metadata=bounds(3, 50))
    bonus_rules = fields.List(fields.Nested(BonusRuleSchema), validate=validate.Length(max=30))
    bonus_cap = fields.Float(metadata=bounds(0, 100))
    tie_breakers = fields.List(
        fields.String(),
        metadata={
            "description": "rubric keys, compared in this order when final scores are equal; default: the "
            "two criteria of the call's own rubric with the most weighted points (max_points x weight)"
        },
    )
    eligibility = fields.Nested(EligibilitySettingsSchema)
    required_documents = fields.List(
        fields.Raw(),
        metadata={
            "description": "document kinds, or objects {kind, applicant_types, max_age_days}; kinds: "
            + ", ".join(DOCUMENT_KINDS)
        },
    )
    status = fields.String(load_default="published", validate=validate.OneOf(["draft", "published"]))


class CallOutSchema(Schema):
    id = WholeNumber()
    title = fields.Function(lambda call: call.title_ko)
    title_ko = fields.String()
    title_en = fields.String()
    description = fields.Function(lambda call: call.description_ko)
    description_en = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in CallStatus]})
    announced_on = fields.Date()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime()
    tracks = fields.List(fields.Dict())
    rubric = fields.List(fields.Dict())
    reviewers_per_application = WholeNumber()
    trim_min_reviews = WholeNumber()
    bonus_rules = fields.List(fields.Dict())
    bonus_cap = fields.Float()
    tie_breakers = fields.List(fields.String())
    eligibility = fields.Dict()
    required_documents = fields.List(fields.Dict())


class CallListSchema(Schema):
    items = fields.List(fields.Nested(CallOutSchema))
    total = WholeNumber()


class CompanySchema(Schema):
    name = fields.String()
    business_registration_number = fields.String(allow_none=True)
    applicant_type = fields.String(allow_none=True, validate=validate.OneOf(ALL_TYPES))
    founded_on = fields.Date(allow_none=True)
    ceo_name = fields.String()
    address = fields.String()
    region = fields.String()
    employees = WholeNumber(allow_none=True, metadata=bounds(0, 1_000_000))
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
    funding_requested = WholeNumber(allow_none=True, metadata=bounds(0, MAX_FUNDING) | {"description": "won"})
    target_markets = fields.List(fields.String())
    version = Version(
        metadata={"description": "optional: refuse the change if the draft has changed since this version (409)"}
    )


class DocumentOutSchema(Schema):
    id = WholeNumber()
    kind = fields.String(metadata={"enum": list(DOCUMENT_KINDS)})
    filename = fields.String()
    size = WholeNumber()
    content_type = fields.String()
    sha256 = fields.String()
    issued_on = fields.Date(allow_none=True)
    uploaded_at = fields.AwareDateTime()
    review_status = fields.String(metadata={"enum": [s.value for s in DocumentReview]})
    review_message = fields.String()


class DocumentUploadSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": list(DOCUMENT_KINDS)})
    issued_on = fields.Date(allow_none=True)


class ApplicationOutSchema(Schema):
    id = WholeNumber()
    call_id = WholeNumber()
    status = fields.String(metadata={"enum": [s.value for s in ApplicationStatus]})
    receipt_number = fields.String(allow_none=True)
    track = fields.String()
    company = fields.Dict()
    summary = fields.String()
    plan = fields.Dict()
    funding_requested = WholeNumber(allow_none=True, metadata=bounds(0, MAX_FUNDING) | {"description": "won"})
    target_markets = fields.List(fields.String())
    documents = fields.List(fields.Nested(DocumentOutSchema))
    eligibility = fields.Dict()
    priority = fields.Dict()
    missing = fields.Dict()
    version = WholeNumber()
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
    id = WholeNumber()
    kind = fields.String()
    to = fields.String(attribute="to_address")
    language = fields.String()
    status = fields.String(metadata={"enum": OUTBOX_STATUSES})
    queue = fields.String()
    attempts = WholeNumber()
    last_error = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    call_id = WholeNumber(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class OutboxListSchema(Schema):
    items = fields.List(fields.Nested(OutboxItemSchema))
    total = WholeNumber()


class OutboxQuery(Pagination):
    status = fields.String(load_default="", metadata={"enum": ["", *OUTBOX_STATUSES]})
    kind = fields.String(load_default="")
    call_id = Id(load_default=None, allow_none=True)
