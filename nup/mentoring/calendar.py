"""Calendar invitations (.ics, RFC 5545) for mentoring sessions, built with the icalendar library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//N-Up//Mentoring//KO"


@dataclass(frozen=True)
class Invitation:
    uid: str
    sequence: int  # clients replace an event when SEQUENCE grows: reschedules and cancellations bump it
    starts_at: datetime  # timezone-aware
    ends_at: datetime
    summary: str
    description: str
    location: str
    organiser: str  # the programme's sending address
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    cancelled: bool = False


def invitation_ics(invitation: Invitation, *, stamp: datetime) -> str:
    """The text of an .ics file that adds (METHOD:REQUEST) or removes (METHOD:CANCEL) the session."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invitation.cancelled else "REQUEST")
    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", invitation.starts_at)
    event.add("dtend", invitation.ends_at)
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    organiser = vCalAddress(f"mailto:{invitation.organiser}")
    organiser.params["cn"] = vText("N-Up")
    event.add("organizer", organiser)
    for name, email in invitation.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()
