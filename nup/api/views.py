"""API handlers: authenticate by bearer token, call the same services as the pages."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from nup.api.schemas import ErrorSchema, MeSchema

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="N-Up API v1")


@bp.route("/me")
@bp.response(200, MeSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid bearer token")
def me():
    """The account the bearer token belongs to."""
    return current_user._get_current_object()
