"""Reads of delivered mail: the mail folder of the embedded default, for officers."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from nup.extensions import db
from nup.notifications.models import EmailTemplate, Notification


@dataclass(frozen=True)
class StoredMessage:
    name: str
    subject: str
    to: str
    date: str
    text: str
    html: str
    attachments: list[str]


def _is_message_name(name: str) -> bool:
    return name.endswith(".eml") and "/" not in name and not name.startswith(".")


def mail_folder_page(folder: Path, *, page: int, per_page: int = 25) -> tuple[list[StoredMessage], int]:
    """Messages in the mail folder, newest first, and how many there are in all."""
    if not folder.is_dir():
        return [], 0
    names = sorted((p.name for p in folder.iterdir() if _is_message_name(p.name)), reverse=True)
    start = (page - 1) * per_page
    return [read_message(folder, name) for name in names[start : start + per_page]], len(names)


def read_message(folder: Path, name: str) -> StoredMessage | None:
    """Parse one stored message; None for a name that is not a message in the folder."""
    if not _is_message_name(name):
        return None
    path = folder / name
    if not path.is_file():
        return None
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return StoredMessage(
        name=name,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        date=str(message.get("Date", "")),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
        attachments=[part.get_filename() or "" for part in message.iter_attachments()],
    )


def outbox(
    *, status: str = "", kind: str = "", call_id: int | None = None, to: str = "", page: int = 1, per_page: int = 50
):
    """Outbox rows, newest first, filtered; and the count per status."""
    query = select(Notification).order_by(Notification.id.desc())
    if status:
        query = query.where(Notification.status == status)
    if kind:
        query = query.where(Notification.kind == kind)
    if call_id:
        query = query.where(Notification.call_id == call_id)
    if to:
        query = query.where(func.lower(Notification.to_address).like(f"%{to.strip().lower()}%"))
    counts = dict(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    return db.paginate(query, page=page, per_page=per_page, error_out=False), counts


def templates_by_kind() -> dict[tuple[str, str], object]:
    return {(t.kind, t.language): t for t in db.session.scalars(select(EmailTemplate))}
