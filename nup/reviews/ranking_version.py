"""Raise a call's ranking version in the same transaction as every write the ranking reads.

The ranking (nup.reviews.ranking) depends on the call's score sheets, penalties, document-round
decisions, a few application fields and the call's rules. Instead of summarising all of them
on every page view, ORM flushes note which calls such a write touched, and the commit raises
each one's counter in `ranking_versions` just before it commits (so the row lock is held for
the last moment of the transaction only). A version that readers see therefore always comes
with the data it stands for.

Writes that go around the ORM (Core `update()`/`delete()` on these tables) do not pass through
here; none of the code paths that change what the ranking reads does that today.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from nup.applications.models import Application
from nup.programmes.models import Call
from nup.reviews.models import Assignment, AssignmentStatus, Decision, Penalty, RankingVersion

CALLS, APPLICATIONS = "ranking_calls", "ranking_applications"
# What of each row the ranking shows or counts; other columns change without a new version.
ASSIGNMENT_KEYS = ("status", "reviewer_id", "application_id", "stage", "call_id")
ASSIGNMENT_SCORES = ("total", "scores")  # counted only on a submitted sheet
APPLICATION_KEYS = ("physical_ai", "track", "company_name", "receipt_number", "call_id")
CALL_KEYS = ("rubric", "bonus_rules", "bonus_cap", "trim_min_reviews", "tie_breakers", "priority_policy")


def _changed(obj, keys) -> bool:
    state = inspect(obj)
    return any(state.attrs[key].history.has_changes() for key in keys)


def _note(session: Session, flush_context) -> None:
    calls: set[int] = session.info.setdefault(CALLS, set())
    applications: set[int] = session.info.setdefault(APPLICATIONS, set())
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Assignment | Decision):
            calls.add(obj.call_id)
        elif isinstance(obj, Penalty):
            applications.add(obj.application_id)
    for obj in session.dirty:
        if isinstance(obj, Assignment):
            if _changed(obj, ASSIGNMENT_KEYS) or (
                obj.status == AssignmentStatus.SUBMITTED and _changed(obj, ASSIGNMENT_SCORES)
            ):
                calls.add(obj.call_id)
                previous = inspect(obj).attrs.call_id.history.deleted
                calls.update(c for c in previous if c is not None)
        elif isinstance(obj, Decision):
            calls.add(obj.call_id)
        elif isinstance(obj, Penalty):
            applications.add(obj.application_id)
        elif isinstance(obj, Application) and _changed(obj, APPLICATION_KEYS):
            calls.add(obj.call_id)
        elif isinstance(obj, Call) and _changed(obj, CALL_KEYS):
            calls.add(obj.id)
    calls.discard(None)
    applications.discard(None)


def pending(session: Session) -> bool:
    """Whether this transaction has flushed a write the ranking depends on (not yet committed)."""
    return bool(session.info.get(CALLS) or session.info.get(APPLICATIONS))


def _bump(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    calls = set(session.info.pop(CALLS, ()) or ())
    applications = session.info.pop(APPLICATIONS, ()) or ()
    if applications:
        calls.update(
            session.execute(select(Application.call_id).where(Application.id.in_(sorted(applications)))).scalars()
        )
    if not calls:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = RankingVersion.__table__
    for call_id in sorted(calls):  # always in the same order: two commits never wait on each other
        statement = insert(table).values(call_id=call_id, version=1)
        session.execute(
            statement.on_conflict_do_update(index_elements=[table.c.call_id], set_={"version": table.c.version + 1})
        )


def _forget(session: Session, transaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back keeps the notes (a version
    # raised for nothing costs one recomputation; a change left unnoted would be served stale).
    if transaction.parent is None:
        session.info.pop(CALLS, None)
        session.info.pop(APPLICATIONS, None)


def install() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _note):
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _bump)
        event.listen(Session, "after_transaction_end", _forget)


def current(call_id: int, session: Session) -> int:
    """The committed version of the call's ranking inputs (0 before the first write)."""
    return session.scalar(select(RankingVersion.version).where(RankingVersion.call_id == call_id)) or 0
