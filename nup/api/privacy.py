"""API handler for the caller's own personal data (the JSON of the "My data" download)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from nup.api.blueprint import bp
from nup.api.schemas import ErrorSchema
from nup.privacy import mydata
from nup.timeutil import utcnow


class MyDataSchema(Schema):
    profile = fields.Dict(required=True)
    consents = fields.List(fields.Dict(), required=True)
    applications = fields.List(fields.Dict(), required=True)
    documents = fields.List(fields.Dict(), required=True)
    evaluations = fields.List(
        fields.Dict(), required=True, metadata={"description": "Released results and scores, without evaluators"}
    )
    evaluations_given = fields.List(fields.Dict(), required=True, metadata={"description": "An evaluator's own sheets"})
    mentoring = fields.Dict(required=True)
    overseas = fields.Dict(required=True)
    emails = fields.List(fields.Dict(), required=True)
    access_log = fields.List(fields.Dict(), required=True, metadata={"description": "Who read your data, and when"})
    requests = fields.List(fields.Dict(), required=True)


@bp.route("/me/data")
@bp.response(200, MyDataSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid bearer token")
def my_data():
    """Everything held about the caller, as in the "My data" download (files are in the page's ZIP)."""
    data = mydata.gather(current_user._get_current_object(), now=utcnow())
    data.pop("_files")
    return data
