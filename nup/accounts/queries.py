"""Reads about accounts for views, the API and workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from nup.accounts.consents import CONSENTS
from nup.accounts.models import ApiToken, Consent, User, UserSession
from nup.accounts.services import token_digest
from nup.extensions import db


def live_session(session_id: str, key: str | None) -> UserSession | None:
    """The live server-side session of a cookie, or None.

    `session_id` is `<user id>:<account session token>` and `key` the session's random key:
    both must match, the session must not be ended and the account must be active.
    """
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token or not key:
        return None
    found = db.session.scalar(select(UserSession).where(UserSession.key_digest == token_digest(key)))
    if found is None or found.revoked_at is not None or found.user_id != int(user_id):
        return None
    user = found.user
    if user.session_token != token or not user.active:
        return None
    return found


def live_sessions_of(user: User, *, now: datetime, idle: timedelta, absolute: timedelta) -> list[UserSession]:
    """The user's sessions that could still be used, most recently seen first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at > now - idle,
                UserSession.created_at > now - absolute,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def live_api_token(plaintext: str) -> ApiToken | None:
    """The unrevoked token of an active user with this plaintext, if any."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def current_consents(user: User) -> dict[str, Consent | None]:
    """The newest decision per consent kind (None where never asked)."""
    newest = (
        select(Consent.kind, func.max(Consent.sequence).label("sequence"))
        .where(Consent.user_id == user.id)
        .group_by(Consent.kind)
        .subquery()
    )
    rows = db.session.scalars(
        select(Consent)
        .join(newest, (Consent.kind == newest.c.kind) & (Consent.sequence == newest.c.sequence))
        .where(Consent.user_id == user.id)
    )
    by_kind = {row.kind: row for row in rows}
    return {text.kind: by_kind.get(text.kind) for text in CONSENTS}


def consent_history(user: User) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent).where(Consent.user_id == user.id).order_by(Consent.recorded_at.desc(), Consent.id.desc())
        )
    )


def search_users(*, text: str = "", role: str = "", page: int = 1, per_page: int = 25):
    """Users matching a name or email fragment and a role, newest first, paginated."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if text:
        like = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    if role:
        query = query.where(User.role == role)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
