"""Every periodic job in one list (Celery beat, Asia/Seoul)."""

from __future__ import annotations

BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "notifications.sweep",
        "schedule": 60.0,
        "options": {"queue": "priority", "expires": 55},
    },
}
