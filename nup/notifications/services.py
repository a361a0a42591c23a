"""Queue notifications in the outbox, and move them through pending -> sending -> sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from nup import background, security
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db, savepoint
from nup.notifications import catalogue, delivery, sandbox
from nup.notifications.models import EmailTemplate, Notification, NotificationStatus
from nup.timeutil import utcnow

DELIVER_TASK = "notifications.deliver"
# Mail that must leave at once goes on the priority queue.
PRIORITY_KINDS = frozenset({"verify_email", "reset_password", "staff_invitation", "sign_in_locked"})
MAX_ATTEMPTS = 8
# A row left in `sending` this long belongs to a worker that died: it may be taken again.
# Longer than any SMTP conversation (30 s timeouts); NOTIFY_CLAIM_SECONDS overrides it.
STALE_CLAIM = timedelta(minutes=5)


def stale_claim() -> timedelta:
    seconds = current_app.config.get("NOTIFY_CLAIM_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else STALE_CLAIM


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
    attachments: list[dict] | None = None,
) -> Notification | None:
    """Record an email to `to` (a user) in the outbox; it is handed to the worker on commit.

    `key` names the event: together with the kind and recipient it makes the row unique,
    so queueing the same event twice returns the first row instead of a second email.
    `attachments` ({filename, content_type, content} with text content) travel in the row.
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
        attachments=list(attachments or []),
    )
    try:
        with savepoint():
            db.session.add(notification)
    except IntegrityError:
        # Another process (a second beat, a retried request) queued it a moment ago.
        return db.session.scalar(select(Notification).where(Notification.idempotency_key == idempotency_key))
    background.enqueue(DELIVER_TASK, queue=notification.queue, notification_id=notification.id)
    notification.created_now = True
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
                (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - stale_claim()),
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
                (Notification.status == NotificationStatus.PENDING)
                & (Notification.created_at < now - older_than)
                & or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at < now - older_than),
                (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - stale_claim()),
            )
        )
        .order_by(Notification.queue.desc(), Notification.id)
        .limit(limit)
    )
    return [(row.id, row.queue) for row in rows]


class RetryLater(Exception):
    """Delivery failed for now; the caller schedules another attempt in `delay` seconds."""

    def __init__(self, reason: str, delay: float):
        super().__init__(reason)
        self.reason, self.delay = reason, delay


def retry_delay(attempt: int, *, rand: float, base: float = 30.0) -> float:
    """Seconds before retry `attempt` (0-based): exponential with jitter, capped.

    The first retry comes within a minute; no delay reaches the broker's visibility
    timeout (an hour), which would make Redis hand the message out twice.
    """
    delay = min(base * 2**attempt, 1800)
    return delay * (0.5 + rand / 2)


def deliver_notification(notification_id: int, *, now: datetime, rand: float = 0.5) -> str:
    """Send one outbox row; return 'sent', 'skipped' or 'failed', or raise RetryLater.

    Unlike request-side services this owns its transactions: the claim is committed
    before the mail leaves so no other worker can send it too, and the outcome is
    committed right after.
    """

    if not claim_for_sending(notification_id, now=now):
        return "skipped"  # unknown, finished, or being sent by another worker
    notification = db.session.get(Notification, notification_id)

    def accepted() -> None:
        mark_sent(notification, message=message, now=now)
        db.session.commit()

    try:
        message = delivery.render(notification)
        delivery.send(message, on_accepted=accepted)
    except delivery.PermanentDeliveryError as error:
        mark_attempt_failed(notification, error=str(error), final=True)
        db.session.commit()
        return "failed"
    except delivery.TemporaryDeliveryError as error:
        if notification.status == NotificationStatus.SENT:
            return "sent"  # accepted by the server; only closing the connection failed
        final = notification.attempts >= MAX_ATTEMPTS
        mark_attempt_failed(notification, error=str(error), final=final)
        delay = retry_delay(
            notification.attempts - 1, rand=rand, base=current_app.config.get("NOTIFY_RETRY_BASE_SECONDS", 30.0)
        )
        notification.next_attempt_at = None if final else now + timedelta(seconds=delay)
        db.session.commit()
        if final:
            return "failed"
        raise RetryLater(str(error), delay) from error
    return "sent"


# ---------------------------------------------------------------------------- officers' tools


def resend_notification(original: Notification, *, actor, now: datetime) -> Notification:
    """Queue the same email again (a new outbox row; the log keeps both)."""

    security.require(actor, "outbox.manage")
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.idempotency_key.like(f"{original.idempotency_key}:resend:%"))
    )
    copy = Notification(
        kind=original.kind,
        user_id=original.user_id,
        to_address=original.to_address,
        language=original.language,
        context=original.context,
        attachments=list(original.attachments or []),
        idempotency_key=f"{original.idempotency_key}:resend:{count + 1}",
        queue="priority",
        essential=original.essential,
        status=NotificationStatus.PENDING,
        created_at=now,
        call_id=original.call_id,
        bulk_id=original.bulk_id,
    )
    db.session.add(copy)
    db.session.flush()
    background.enqueue(DELIVER_TASK, queue=copy.queue, notification_id=copy.id)
    audit.record(actor, "outbox.resent", original, detail=f"as #{copy.id}")
    return copy


def cancel_notification(notification: Notification, *, actor, now: datetime) -> None:
    """Stop an email that has not left yet."""

    security.require(actor, "outbox.manage")
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.CANCELLED, last_error=f"cancelled by {actor.email} at {now.isoformat()}")
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise Conflict(_l("Only an email that is still waiting can be cancelled."))
    audit.record(actor, "outbox.cancelled", notification)
    db.session.flush()


MAX_SUBJECT = 300


PERSONAL_LINK_KEPT = _l(
    "This email carries a personal link (to confirm, reset, accept or unlock) that wording cannot build,"
    " so it always keeps its built-in wording."
)


def save_template(*, actor, kind: str, language: str, subject: str, body: str, now: datetime) -> EmailTemplate:
    """Store the officers' wording of an email after checking it renders with sample values."""

    security.require(actor, "outbox.manage")
    if kind not in catalogue.KINDS or language not in ("ko", "en"):
        raise DomainError(_l("Unknown email or language."))
    if catalogue.KINDS[kind].personal_link:
        message = str(PERSONAL_LINK_KEPT)
        raise DomainError(message, fields={"body": [message]})
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = [str(_l("Enter a subject."))]
    if not body:
        errors["body"] = [str(_l("Enter the text of the email."))]
    if len(subject) > MAX_SUBJECT:
        errors["subject"] = [str(_l("A subject may have at most %(chars)d characters.", chars=MAX_SUBJECT))]
    if len(body) > sandbox.MAX_SOURCE:
        errors["body"] = [str(_l("A template may have at most %(chars)d characters.", chars=sandbox.MAX_SOURCE))]
    for field, text in (("subject", subject), ("body", body)):
        if text and field not in errors:
            try:  # the same limits as at send time: size, work and output (nup.notifications.sandbox)
                sandbox.render(text, dict(catalogue.KINDS[kind].sample))
            except Exception as error:
                errors[field] = [str(_l("This template cannot be used: %(error)s", error=str(error)[:200]))]
    if errors:
        raise DomainError(_l("The template has errors."), fields=errors)
    template = db.session.scalar(
        select(EmailTemplate).where(EmailTemplate.kind == kind, EmailTemplate.language == language)
    )
    before = {"subject": template.subject, "body": template.body} if template else None
    if template is None:
        template = EmailTemplate(kind=kind, language=language)
        db.session.add(template)
    template.subject, template.body = subject, body
    template.updated_by_id, template.updated_at = actor.id, now
    db.session.flush()
    audit.record(actor, "email_template.saved", template, before=before, after={"subject": subject, "body": body})
    return template


def reset_template(*, actor, kind: str, language: str) -> None:
    """Go back to the built-in wording."""

    security.require(actor, "outbox.manage")
    template = db.session.scalar(
        select(EmailTemplate).where(EmailTemplate.kind == kind, EmailTemplate.language == language)
    )
    if template is not None:
        audit.record(actor, "email_template.reset", template, before={"subject": template.subject})
        db.session.delete(template)
        db.session.flush()


def cancel_pending_optional(*, user_id: int, reason: str) -> int:
    """Cancel the non-essential mail still waiting for one person (a withdrawn consent); how many."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.essential.is_(False),
            Notification.status == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.CANCELLED, last_error=reason[:200])
    )
    return result.rowcount or 0
