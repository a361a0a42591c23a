"""Marshmallow schemas of the API: they validate input and document the OpenAPI shapes."""

from __future__ import annotations

from marshmallow import Schema, fields


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
