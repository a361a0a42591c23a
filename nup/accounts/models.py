"""Accounts: people who sign in, their API tokens and their recorded consents."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    MENTOR = "mentor"


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(5), default="ko")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Non-essential mail (reminders, status digests, news) can be switched off; receipts,
    # results and security mail are always sent.
    mail_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rotated at password change and sign-out everywhere: it invalidates every session and
    # every outstanding password-reset link at once.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the account is deleted on request or by the retention purge: the row stays as a
    # tombstone (records keep pointing at it) with nothing that identifies the person.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", lazy="select")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class UserSession(db.Model):
    """One browser sign-in, kept on the server: the cookie holds its random key.

    A session is live while `revoked_at` is empty; sign-out, a password change or reset,
    a role change, disabling the account and "sign out everywhere" set it, and from that
    moment the cookie opens nothing, even replayed. Only the key's SHA-256 is stored.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the password was last typed in this session (sign-in or re-authentication).
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class SignInThrottle(db.Model):
    """Failed sign-ins for one (account address, client address) pair.

    Ten failures lock that pair only: the attacker's address is refused while the
    account holder signs in from anywhere else. Each failure after a lock doubles it.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("email", "ip_address", name="uq_sign_in_throttles_email_ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The emailed unlock link carries this; lifting the lock deletes the row, so a link works once.
    unlock_nonce: Mapped[str | None] = mapped_column(String(32))


class Consent(db.Model):
    """One recorded consent decision; the newest row per kind is the user's current choice."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("user_id", "kind", "sequence", name="uq_consents_user_kind_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
