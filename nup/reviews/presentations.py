"""The presentation round's schedule (발표평가 일정): slots for the applications that advanced."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.programmes.models import Call
from nup.programmes.policy import prioritised
from nup.reviews.assigning import assignable_applications
from nup.reviews.models import PresentationSlot, Stage
from nup.timeutil import to_kst


def slot_times(count: int, *, starts_at: datetime, minutes: int, gap: int, per_day: int) -> list[datetime]:
    """Start times for `count` presentations: back to back with a gap, `per_day` a day, same hour each day."""
    times = []
    for index in range(count):
        day, position = divmod(index, per_day)
        times.append(starts_at + timedelta(days=day, minutes=position * (minutes + gap)))
    return times


def schedule_presentations(
    call: Call,
    *,
    actor: User,
    starts_at: datetime,
    minutes: int,
    gap: int,
    per_day: int,
    location: str,
    now: datetime,
) -> list[PresentationSlot]:
    """Give every advanced application a slot (Physical AI first, then by application) and tell them.

    Re-scheduling moves existing slots; each applicant is told the new time once per schedule.
    """
    security.require(actor, "reviews.manage")
    errors = {}
    if not 5 <= minutes <= 120:
        errors["minutes"] = [str(_l("Between 5 and 120 minutes."))]
    if not 0 <= gap <= 60:
        errors["gap"] = [str(_l("Between 0 and 60 minutes."))]
    if not 1 <= per_day <= 40:
        errors["per_day"] = [str(_l("Between 1 and 40 a day."))]
    if starts_at <= now:
        errors["starts_at"] = [str(_l("Choose a time in the future."))]
    if not location.strip():
        errors["location"] = [str(_l("Say where the presentations take place (or the video link)."))]
    if errors:
        raise DomainError(_l("The schedule could not be made: see the marked fields."), fields=errors)
    applications = sorted(assignable_applications(call, Stage.PRESENTATION), key=lambda a: (not a.physical_ai, a.id))
    if not applications:
        raise DomainError(_l("No application has advanced to the presentation round yet."))
    existing = {
        s.application_id: s
        for s in db.session.scalars(select(PresentationSlot).where(PresentationSlot.call_id == call.id))
    }
    slots = []
    stamp = to_kst(now).strftime("%Y%m%d%H%M%S")
    for application, start in zip(
        applications,
        slot_times(len(applications), starts_at=starts_at, minutes=minutes, gap=gap, per_day=per_day),
        strict=True,
    ):
        slot = existing.get(application.id) or PresentationSlot(call_id=call.id, application_id=application.id)
        slot.starts_at, slot.minutes, slot.location = start, minutes, location.strip()
        db.session.add(slot)
        slots.append(slot)
        owner = db.session.get(User, application.user_id)
        notifications.queue(
            "presentation_scheduled",
            to=owner,
            key=f"{call.id}:{stamp}",
            call_id=call.id,
            priority=prioritised(call, application.physical_ai),
            context={
                "name": owner.name,
                "receipt_number": application.receipt_number,
                "call_title_ko": call.title_ko,
                "call_title_en": call.title_en or call.title_ko,
                "starts_at": to_kst(start).strftime("%Y-%m-%d %H:%M KST"),
                "minutes": minutes,
                "location": slot.location,
                "application_id": application.id,
            },
        )
    db.session.flush()
    audit.record(
        actor,
        "presentation.scheduled",
        call,
        after={"slots": len(slots), "starts_at": starts_at.isoformat(), "minutes": minutes, "location": location},
    )
    return slots


def slots_of(call: Call) -> list[PresentationSlot]:
    return list(
        db.session.scalars(
            select(PresentationSlot).where(PresentationSlot.call_id == call.id).order_by(PresentationSlot.starts_at)
        )
    )


def slot_for(application_id: int) -> PresentationSlot | None:
    return db.session.scalar(select(PresentationSlot).where(PresentationSlot.application_id == application_id))
