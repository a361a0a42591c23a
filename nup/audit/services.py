"""Write audit events; every service that decides something calls `record`."""

from __future__ import annotations

from typing import Any

from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.timeutil import utcnow


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    detail: str | None = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event in the current transaction (it commits with the change)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if authenticated else None,
        actor_label=actor_label or (actor.email if authenticated else "system"),
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) else None,
        ip_address=ip,
        before=before,
        after=after,
        detail=detail,
    )
    db.session.add(event)
    return event
