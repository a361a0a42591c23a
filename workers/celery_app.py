"""Build the Flask app and expose its Celery instance: `celery -A workers.celery_app`."""

from __future__ import annotations

import importlib

from nup import create_app
from workers.schedule import beat_schedule

TASK_MODULES = (
    "workers.tasks.notifications",
    "workers.tasks.schedules",
    "workers.tasks.reviews",
    "workers.tasks.priority",
    "workers.tasks.mentoring",
    "workers.tasks.overseas",
    "workers.tasks.privacy",
)

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.conf.beat_schedule = beat_schedule(flask_app.config)
for module in TASK_MODULES:
    importlib.import_module(module)
app = celery
