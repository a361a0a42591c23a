"""Render an outbox row into a multipart email and hand it to SMTP or the mail folder."""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import URLSafeSerializer
from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from sqlalchemy import select
from werkzeug.routing import BuildError

from nup.extensions import db
from nup.notifications import catalogue, sandbox
from nup.notifications.models import EmailTemplate, Notification
from nup.timeutil import utcnow

log = logging.getLogger(__name__)


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; try again later."""


class PermanentDeliveryError(Exception):
    """This message can never be sent as it is (bad address, broken template)."""


def message_id_for(notification: Notification) -> str:
    """A Message-ID that is the same on every attempt, so a resend can be recognised."""
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:16]
    return f"<nup.{notification.id}.{digest}@nup.mss.go.kr>"


def render_parts(kind: str, language: str, context: dict, *, on_refused=None) -> tuple[str, str, str]:
    """Subject, text and HTML of one email: the officers' wording if they wrote one, else the files.

    Wording the sandbox refuses (too big, too much work, broken) never loses the email: the
    built-in wording is used and `on_refused(reason)` is told why.
    """
    language = language if language in ("ko", "en") else "ko"
    # An email with a personal link keeps its built-in wording, even if wording was stored for it earlier.
    override = (
        None
        if catalogue.KINDS[kind].personal_link
        else db.session.scalar(
            select(EmailTemplate).where(EmailTemplate.kind == kind, EmailTemplate.language == language)
        )
    )
    with force_locale(language):
        custom = None
        if override is not None:
            try:
                custom = sandbox.render(override.subject, context), sandbox.render(override.body, context)
            except Exception as error:
                log.warning("officers' wording for %s/%s refused: %s", kind, language, error)
                if on_refused is not None:
                    on_refused(f"{type(error).__name__}: {error}"[:500])
        if custom is not None:
            subject, text = custom
            html = render_template(
                "emails/_custom.html", paragraphs=[p for p in text.split("\n\n") if p.strip()], **context
            )
        else:
            subject = render_template(f"emails/{kind}.subject.txt", **context)
            text = render_template(f"emails/{kind}.txt", **context)
            html = render_template(f"emails/{kind}.html", **context)
    return " ".join(subject.split()), text, html


def starting_wording(kind: str, language: str) -> tuple[str, str]:
    """The built-in subject and text with each value as its placeholder ("{{ name }}"): where an
    officer starts writing, so that no sample value (a name, a dead link) is saved by mistake.

    Where the built-in counts or formats a number, that number stays the sample's; links are
    left out, since wording has none (the sandbox builds no link).
    """
    sample = catalogue.KINDS[kind].sample
    attempts = (
        {key: "{{ " + key + " }}" if isinstance(value, str | int | float) else value for key, value in sample.items()},
        {key: "{{ " + key + " }}" if isinstance(value, str) else value for key, value in sample.items()},
    )
    with force_locale(language):
        for values in attempts:
            try:
                subject = render_template(f"emails/{kind}.subject.txt", **values, public_url=_no_link)
                text = render_template(f"emails/{kind}.txt", **values, public_url=_no_link)
            except (TypeError, ValueError, BuildError):
                continue
            return " ".join(subject.split()), re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    subject, text, _html = render_parts(kind, language, dict(sample))
    return subject, text


def _no_link(*_endpoint, **_values) -> str:
    return ""


def preview_custom(kind: str, language: str, subject: str, body: str, context: dict) -> tuple[str, str, str]:
    """Render an officer's unsaved wording with sample values (the template editor's preview)."""
    with force_locale(language):
        subject_text = sandbox.render(subject, context)
        text = sandbox.render(body, context)
        html = render_template(
            "emails/_custom.html", paragraphs=[p for p in text.split("\n\n") if p.strip()], **context
        )
    return " ".join(subject_text.split()), text, html


def render(notification: Notification) -> EmailMessage:
    """Build the email in the recipient's language (multipart text + HTML)."""
    language = notification.language if notification.language in ("ko", "en") else "ko"
    context = dict(notification.context or {})
    if not notification.essential and notification.user_id:
        context["unsubscribe_url"] = unsubscribe_url(notification.user_id)
    refused: list[str] = []
    try:
        subject, text, html = render_parts(notification.kind, language, context, on_refused=refused.append)
    except (TemplateError, SecurityError, KeyError, TypeError, ValueError) as error:
        raise PermanentDeliveryError(f"template error: {error}") from error
    if "@" not in notification.to_address or "\n" in notification.to_address:
        raise PermanentDeliveryError(f"malformed address: {notification.to_address!r}")
    if refused:
        from nup.audit import services as audit

        audit.record(
            None,
            "email_template.refused",
            notification,
            detail=f"sent with the built-in wording; the officers' wording was refused: {refused[0]}",
        )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = notification.to_address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id_for(notification)
    message["Content-Language"] = language
    if "unsubscribe_url" in context:
        # RFC 2369 and RFC 8058: mail clients show a one-click "unsubscribe".
        message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in notification.attachments or []:
        _attach(message, attachment)
    return message


def _attach(message: EmailMessage, attachment: dict) -> None:
    """Add one stored attachment; a calendar invitation keeps its METHOD so clients offer to accept it."""
    maintype, _, subtype = attachment["content_type"].partition("/")
    content, filename = attachment["content"], attachment["filename"]
    if maintype != "text":
        message.add_attachment(content.encode(), maintype=maintype, subtype=subtype, filename=filename)
        return
    params = {}
    if attachment.get("method"):  # iTIP: REQUEST adds or updates the event, CANCEL removes it
        params["method"] = attachment["method"]
    message.add_attachment(content, subtype=subtype, filename=filename, params=params)


def unsubscribe_url(user_id: int) -> str:
    from nup.templating import public_url

    token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="nup.unsubscribe").dumps(user_id)
    return public_url("accounts.unsubscribe", token=token)


def send(message: EmailMessage, *, on_accepted=lambda: None) -> None:
    """Deliver by SMTP when SMTP_HOST is set, else write an .eml file to the mail folder.

    `on_accepted` runs the moment the server has accepted the message, before the
    connection is closed, so that a crash leaves the shortest window for a duplicate.
    """
    config = current_app.config
    if not config.get("SMTP_HOST"):
        _write_to_folder(message, Path(config["MAIL_DIR"]))
        on_accepted()
        return
    try:
        _send_smtp(message, config, on_accepted)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentDeliveryError(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise TemporaryDeliveryError(f"{error.smtp_code} {error.smtp_error!r}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise TemporaryDeliveryError(str(error) or type(error).__name__) from error


def _send_smtp(message: EmailMessage, config: dict, on_accepted) -> None:
    host, port, security = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]
    if security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=30)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            client.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        client.send_message(message)
        on_accepted()


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    name = f"{stamp}-{make_msgid(domain='x')[1:9]}.eml"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(bytes(message))
    temporary.rename(folder / name)  # readers never see a half-written file
