"""The selected startups (the cohort): applications whose final outcome "selected" was sent.

Mentoring and overseas-market support start for these firms only, so both read them here.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from nup.applications.models import Application
from nup.extensions import db
from nup.reviews.models import Decision, Outcome


def _selected_clause():
    return exists().where(
        Decision.application_id == Application.id,
        Decision.outcome == Outcome.SELECTED,
        Decision.released_at.is_not(None),
    )


def selected_query(*, call_id: int | None = None) -> Select:
    """A select of the selected applications (optionally of one call), oldest first."""
    query = select(Application).where(_selected_clause())
    if call_id is not None:
        query = query.where(Application.call_id == call_id)
    return query.order_by(Application.id)


def selected_applications(*, call_id: int | None = None) -> list[Application]:
    """Every selected application (optionally of one call)."""
    return list(db.session.scalars(selected_query(call_id=call_id)))


def is_selected(application_id: int) -> bool:
    """Whether this application was selected and told so."""
    return (
        db.session.scalar(
            select(Decision.id).where(
                Decision.application_id == application_id,
                Decision.outcome == Outcome.SELECTED,
                Decision.released_at.is_not(None),
            )
        )
        is not None
    )
