"""Small helpers shared by the page views: client address, safe redirects, form errors."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import flash, g, request
from flask_wtf import FlaskForm

from nup.errors import DomainError


def client_ip() -> str | None:
    """The client's address as the WSGI server saw it (ProxyFix supplies it behind a proxy)."""
    return request.remote_addr


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site, never to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def show_domain_error(form: FlaskForm | None, error: DomainError) -> None:
    """Put a service's field errors on the form's fields, and anything else in a flash."""
    unplaced = []
    for name, messages in error.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *messages]
        else:
            unplaced.extend(messages)
    if not error.fields or unplaced:
        flash(error.message if not unplaced else " ".join(unplaced), "error")


def month_arg() -> date:
    """The `month` query argument (YYYY-MM, years 2000-2100) as its first day; this KST month otherwise."""
    from nup.timeutil import to_kst, utcnow

    try:
        year, month = (int(part) for part in request.args.get("month", "").split("-"))
        if 2000 <= year <= 2100:
            return date(year, month, 1)
    except ValueError:
        pass
    today = to_kst(utcnow()).date()
    return date(today.year, today.month, 1)


def whole_number(raw) -> int | None:
    """`raw` (form or query text) as a whole number that fits a database id column, or None.

    ASCII digits only: "²" and "٣" are digits to str.isdigit but int() refuses them (a 500).
    """
    from nup.input_guard import MAX_ID

    text = str(raw or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def _small_whole(raw: str) -> int | None:
    """`raw` as a whole number of at most 6 ASCII digits ("²" and "٣" are digits to str.isdigit, not to int)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


def page_arg() -> int:
    """The `page` query argument as a positive int (bad input means page 1)."""
    page = _small_whole(request.args.get("page", "1"))
    return page if page and page < 100000 else 1


def per_page_arg(default: int = 25, most: int = 100) -> int:
    """The `per_page` query argument, within 1..most."""
    per_page = _small_whole(request.args.get("per_page", ""))
    return min(per_page, most) if per_page else default


def mark_request_start() -> None:
    """Note when the request arrived, before its body is read (the upload deadline rule)."""
    from nup.timeutil import utcnow

    g.request_started_at = utcnow()


def perform(service, obj, *, success: str, then: str):
    """Run a one-click state change (publish, close, withdraw...) by the signed-in user.

    One commit on success with a confirmation, a rollback and the rule's message on a
    DomainError; either way back to `then`.
    """
    from flask import redirect
    from flask_login import current_user

    from nup.extensions import db
    from nup.timeutil import utcnow

    try:
        service(obj, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(then)


def domain_error_text(error: DomainError) -> str:
    """A service's refusal in one line: its field messages, or its message when it has none."""
    return " ".join(str(m) for messages in error.fields.values() for m in messages) or error.message


def form_errors_text(form: FlaskForm) -> str:
    """Every message of a form's failed fields in one line (for a flash)."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)
