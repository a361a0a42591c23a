"""Render an outbox row into a multipart email and hand it to SMTP or the mail folder."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateError

from nup.notifications.models import Notification
from nup.timeutil import utcnow


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; try again later."""


class PermanentDeliveryError(Exception):
    """This message can never be sent as it is (bad address, broken template)."""


def message_id_for(notification: Notification) -> str:
    """A Message-ID that is the same on every attempt, so a resend can be recognised."""
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:16]
    return f"<nup.{notification.id}.{digest}@nup.mss.go.kr>"


def render(notification: Notification) -> EmailMessage:
    """Build the email in the recipient's language from templates/emails/<kind>.(txt|html)."""
    language = notification.language if notification.language in ("ko", "en") else "ko"
    context = dict(notification.context or {})
    try:
        with force_locale(language):
            subject = render_template(f"emails/{notification.kind}.subject.txt", **context)
            text = render_template(f"emails/{notification.kind}.txt", **context)
            html = render_template(f"emails/{notification.kind}.html", **context)
    except TemplateError as error:
        raise PermanentDeliveryError(f"template error: {error}") from error
    if "@" not in notification.to_address or "\n" in notification.to_address:
        raise PermanentDeliveryError(f"malformed address: {notification.to_address!r}")
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = notification.to_address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id_for(notification)
    message["Content-Language"] = language
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Deliver by SMTP when SMTP_HOST is set, else write an .eml file to the mail folder."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        _write_to_folder(message, Path(config["MAIL_DIR"]))
        return
    try:
        _send_smtp(message, config)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentDeliveryError(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise TemporaryDeliveryError(f"{error.smtp_code} {error.smtp_error!r}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise TemporaryDeliveryError(str(error) or type(error).__name__) from error


def _send_smtp(message: EmailMessage, config: dict) -> None:
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


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    name = f"{stamp}-{make_msgid(domain='x')[1:9]}.eml"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(bytes(message))
    temporary.rename(folder / name)  # readers never see a half-written file
