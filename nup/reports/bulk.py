"""Messages from officers to a group: who is in it, a preview, and one outbox row per person."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import Role, User
from nup.applications import services as applications
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.notifications.models import BulkMessage

MAX_RECIPIENTS = 20000


@dataclass(frozen=True)
class Audience:
    """Who a message goes to: a role, and for applicants a call, track, status and missing items."""

    role: str = "applicant"
    call_id: int | None = None
    track: str = ""
    status: str = ""
    missing_documents: bool = False

    def describe(self) -> dict:
        return asdict(self)


def recipients(audience: Audience) -> list[User]:
    """The active accounts in the audience, each once, in a stable order."""
    if audience.role not in {r.value for r in Role}:
        raise DomainError(fields={"role": [str(_l("Choose a valid role."))]})
    if audience.role != Role.APPLICANT or not (
        audience.call_id or audience.track or audience.status or audience.missing_documents
    ):
        return list(db.session.scalars(select(User).where(User.role == audience.role, User.active).order_by(User.id)))
    query = select(Application).join(User, User.id == Application.user_id).where(User.active)
    if audience.call_id:
        query = query.where(Application.call_id == audience.call_id)
    if audience.track:
        query = query.where(Application.track == audience.track)
    if audience.status:
        query = query.where(Application.status == audience.status)
    rows = db.session.scalars(query.order_by(Application.user_id)).all()
    if audience.missing_documents:
        rows = [
            a
            for a in rows
            if applications.missing_documents(a) or any(d.review_status == "correction_requested" for d in a.documents)
        ]
    user_ids = list(dict.fromkeys(a.user_id for a in rows))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return [users[i] for i in user_ids]


def clean_message(*, subject_ko: str, body_ko: str, subject_en: str, body_en: str) -> dict:
    errors = {}
    if not (subject_ko or "").strip():
        errors["subject_ko"] = [str(_l("Enter the subject in Korean."))]
    if not (body_ko or "").strip():
        errors["body_ko"] = [str(_l("Enter the message in Korean."))]
    if bool((subject_en or "").strip()) != bool((body_en or "").strip()):
        errors["body_en"] = [str(_l("Give both the English subject and text, or neither (Korean is then used)."))]
    if errors:
        raise DomainError(_l("The message is not complete."), fields=errors)
    return {
        "subject_ko": subject_ko.strip(),
        "body_ko": body_ko.strip(),
        "subject_en": (subject_en or "").strip(),
        "body_en": (body_en or "").strip(),
    }


def send_bulk_message(
    *, actor, audience: Audience, message: dict, essential: bool, expected_count: int, now: datetime
) -> BulkMessage:
    """Queue the message to everyone in the audience (after the preview the officer confirmed).

    Refuses when the group changed since the preview, so nobody is written to unexpectedly.
    Non-essential messages skip people who opted out of such mail.
    """
    security.require(actor, "outbox.manage")
    message = clean_message(**message)
    people = recipients(audience)
    if len(people) != expected_count:
        raise Conflict(
            _l(
                "The group has changed since the preview (%(then)d then, %(now)d now). Preview again.",
                then=expected_count,
                now=len(people),
            )
        )
    if not people or len(people) > MAX_RECIPIENTS:
        raise DomainError(_l("There is nobody to send to."))
    bulk = BulkMessage(
        audience=audience.describe(),
        essential=essential,
        recipients=len(people),
        created_by_id=actor.id,
        created_at=now,
        **message,
    )
    db.session.add(bulk)
    db.session.flush()
    for person in people:
        notifications.queue(
            "bulk_message",
            to=person,
            key=f"bulk:{bulk.id}",
            essential=essential,
            bulk_id=bulk.id,
            call_id=audience.call_id,
            context={"name": person.name, **message},
        )
    audit.record(actor, "outbox.bulk_sent", bulk, after={"recipients": len(people), **audience.describe()})
    db.session.flush()
    return bulk


STATUSES = [s.value for s in ApplicationStatus]
