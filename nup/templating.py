"""Template helpers: KST dates, the menu for each role, the language switcher."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from nup.timeutil import to_kst

# (endpoint, label) per role; the first entry is each role's home.
MENUS = {
    "applicant": [
        ("home.dashboard", _l("My dashboard")),
        ("calls.index", _l("Calls")),
        ("mentoring.my_mentoring", _l("My mentoring")),
        ("overseas.my_plans", _l("My overseas support")),
        ("accounts.profile", _l("My account")),
    ],
    "reviewer": [
        ("evaluator.queue", _l("My evaluations")),
        ("evaluator.declarations", _l("My declarations")),
        ("accounts.profile", _l("My account")),
    ],
    "mentor": [
        ("mentoring.mentor_home", _l("My mentoring")),
        ("mentoring.mentor_profile", _l("My mentor profile")),
        ("accounts.profile", _l("My account")),
    ],
    "officer": [
        ("home.dashboard", _l("Dashboard")),
        ("call_admin.list_calls", _l("Calls")),
        ("evaluation.pool", _l("Evaluators")),
        ("portfolio.dashboard", _l("Overseas support")),
        ("mentoring_admin.overview", _l("Mentoring")),
        ("staff.users", _l("Accounts")),
        ("notifications.outbox", _l("Outbox")),
        ("notifications.mailbox", _l("Sent mail")),
        ("audit.index", _l("Audit log")),
        ("accounts.profile", _l("My account")),
    ],
}
ROLE_LABELS = {
    "applicant": _l("Applicant"),
    "reviewer": _l("Evaluator"),
    "officer": _l("Programme officer"),
    "mentor": _l("Mentor"),
}


def kst(moment: datetime | None, style: str = "medium") -> str:
    """Format a stored UTC time as Korean Standard Time in the page's language."""
    if moment is None:
        return ""
    return (
        format_datetime(to_kst(moment), "yyyy-MM-dd HH:mm") + " KST"
        if style == "short"
        else (format_datetime(to_kst(moment), "yyyy-MM-dd HH:mm:ss") + " KST")
    )


def field_aria(field, hint) -> dict[str, str]:
    """aria-describedby and aria-invalid for a form field, present only when they mean something."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
    attributes = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def kst_from_header(value: str) -> str:
    """An email Date header shown in KST."""
    try:
        return kst(parsedate_to_datetime(value), "short")
    except (TypeError, ValueError):
        return value


def language_url(language: str) -> str:
    """This page again in another language."""
    args = request.args.to_dict()
    args["lang"] = language
    endpoint = request.endpoint or "home.index"
    try:
        return url_for(endpoint, **(request.view_args or {}), **args)
    except Exception:
        return url_for("home.index", lang=language)


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for emails, built from PUBLIC_URL (workers have no request)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme, script_name=parts.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def filesize(size: int) -> str:
    """A file size people read at a glance: bytes, KB or MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def market_name(code: str) -> str:
    """A target market's name in the page's language."""
    from nup.programmes.catalogue import MARKETS

    names = MARKETS.get(code)
    if names is None:
        return code
    return names[1] if str(get_locale()) == "en" else names[0]


_SECRET_LINK = re.compile(r"(/(?:verify|password/reset)/)[^\s\"'<>]+")


def hide_secrets(text: str | None) -> str:
    """Hide the one-time tokens of verification and password links in mail shown to staff.

    Officers read the outbox; a live reset link there would let them sign in as anyone.
    """
    return _SECRET_LINK.sub(r"\1[hidden]", text or "")


def install(app: Flask) -> None:
    app.jinja_env.filters["kst"] = kst
    app.jinja_env.filters["hide_secrets"] = hide_secrets
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["market_name"] = market_name
    app.jinja_env.globals["field_aria"] = field_aria
    app.jinja_env.filters["kst_header"] = kst_from_header
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["language_url"] = language_url
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS

    @app.context_processor
    def shell():
        if not has_request_context():
            return {"locale": str(get_locale() or "ko")}  # emails rendered by a worker
        role = current_user.role if current_user.is_authenticated else None
        return {
            "menu": MENUS.get(role, []),
            "locale": str(get_locale() or "ko"),
            "official_site": app.config["OFFICIAL_SITE"],
        }
