"""API: the outbox, for officers."""

from __future__ import annotations

from nup.api.blueprint import bp
from nup.api.schemas import OutboxListSchema, OutboxQuery
from nup.notifications import queries


@bp.route("/outbox", methods=["GET"])
@bp.arguments(OutboxQuery, location="query")
@bp.response(200, OutboxListSchema)
def list_outbox(args: dict):
    """Every email with its status (officers), newest first; filter by status, kind and call."""
    pagination, _counts = queries.outbox(
        status=args["status"],
        kind=args["kind"],
        call_id=args.get("call_id"),
        page=args["page"],
        per_page=args["per_page"],
    )
    return {"items": pagination.items, "total": pagination.total}
