"""Every periodic job in one list (Celery beat; crontab times are Asia/Seoul).

The sweepers (jobs that publish again what a lost broker message left behind) run at the
pace of their own "after" threshold: see sweep_interval.
"""

from __future__ import annotations

from collections.abc import Mapping

from celery.schedules import crontab

SWEEP_INTERVAL_MIN_SECONDS = 5.0
SWEEP_INTERVAL_MAX_SECONDS = 60.0
# The run sweepers' thresholds (workers/tasks/reviews.py and mentoring.py use these).
ASSIGNMENT_RUN_STUCK_AFTER_SECONDS = 120
MATCH_RUN_STUCK_AFTER_SECONDS = 120


def sweep_interval(after_seconds: float) -> float:
    """Seconds between two runs of a sweeper that takes up rows older than `after_seconds`.

    Half the threshold, kept between 5 s (not busier than that) and 60 s (never slower):
    a row whose message was lost becomes due `after_seconds` after it was written and is
    taken up by the next run, so within after_seconds + sweep_interval(after_seconds),
    at most 1.5 x the threshold once it is 10 s or more.
    """
    return min(SWEEP_INTERVAL_MAX_SECONDS, max(SWEEP_INTERVAL_MIN_SECONDS, after_seconds / 2))


def _sweeper(task: str, after_seconds: float, **options: object) -> dict:
    interval = sweep_interval(after_seconds)
    # A run still waiting when the next one is due is dropped: the next one does its work.
    return {"task": task, "schedule": interval, "options": {**options, "expires": max(1.0, interval * 0.9)}}


def beat_schedule(config: Mapping) -> dict:
    """The beat schedule for this configuration (the outbox sweep follows NOTIFY_SWEEP_AFTER_SECONDS)."""
    return {
        "sweep-outbox": _sweeper(
            "notifications.sweep", float(config["NOTIFY_SWEEP_AFTER_SECONDS"]), queue="priority"
        ),
        "sweep-assignment-runs": _sweeper("reviews.sweep_runs", ASSIGNMENT_RUN_STUCK_AFTER_SECONDS),
        "sweep-mentoring-runs": _sweeper("mentoring.sweep_runs", MATCH_RUN_STUCK_AFTER_SECONDS),
        **FIXED_SCHEDULE,
    }


FIXED_SCHEDULE = {
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
    "sweep-unclassified": {  # applications whose classification message was lost (no threshold)
        "task": "priority.sweep_unclassified",
        "schedule": 300.0,
        "options": {"queue": "priority", "expires": 290},
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
    # Overseas-market support
    "overseas-daily": {  # at-risk flags, then KPI-report and milestone reminders
        "task": "overseas.daily",
        "schedule": crontab(hour=9, minute=20),
    },
    # Personal data: what the retention rules say has expired (nup/privacy/retention.py)
    "privacy-purge": {
        "task": "privacy.purge",
        "schedule": crontab(hour=3, minute=0),
    },
}
