"""Reads of calls for the public pages, the officers' pages and the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from nup.extensions import db
from nup.programmes.models import Call, CallStatus


def public_calls(*, now: datetime) -> dict[str, list[Call]]:
    """Published calls, grouped as open, upcoming and closed."""
    calls = db.session.scalars(
        select(Call).where(Call.status.in_([CallStatus.PUBLISHED, CallStatus.CLOSED])).order_by(Call.closes_at.desc())
    ).all()
    groups: dict[str, list[Call]] = {"open": [], "upcoming": [], "closed": []}
    for call in calls:
        if call.is_open(now):
            groups["open"].append(call)
        elif call.status == CallStatus.PUBLISHED and now < call.opens_at:
            groups["upcoming"].append(call)
        else:
            groups["closed"].append(call)
    groups["open"].sort(key=lambda c: c.closes_at)
    return groups


def visible_call(call_id: int, *, staff: bool) -> Call | None:
    """A call the public may see (published or closed); staff see drafts too."""
    call = db.session.get(Call, call_id)
    if call is None or (call.status == CallStatus.DRAFT and not staff):
        return None
    return call


def all_calls(*, page: int = 1, per_page: int = 25):
    return db.paginate(
        select(Call).order_by(Call.created_at.desc(), Call.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def api_calls(*, staff: bool, page: int, per_page: int):
    query = select(Call).order_by(Call.closes_at.desc(), Call.id.desc())
    if not staff:
        query = query.where(Call.status != CallStatus.DRAFT)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
