"""The only door from nup to Celery: enqueue(task_name, **ids), sent after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from nup.extensions import db

log = logging.getLogger(__name__)
_PENDING_KEY = "nup_pending_tasks"
_ON_COMMIT_KEY = "nup_on_commit"
_ON_ROLLBACK_KEY = "nup_on_rollback"


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


def after_commit(action: Callable[..., object], *args: object) -> None:
    """Run `action(*args)` once the current transaction commits (e.g. delete a replaced file)."""
    db.session.info.setdefault(_ON_COMMIT_KEY, []).append((action, args))


def after_rollback(action: Callable[..., object], *args: object) -> None:
    """Run `action(*args)` if the current transaction rolls back (e.g. drop an orphaned file)."""
    db.session.info.setdefault(_ON_ROLLBACK_KEY, []).append((action, args))


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
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    session.info.pop(_ON_ROLLBACK_KEY, None)
    for action, args in session.info.pop(_ON_COMMIT_KEY, []):
        _run_safely(action, args)
    for task in session.info.pop(_PENDING_KEY, []):
        if not send_now(task.name, queue=task.queue, **task.kwargs):
            break  # the broker is down: the rest wait in the outbox for the sweeper too


def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return  # a savepoint rolled back; the outer transaction may still commit
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_ON_COMMIT_KEY, None)
    for action, args in session.info.pop(_ON_ROLLBACK_KEY, []):
        _run_safely(action, args)


def _run_safely(action: Callable[..., object], args: tuple) -> None:
    try:
        action(*args)
    except Exception:
        log.exception("after-transaction action %s failed", action)


def install() -> None:
    """Listen on every session for commits and rollbacks (called once by create_app)."""
    if not event.contains(Session, "after_commit", _publish_after_commit):
        event.listen(Session, "after_commit", _publish_after_commit)
        event.listen(Session, "after_soft_rollback", _drop_after_rollback)
