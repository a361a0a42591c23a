"""Search the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from nup.audit.models import AuditEvent
from nup.extensions import db


def search_events(
    *,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
):
    """Audit events newest first, filtered by actor label fragment, action prefix and time."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if actor:
        query = query.where(func.lower(AuditEvent.actor_label).like(f"%{actor.strip().lower()}%"))
    if action:
        query = query.where(AuditEvent.action.like(f"{action.strip()}%"))
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def action_names() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
