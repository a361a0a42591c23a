"""Every periodic job in one list (Celery beat; crontab times are Asia/Seoul)."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "notifications.sweep",
        "schedule": 60.0,
        "options": {"queue": "priority", "expires": 55},
    },
    "deadline-reminders": {  # D-3 and D-1 before each call's deadline
        "task": "schedules.deadline_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "weekly-status": {
        "task": "schedules.weekly_status",
        "schedule": crontab(hour=9, minute=30, day_of_week="mon"),
    },
    "review-reminders": {  # evaluators with reviews due within 3 days
        "task": "schedules.review_reminders",
        "schedule": crontab(hour=9, minute=10),
    },
    "sweep-unclassified": {  # applications whose classification message was lost
        "task": "priority.sweep_unclassified",
        "schedule": 300.0,
        "options": {"queue": "priority", "expires": 290},
    },
    "sweep-assignment-runs": {
        "task": "reviews.sweep_runs",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    "officer-digest": {
        "task": "schedules.officer_digest",
        "schedule": crontab(hour=8, minute=30),
    },
    # Mentoring
    "mentoring-reminders": {  # sessions starting within 24 hours
        "task": "mentoring.session_reminders",
        "schedule": 900.0,
        "options": {"queue": "priority", "expires": 890},
    },
    "sweep-mentoring-runs": {
        "task": "mentoring.sweep_runs",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # Overseas-market support
    "overseas-daily": {  # at-risk flags, then KPI-report and milestone reminders
        "task": "overseas.daily",
        "schedule": crontab(hour=9, minute=20),
    },
}
