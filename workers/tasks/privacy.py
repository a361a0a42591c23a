"""The daily retention purge: one run a day under a lock, committing batch by batch."""

from __future__ import annotations

from celery import shared_task

from nup import redis_client
from nup.extensions import db
from nup.privacy import purge
from nup.timeutil import to_kst, utcnow


@shared_task(name="privacy.purge", acks_late=True)
def daily_purge() -> dict:
    """Purge what the retention rules say has expired (idempotent: a second run finds nothing)."""
    now = utcnow()
    with redis_client.exclusive(f"privacy_purge:{to_kst(now).date().isoformat()}", ttl_seconds=3600) as mine:
        if not mine:
            return {}
        try:
            return purge.run_purge(now=now, commit=db.session.commit)
        except Exception:
            db.session.rollback()
            raise
