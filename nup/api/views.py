"""API handlers about the caller: who am I."""

from __future__ import annotations

from flask_login import current_user

from nup.api.blueprint import bp
from nup.api.schemas import ErrorSchema, MeSchema


@bp.route("/me")
@bp.response(200, MeSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid bearer token")
def me():
    """The account the bearer token belongs to."""
    return current_user._get_current_object()
