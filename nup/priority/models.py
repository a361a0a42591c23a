"""Versions of a call's Physical AI priority policy: each change is kept with who made it and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class PriorityPolicyVersion(db.Model):
    __tablename__ = "priority_policy_versions"
    __table_args__ = (UniqueConstraint("call_id", "version", name="uq_priority_policy_versions_call_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    policy: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
