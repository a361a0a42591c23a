"""The only door from nup to Celery: enqueue(task_name, **ids), sent after the commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from nup.extensions import db

log = logging.getLogger(__name__)
_PENDING_KEY = "nup_pending_tasks"


@dataclass(frozen=True)
class PendingTask:
    name: str
    kwargs: dict = field(default_factory=dict)
    queue: str = "default"


def enqueue(task_name: str, *, queue: str = "default", **ids: int | str) -> None:
    """Hand a task to Celery once the current transaction commits; a rollback drops it.

    Tasks carry ids only: the worker loads the rows, so it always sees committed data.
    """
    db.session.info.setdefault(_PENDING_KEY, []).append(PendingTask(task_name, ids, queue))


def send_now(task_name: str, *, queue: str = "default", **ids: int | str) -> bool:
    """Publish a task immediately (for the sweeper and CLI); False when the broker is down."""
    celery = current_app.extensions["celery"]
    try:
        celery.send_task(task_name, kwargs=ids, queue=queue)
    except Exception as error:
        # The row stays pending in the database; the sweeper publishes it again later.
        log.warning("could not publish %s %s: %s", task_name, ids, error)
        return False
    return True


def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, [])
    for task in pending:
        send_now(task.name, queue=task.queue, **task.kwargs)


def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return  # a savepoint rolled back; the outer transaction may still commit
    session.info.pop(_PENDING_KEY, None)


def install() -> None:
    """Listen on every session for commits and rollbacks (called once by create_app)."""
    if not event.contains(Session, "after_commit", _publish_after_commit):
        event.listen(Session, "after_commit", _publish_after_commit)
        event.listen(Session, "after_soft_rollback", _drop_after_rollback)
