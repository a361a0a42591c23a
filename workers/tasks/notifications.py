"""Notification tasks: deliver one outbox row; sweep rows a lost message left behind."""

from __future__ import annotations

import random
from datetime import timedelta

from celery import shared_task
from flask import current_app

from nup import background
from nup.notifications import services
from nup.timeutil import utcnow


@shared_task(name="notifications.deliver", bind=True, acks_late=True, max_retries=None)
def deliver(self, notification_id: int) -> str:
    try:
        return services.deliver_notification(notification_id, now=utcnow(), rand=random.random())
    except services.RetryLater as error:
        raise self.retry(exc=error, countdown=error.delay) from error


@shared_task(name="notifications.sweep", acks_late=True)
def sweep() -> int:
    """Publish again every row a lost broker message left pending (or a dead worker left sending)."""
    after = timedelta(seconds=current_app.config["NOTIFY_SWEEP_AFTER_SECONDS"])
    rows = services.pending_for_sweep(now=utcnow(), older_than=after)
    for notification_id, queue in rows:
        background.send_now(services.DELIVER_TASK, queue=queue, notification_id=notification_id)
    return len(rows)
