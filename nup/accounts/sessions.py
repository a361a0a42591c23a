"""Who is signed in: browser sessions (cookies) for pages, bearer tokens for the API.

A browser session is a row on the server (`UserSession`); the signed cookie carries the
user id with the account's session token and the session's random key. Every request
checks the row, so a session that was ended (sign-out, password change or reset, role
change, disabled account, "sign out everywhere") opens nothing, even if its old cookie
is replayed.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from nup.accounts import queries, services
from nup.accounts.models import User, UserSession
from nup.extensions import db, login_manager
from nup.timeutil import utcnow
from nup.web import client_ip

TOUCH_EVERY_SECONDS = 60  # write last_seen_at at most once a minute per session


def is_api_path() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_from_session(session_id: str) -> User | None:
    if is_api_path():
        return None  # the API takes bearer tokens only, so a cookie can never be forged into it
    found = queries.live_session(session_id, session.get("sid"))
    if found is None:
        return None
    now = utcnow()
    if (now - found.last_seen_at).total_seconds() > TOUCH_EVERY_SECONDS:
        found.last_seen_at = now
        db.session.commit()
    g.user_session = found
    return found.user


@login_manager.request_loader
def _load_from_bearer(_request) -> User | None:
    if not is_api_path():
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, plaintext = header.partition(" ")
    if scheme.lower() != "bearer" or not plaintext.strip():
        return None
    token = queries.live_api_token(plaintext.strip())
    if token is None:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user


def current_session() -> UserSession | None:
    """The server-side record of this request's browser session (after the user is loaded)."""
    if not current_user.is_authenticated:
        return None
    return g.get("user_session")


def start_session(user: User, *, now: datetime) -> None:
    """Sign in with a fresh session: nothing from before sign-in is carried over.

    Records the session on the server and commits it.
    """
    _user_session, key = services.open_session(
        user=user, ip=client_ip(), user_agent=request.headers.get("User-Agent", ""), now=now
    )
    db.session.commit()
    language = session.get("lang")
    session.clear()
    login_user(user)
    session["sid"] = key
    session["signed_in_at"] = now.timestamp()
    session["seen_at"] = now.timestamp()
    if language:
        session["lang"] = language
    session.permanent = False


def end_session() -> None:
    """Forget the cookie's session (the server-side record is ended by the service)."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


def _enforce_timeouts():
    """End sessions idle for too long, or older than the absolute limit."""
    if is_api_path() or "_user_id" not in session:
        return None
    now = utcnow().timestamp()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    seen, started = session.get("seen_at", 0), session.get("signed_in_at", 0)
    if now - seen > idle or now - started > absolute:
        services.expire_session(key=session.get("sid"), now=utcnow())
        db.session.commit()
        end_session()
        flash(_l("Your session expired. Please sign in again."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not current_user.is_authenticated:
        # The cookie names a session the server has ended: signed out here or on another device,
        # a password or role change. Say so, rather than showing a bare sign-in page.
        end_session()
        flash(_l("You were signed out (on this or another device). Please sign in again."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if now - seen > 30:  # keep the cookie from being rewritten on every request
        session["seen_at"] = now
    return None


def install(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_enforce_timeouts)
