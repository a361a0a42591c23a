"""Marshmallow schemas of the evaluation endpoints (conflicts, assignments, scores, ranking)."""

from __future__ import annotations

from marshmallow import fields, validate

from nup.api.schemas import Id, Pagination, Schema, Version, WholeNumber

STAGES = ["document", "presentation"]
ASSIGNMENT_STATUSES = ["assigned", "draft", "submitted", "recused", "removed"]


class ConflictInSchema(Schema):
    reviewer_id = Id(required=True)
    application_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    kind = fields.String(load_default="declared", validate=validate.OneOf(["declared", "exclusion", "challenge"]))


class ConflictOutSchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    reviewer_id = WholeNumber(allow_none=True)
    kind = fields.String()
    status = fields.String()
    reason = fields.String()
    created_at = fields.AwareDateTime()
    replacement_assignment_ids = fields.List(WholeNumber())


class RecuseInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AssignmentOutSchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    reviewer_id = WholeNumber()
    call_id = WholeNumber()
    stage = fields.String(metadata={"enum": STAGES})
    status = fields.String(metadata={"enum": ASSIGNMENT_STATUSES})
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    comments = fields.Dict(keys=fields.String(), values=fields.String())
    comment = fields.String(attribute="overall_comment")
    total = fields.Float(allow_none=True)
    version = WholeNumber()
    submitted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class RecuseOutSchema(Schema):
    assignment = fields.Nested(AssignmentOutSchema)
    replacement_assignment_ids = fields.List(WholeNumber())


class AssignmentListSchema(Schema):
    items = fields.List(fields.Nested(AssignmentOutSchema))
    total = WholeNumber()


class AssignmentQuery(Pagination):
    call_id = Id(load_default=None, allow_none=True)
    stage = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STAGES))
    status = fields.String(load_default=None, allow_none=True, metadata={"enum": ASSIGNMENT_STATUSES})


class ScoreInSchema(Schema):
    # Values are checked by the service, so a wrong one gets a message naming its criterion.
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.Raw(allow_none=True),
        required=True,
        validate=validate.Length(max=50),
    )
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
    comments = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.String(validate=validate.Length(max=4000)),
        load_default=dict,
        validate=validate.Length(max=50),
    )
    version = Version(load_default=None, allow_none=True)
    submit = fields.Boolean(load_default=True)


class AssignRunInSchema(Schema):
    reviewer_ids = fields.List(Id(), load_default=None, allow_none=True, validate=validate.Length(max=500))
    per_application = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=1, max=15))
    seed = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=0, max=2**31 - 1))
    stage = fields.String(load_default="document", validate=validate.OneOf(STAGES))


class ShortfallSchema(Schema):
    application_id = WholeNumber()
    needed = WholeNumber()
    available = WholeNumber()


class AssignRunOutSchema(Schema):
    id = WholeNumber()
    call_id = WholeNumber()
    stage = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "ready", "failed", "committed", "discarded"]})
    seed = WholeNumber()
    progress = fields.Float()
    per_application = WholeNumber()
    report = fields.Dict()
    created_at = fields.AwareDateTime()
    committed_at = fields.AwareDateTime(allow_none=True)
    poll = fields.String(metadata={"description": "URL of this job"})


class AssignResultSchema(Schema):
    job = fields.Nested(AssignRunOutSchema)
    committed = WholeNumber(allow_none=True)


class RankingQuery(Pagination):
    stage = fields.String(load_default="document", validate=validate.OneOf(STAGES))
    per_page = WholeNumber(load_default=100, validate=validate.Range(min=1, max=1000))


class RankingItemSchema(Schema):
    application_id = WholeNumber()
    receipt_number = fields.String(allow_none=True)
    track = fields.String()
    physical_ai = fields.Boolean()
    raw_scores = fields.List(fields.Float())
    assigned = WholeNumber()
    trimmed_mean = fields.Float(allow_none=True)
    bonus = fields.Float()
    penalty = fields.Float()
    final_score = fields.Float(allow_none=True)
    rank = WholeNumber(allow_none=True)
    adjusted_score = fields.Float(allow_none=True)
    adjusted_rank = WholeNumber(allow_none=True)
    outlier_reviewer_ids = fields.List(WholeNumber(), attribute="outliers")


class RankingSchema(Schema):
    items = fields.List(fields.Nested(RankingItemSchema))
    total = WholeNumber()
    stage = fields.String()
    agreement = fields.Float(allow_none=True)


class PledgeOutSchema(Schema):
    id = WholeNumber()
    call_id = WholeNumber()
    reviewer_id = WholeNumber()
    statement_version = fields.String(metadata={"description": "The version of the pledge text signed"})
    signed_at = fields.AwareDateTime()


class EvaluatorTextsSchema(Schema):
    summary = fields.String()
    problem = fields.String()
    solution = fields.String()
    scale_up = fields.String()
    team = fields.String()


class EvaluatorApplicationSchema(Schema):
    """An application as its evaluator reads it: in the blind round without the company's identity."""

    id = WholeNumber(attribute="application_id")
    call_id = WholeNumber()
    assignment_id = WholeNumber(metadata={"description": "The evaluator's assignment this view belongs to"})
    review_code = fields.String(metadata={"description": "The blind code shown instead of the company"})
    stage = fields.String(metadata={"enum": STAGES})
    blind = fields.Boolean(
        metadata={
            "description": "Document round: no company name, registration number, CEO, website or files, "
            "and names, numbers and contact details in the texts are masked as ○○○"
        }
    )
    company_name = fields.String(allow_none=True, metadata={"description": "null in the blind round"})
    track = fields.String()
    industry = fields.String()
    employees = WholeNumber(allow_none=True)
    target_markets = fields.List(fields.String())
    document_kinds = fields.List(
        fields.String(), metadata={"description": "The kinds of document provided; the files are not given"}
    )
    texts = fields.Nested(EvaluatorTextsSchema)
