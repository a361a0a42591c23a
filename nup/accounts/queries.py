"""Reads about accounts for views, the API and workers."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from nup.accounts.consents import CONSENTS
from nup.accounts.models import ApiToken, Consent, User
from nup.accounts.services import token_digest
from nup.extensions import db


def user_for_session(session_id: str) -> User | None:
    """Load the user of a session id `<id>:<session token>`; a rotated token ends it."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


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
