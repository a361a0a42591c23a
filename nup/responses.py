"""What every response carries: security headers, and friendly errors in both languages."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from nup.api.errors import error_response, from_http_exception, messages
from nup.errors import DomainError
from nup.extensions import db

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _is_api() -> bool:
    return request.path.startswith("/api/")


PRIVATE_MIMETYPES = frozenset({"text/calendar", "message/rfc822"})


def _is_private(response) -> bool:
    """A download, a calendar or email file, an API answer, or any page answered to a signed-in person."""
    disposition = response.headers.get("Content-Disposition", "")
    if disposition.startswith("attachment") or response.mimetype in PRIVATE_MIMETYPES or _is_api():
        return True
    if request.endpoint in (None, "static"):
        return False
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if _is_private(response):
        # Files and generated content for a signed-in person: never kept by a browser or proxy
        # (overrides what send_file sets for conditional requests).
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    elif response.mimetype == "text/html" or _is_api():
        headers.setdefault("Cache-Control", "no-store")
    from flask import current_app

    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _page(status: int, message: str | None = None):
    return render_template("errors/error.html", code=status, message=message), status


def handle_http_error(error: HTTPException):
    if _is_api():
        return from_http_exception(error)
    status = error.code or 500
    if isinstance(error, RateLimitExceeded) and request.endpoint == "accounts.login":
        return _login_locked()
    return _page(status)


def _login_locked():
    """Ten wrong passwords: say so plainly, record it, and offer the way out."""
    from nup.accounts.forms import LoginForm
    from nup.audit import services as audit
    from nup.web import client_ip

    db.session.rollback()
    audit.record(
        None,
        "auth.sign_in_throttled",
        None,
        ip=client_ip(),
        actor_label=(request.form.get("email") or "?")[:254],
    )
    db.session.commit()
    form = LoginForm(email=request.form.get("email", ""), next=request.form.get("next", ""))
    return render_template("accounts/login.html", form=form, locked=True), 429


def handle_csrf_error(error: CSRFError):
    return _page(
        400,
        _("This form has expired or did not come from this site. Go back, reload the page and send it again."),
    )


def handle_domain_error(error: DomainError):
    db.session.rollback()
    if _is_api():
        return error_response(error.status, error.code, error.message, error.fields)
    return _page(error.status, error.message)


def handle_unstorable(error: DataError):
    """Last resort: a value the database refuses for its column (a number past INTEGER, say) is a 400, not a 500."""
    log.warning("the database refused a value on %s %s: %s", request.method, request.path, error.orig)
    db.session.rollback()
    if _is_api():
        return error_response(400, "bad_request", messages(400))
    return _page(400)


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    if _is_api():
        return error_response(500, "server_error", messages(500))
    return _page(500)


def install(app: Flask) -> None:
    app.after_request(add_security_headers)
    for status in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(status, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(DataError, handle_unstorable)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
