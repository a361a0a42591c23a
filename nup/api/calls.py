"""API: calls for applications (officers create; everyone reads published ones)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from nup import security
from nup.api.blueprint import bp
from nup.api.schemas import CallInSchema, CallListSchema, CallOutSchema, ErrorSchema, Pagination
from nup.extensions import db
from nup.programmes import catalogue, queries, services
from nup.programmes.models import CallStatus
from nup.timeutil import to_kst, utcnow


def call_values(payload: dict) -> dict:
    """Turn the API's call document into the service's settings (defaults fill the rest)."""
    values: dict = {
        "title_ko": payload["title"],
        "opens_at": payload["opens_at"],
        "closes_at": payload["closes_at"],
        "announced_on": payload.get("announced_on") or to_kst(payload["opens_at"]).date(),
    }
    for source, target in (
        ("title_en", "title_en"),
        ("description", "description_ko"),
        ("description_en", "description_en"),
        ("reviewers_per_application",) * 2,
        ("trim_min_reviews",) * 2,
        ("bonus_rules",) * 2,
        ("bonus_cap",) * 2,
        ("tie_breakers",) * 2,
    ):
        if source in payload:
            values[target] = payload[source]
    if "tracks" in payload:
        values["tracks"] = [_track(t) for t in payload["tracks"]]
    if "rubric" in payload:
        values["rubric"] = [
            {
                "key": c["key"],
                "label_ko": c.get("label_ko") or c.get("label") or c["key"],
                "label_en": c.get("label_en") or c.get("label") or c["key"],
                "max_points": c["max_points"],
                "weight": c.get("weight", 1.0),
                "guidance": c.get("guidance", ""),
            }
            for c in payload["rubric"]
        ]
    if "eligibility" in payload:
        values["eligibility"] = {**services.default_call_values()["eligibility"], **payload["eligibility"]}
    if "required_documents" in payload:
        values["required_documents"] = [_document(d) for d in payload["required_documents"]]
    return values


def _track(track) -> dict:
    if isinstance(track, str):
        known = next((t for t in catalogue.DEFAULT_TRACKS if t["key"] == track), None)
        return (
            dict(known)
            if known
            else {
                "key": track,
                "label_ko": track,
                "label_en": track,
                "quota": 0,
                "physical_ai": track.startswith("physical_ai"),
            }
        )
    if not isinstance(track, dict) or not track.get("key"):
        return {"key": ""}  # refused by the service's check with a clear message
    return {
        "key": str(track["key"]),
        "label_ko": track.get("label_ko") or track.get("label") or track["key"],
        "label_en": track.get("label_en") or track.get("label") or track["key"],
        "quota": track.get("quota", 0),
        "physical_ai": bool(track.get("physical_ai", str(track["key"]).startswith("physical_ai"))),
    }


def _document(document) -> dict:
    if isinstance(document, str):
        default = next((d for d in catalogue.DEFAULT_REQUIRED_DOCUMENTS if d["kind"] == document), None)
        return {"kind": document, "applicant_types": [], "max_age_days": (default or {}).get("max_age_days")}
    if not isinstance(document, dict):
        return {"kind": None}
    return {
        "kind": document.get("kind"),
        "applicant_types": document.get("applicant_types") or [],
        "max_age_days": document.get("max_age_days"),
    }


@bp.route("/calls", methods=["POST"])
@bp.arguments(CallInSchema)
@bp.response(201, CallOutSchema)
@bp.alt_response(422, schema=ErrorSchema, description="Invalid settings")
def create_call(payload: dict):
    """Create a call (officers). It is published at once unless `status` is `draft`."""
    now = utcnow()
    call = services.create_call(actor=current_user._get_current_object(), values=call_values(payload), now=now)
    if payload.get("status", "published") == CallStatus.PUBLISHED:
        services.publish_call(call, actor=current_user._get_current_object(), now=now)
    db.session.commit()
    return call


@bp.route("/calls", methods=["GET"])
@bp.arguments(Pagination, location="query")
@bp.response(200, CallListSchema)
def list_calls(args: dict):
    """Calls: published and closed ones; officers see drafts too."""
    staff = security.can(current_user, "calls.manage")
    pagination = queries.api_calls(staff=staff, page=args["page"], per_page=args["per_page"])
    return {"items": pagination.items, "total": pagination.total}


@bp.route("/calls/<int:call_id>", methods=["GET"])
@bp.response(200, CallOutSchema)
def get_call(call_id: int):
    """One call."""
    call = queries.visible_call(call_id, staff=security.can(current_user, "calls.manage"))
    if call is None:
        abort(404)
    return call
