"""Marshmallow schemas of the mentoring endpoints (mentors, matches, sessions and logs, bulk runs)."""

from __future__ import annotations

from marshmallow import fields, validate

from nup.api.schemas import Id, Pagination, Schema, Version, WholeNumber, bounds
from nup.mentoring.pool import MAX_CAPACITY_HOURS, MAX_FEE_PER_HOUR
from nup.mentoring.sessions import MAX_MINUTES, MIN_MINUTES

MENTOR_STATUSES = ["applied", "approved", "rejected"]
MATCH_STATUSES = ["proposed", "accepted", "declined", "ended"]
SESSION_STATUSES = ["scheduled", "cancelled", "logged", "confirmed", "disputed", "approved"]


class MentorInSchema(Schema):
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation = fields.String(load_default="")
    title = fields.String(load_default="")
    bio = fields.String(load_default="")
    expertise = fields.List(fields.String(), required=True)
    industries = fields.List(fields.String(), load_default=list)
    countries = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(), required=True)
    years_experience = WholeNumber(load_default=10, metadata=bounds(0, 70))
    past_employers = fields.List(fields.String(), load_default=list)
    investments = fields.List(fields.String(), load_default=list)
    advisory_roles = fields.List(fields.String(), load_default=list)
    monthly_capacity_hours = WholeNumber(load_default=10, metadata=bounds(0, MAX_CAPACITY_HOURS))
    fee_per_hour = WholeNumber(
        load_default=100_000, metadata=bounds(0, MAX_FEE_PER_HOUR) | {"description": "Won per hour; never negative"}
    )


class MentorPatchSchema(Schema):
    """Only the fields sent change; none has a default, so nothing left out is overwritten."""

    name = fields.String(validate=validate.Length(min=1, max=100))
    organisation = fields.String()
    title = fields.String()
    bio = fields.String()
    expertise = fields.List(fields.String())
    industries = fields.List(fields.String())
    countries = fields.List(fields.String())
    languages = fields.List(fields.String())
    years_experience = WholeNumber(metadata=bounds(0, 70))
    past_employers = fields.List(fields.String())
    investments = fields.List(fields.String())
    advisory_roles = fields.List(fields.String())
    monthly_capacity_hours = WholeNumber(metadata=bounds(0, MAX_CAPACITY_HOURS))
    fee_per_hour = WholeNumber(
        metadata=bounds(0, MAX_FEE_PER_HOUR) | {"description": "Officers only; a mentor's own change is ignored"}
    )


class MentorOutSchema(Schema):
    id = WholeNumber()
    user_id = WholeNumber(allow_none=True)
    name = fields.String()
    email = fields.String()
    organisation = fields.String()
    title = fields.String()
    expertise = fields.List(fields.String())
    industries = fields.List(fields.String())
    countries = fields.List(fields.String())
    languages = fields.List(fields.String())
    years_experience = WholeNumber()
    monthly_capacity_hours = WholeNumber()
    fee_per_hour = WholeNumber()
    status = fields.String(metadata={"enum": MENTOR_STATUSES})
    active = fields.Boolean()


class MentorQuery(Pagination):
    status = fields.String(load_default="", validate=validate.OneOf(["", *MENTOR_STATUSES]))


class MentorListSchema(Schema):
    items = fields.List(fields.Nested(MentorOutSchema))
    total = WholeNumber()


class ReasonSchema(Schema):
    code = fields.String()
    detail = fields.String()
    points = fields.Float()


class SuggestionSchema(Schema):
    mentor_id = WholeNumber()
    name = fields.String()
    score = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))


class SuggestionsSchema(Schema):
    application_id = WholeNumber()
    items = fields.List(fields.Nested(SuggestionSchema))
    excluded = fields.List(fields.Dict(), metadata={"description": "Conflicted mentors: {mentor_id, reasons}"})


class MatchInSchema(Schema):
    application_id = Id(required=True)
    mentor_id = Id(required=True)


class MatchOutSchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    mentor_id = WholeNumber()
    status = fields.String(metadata={"enum": MATCH_STATUSES})
    score = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))
    proposed_at = fields.AwareDateTime()
    responded_at = fields.AwareDateTime(allow_none=True)
    response_note = fields.String()


class MatchQuery(Pagination):
    status = fields.String(load_default="", validate=validate.OneOf(["", *MATCH_STATUSES]))
    application_id = Id(load_default=None, allow_none=True)


class MatchListSchema(Schema):
    items = fields.List(fields.Nested(MatchOutSchema))
    total = WholeNumber()


class RespondInSchema(Schema):
    accept = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SessionInSchema(Schema):
    match_id = Id(required=True)
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with an offset"})
    minutes = WholeNumber(required=True, metadata=bounds(MIN_MINUTES, MAX_MINUTES))
    mode = fields.String(load_default="online", validate=validate.OneOf(["online", "in_person"]))
    location = fields.String(load_default="", validate=validate.Length(max=500))
    agenda = fields.String(load_default="", validate=validate.Length(max=4000))


class RescheduleInSchema(Schema):
    starts_at = fields.AwareDateTime(required=True)
    minutes = WholeNumber(required=True, metadata=bounds(MIN_MINUTES, MAX_MINUTES))
    mode = fields.String(load_default="online", validate=validate.OneOf(["online", "in_person"]))
    location = fields.String(load_default="", validate=validate.Length(max=500))
    agenda = fields.String(load_default="", validate=validate.Length(max=4000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CancelInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SessionOutSchema(Schema):
    id = WholeNumber()
    match_id = WholeNumber()
    application_id = WholeNumber()
    mentor_id = WholeNumber()
    status = fields.String(metadata={"enum": SESSION_STATUSES})
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    mode = fields.String()
    location = fields.String()
    agenda = fields.String()
    topic = fields.String()
    advice = fields.String()
    follow_up = fields.String()
    logged_minutes = WholeNumber(allow_none=True)
    approved_hours = fields.Float(allow_none=True)
    fee_won = WholeNumber(allow_none=True)
    version = WholeNumber()


class SessionQuery(Pagination):
    status = fields.String(load_default="", validate=validate.OneOf(["", *SESSION_STATUSES]))
    application_id = Id(load_default=None, allow_none=True)


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionOutSchema))
    total = WholeNumber()


class LogInSchema(Schema):
    topic = fields.String(required=True)
    advice = fields.String(required=True)
    follow_up = fields.String(load_default="")
    minutes = WholeNumber(required=True, metadata=bounds(1, MAX_MINUTES))
    version = Version(load_default=None, allow_none=True)


class LogDecisionInSchema(Schema):
    agree = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "confirm: true or false"})
    approve = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "approve: true or false"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    version = Version(load_default=None, allow_none=True)


class RunInSchema(Schema):
    per_startup = WholeNumber(load_default=1, metadata={"enum": [1, 2, 3]})
    call_id = Id(load_default=None, allow_none=True)


class RunOutSchema(Schema):
    id = WholeNumber()
    status = fields.String(metadata={"enum": ["queued", "running", "ready", "failed", "committed", "discarded"]})
    per_startup = WholeNumber()
    proposals = fields.List(fields.Dict())
    unmatched = fields.List(fields.Dict())
    error = fields.String()
    created_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
