"""Queue notifications in the outbox, and move them through pending -> sending -> sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from nup import background
from nup.extensions import db, savepoint
from nup.notifications import catalogue
from nup.notifications.models import Notification, NotificationStatus
from nup.timeutil import utcnow

DELIVER_TASK = "notifications.deliver"
# Mail that must leave at once goes on the priority queue.
PRIORITY_KINDS = frozenset({"verify_email", "reset_password", "staff_invitation"})
MAX_ATTEMPTS = 8
# A row left in `sending` this long belongs to a worker that died: it may be taken again.
STALE_CLAIM = timedelta(minutes=10)


def queue(
    kind: str,
    *,
    to: Any,
    key: str,
    context: dict | None = None,
    priority: bool | None = None,
    essential: bool | None = None,
    call_id: int | None = None,
    bulk_id: int | None = None,
) -> Notification | None:
    """Record an email to `to` (a user) in the outbox; it is handed to the worker on commit.

    `key` names the event: together with the kind and recipient it makes the row unique,
    so queueing the same event twice returns the first row instead of a second email.
    Non-essential mail to someone who opted out is not queued (None is returned).
    """
    essential = catalogue.is_essential(kind) if essential is None else essential
    if not essential and getattr(to, "mail_opt_out", False):
        return None
    idempotency_key = f"{kind}:{key}:{to.id}"
    existing = db.session.scalar(select(Notification).where(Notification.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    use_priority = priority if priority is not None else kind in PRIORITY_KINDS
    notification = Notification(
        kind=kind,
        user_id=to.id,
        to_address=to.email,
        language=getattr(to, "language", None) or "ko",
        context=context or {},
        idempotency_key=idempotency_key,
        queue="priority" if use_priority else "default",
        essential=essential,
        status=NotificationStatus.PENDING,
        created_at=utcnow(),
        call_id=call_id,
        bulk_id=bulk_id,
    )
    try:
        with savepoint():
            db.session.add(notification)
    except IntegrityError:
        # Another process (a second beat, a retried request) queued it a moment ago.
        return db.session.scalar(select(Notification).where(Notification.idempotency_key == idempotency_key))
    background.enqueue(DELIVER_TASK, queue=notification.queue, notification_id=notification.id)
    return notification


def claim_for_sending(notification_id: int, *, now: datetime) -> bool:
    """Move a row to `sending` unless another worker holds it or it is finished.

    A single conditional UPDATE, committed at once, so two workers given the same task
    (a redelivery) cannot both send it.
    """
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            or_(
                Notification.status == NotificationStatus.PENDING,
                (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(
            status=NotificationStatus.SENDING,
            claimed_at=now,
            attempts=Notification.attempts + 1,
        )
    )
    db.session.commit()
    return result.rowcount == 1


def mark_sent(notification: Notification, *, message, now: datetime) -> None:
    """Record a delivered email, and keep it as it was sent."""
    notification.status = NotificationStatus.SENT
    notification.message_id = message["Message-ID"]
    notification.subject = message["Subject"]
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    notification.body_text = text_part.get_content() if text_part else None
    notification.body_html = html_part.get_content() if html_part else None
    notification.sent_at = now
    notification.last_error = None


def mark_attempt_failed(notification: Notification, *, error: str, final: bool) -> None:
    """Record a failed attempt: back to pending for a retry, or failed for good."""
    notification.last_error = error[:2000]
    notification.status = NotificationStatus.FAILED if final else NotificationStatus.PENDING


def pending_for_sweep(*, now: datetime, older_than: timedelta, limit: int = 500) -> list[tuple[int, str]]:
    """(id, queue) of rows a lost broker message left behind: long pending, or stale sending."""
    rows = db.session.execute(
        select(Notification.id, Notification.queue)
        .where(
            or_(
                (Notification.status == NotificationStatus.PENDING) & (Notification.created_at < now - older_than),
                (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(Notification.queue.desc(), Notification.id)
        .limit(limit)
    )
    return [(row.id, row.queue) for row in rows]


class RetryLater(Exception):
    """Delivery failed for now; the caller schedules another attempt."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def retry_delay(attempt: int, *, rand: float) -> float:
    """Seconds before retry `attempt` (0-based): exponential with jitter, capped.

    The first retry comes within a minute; no delay reaches the broker's visibility
    timeout (an hour), which would make Redis hand the message out twice.
    """
    base = min(30 * 2**attempt, 1800)
    return base * (0.5 + rand / 2)


def deliver_notification(notification_id: int, *, now: datetime) -> str:
    """Send one outbox row; return 'sent', 'skipped' or 'failed', or raise RetryLater.

    Unlike request-side services this owns its transactions: the claim is committed
    before the mail leaves so no other worker can send it too, and the outcome is
    committed right after.
    """
    from nup.notifications import delivery  # rendering needs templates; keep import light

    if not claim_for_sending(notification_id, now=now):
        return "skipped"  # unknown, finished, or being sent by another worker
    notification = db.session.get(Notification, notification_id)
    try:
        message = delivery.render(notification)
        delivery.send(message)
    except delivery.PermanentDeliveryError as error:
        mark_attempt_failed(notification, error=str(error), final=True)
        db.session.commit()
        return "failed"
    except delivery.TemporaryDeliveryError as error:
        final = notification.attempts >= MAX_ATTEMPTS
        mark_attempt_failed(notification, error=str(error), final=final)
        db.session.commit()
        if final:
            return "failed"
        raise RetryLater(str(error)) from error
    mark_sent(notification, message=message, now=now)
    db.session.commit()
    return "sent"
