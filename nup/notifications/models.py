"""The outbox: every email is a row written in the transaction that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="ko")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # Files sent with the mail, kept in the row so a retry or a resend sends the same bytes:
    # [{filename, content_type, content (text)}] - e.g. a session's calendar invitation.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # One email per event and recipient: a retried request or a second beat cannot
    # queue the same email twice.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    queue: Mapped[str] = mapped_column(String(20), default="default")
    essential: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=NotificationStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(300))
    # The message as it was sent, for officers to read and to resend.
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    call_id: Mapped[int | None] = mapped_column(Integer, index=True)
    bulk_id: Mapped[int | None] = mapped_column(ForeignKey("bulk_messages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a retry is due (the sweeper leaves the row alone until then).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # body removed by the retention purge

    # Not stored: True on the row a queue() call has just created (False when it found one).
    created_now = False


class EmailTemplate(db.Model):
    """An officer's wording of one kind of email in one language (overrides the file template)."""

    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("kind", "language", name="uq_email_templates_kind_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BulkMessage(db.Model):
    """A message an officer wrote to a group, queued as one outbox row per recipient."""

    __tablename__ = "bulk_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    subject_ko: Mapped[str] = mapped_column(String(300))
    subject_en: Mapped[str] = mapped_column(String(300), default="")
    body_ko: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    essential: Mapped[bool] = mapped_column(default=False)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
