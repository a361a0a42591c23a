"""The audit log is append-only in the ORM and in the database itself (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from nup.audit import services as audit
from nup.audit.models import AuditEvent, AuditLogIsAppendOnly
from nup.extensions import db


@pytest.fixture()
def recorded(app):
    with app.app_context():
        audit.record(None, "test.recorded", None, detail="original")
        db.session.commit()
        yield db.session.scalar(select(AuditEvent.id))


def _unchanged(app, event_id: int) -> None:
    with app.app_context():
        db.session.remove()
        event = db.session.get(AuditEvent, event_id)
        assert event is not None and event.action == "test.recorded" and event.detail == "original"


def test_an_orm_change_or_delete_is_refused(app, recorded):
    with app.app_context():
        event = db.session.get(AuditEvent, recorded)
        event.detail = "tampered"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, recorded))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
    _unchanged(app, recorded)


def test_a_bulk_orm_update_or_delete_is_refused(app, recorded):
    with app.app_context():
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(update(AuditEvent).values(detail="tampered"))
        db.session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()
    _unchanged(app, recorded)


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent.__table__).values(detail="tampered"),
        delete(AuditEvent.__table__),
        text("UPDATE audit_events SET action = 'tampered'"),
        text("DELETE FROM audit_events"),
    ],
    ids=["core-update", "core-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_core_and_raw_sql_changes(app, recorded, statement):
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(statement)
    _unchanged(app, recorded)


def test_new_events_are_still_appended(app, recorded):
    with app.app_context():
        audit.record(None, "test.second", None)
        db.session.commit()
        assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
            "test.recorded",
            "test.second",
        ]
