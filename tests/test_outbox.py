"""The outbox: rows in the same transaction, tasks only after commit, guarded sends."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from nup import background
from nup.accounts.models import User
from nup.extensions import db
from nup.notifications import services
from nup.notifications.models import Notification, NotificationStatus
from nup.timeutil import utcnow

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


@pytest.fixture()
def published(app, monkeypatch):
    """Record what would be handed to the broker (the broker itself is tested with a worker)."""
    sent = []
    monkeypatch.setattr(
        background, "send_now", lambda name, queue="default", **ids: sent.append((name, queue, ids)) or True
    )
    return sent


def _user(app, make_user):
    user = make_user("applicant")
    return db.session.get(User, user.id)


def test_a_task_is_published_only_after_commit(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        row = services.queue("verify_email", to=user, key="k1", context={"name": "x", "token": "t"})
        assert published == []
        db.session.commit()
        assert published == [("notifications.deliver", "priority", {"notification_id": row.id})]


def test_a_rollback_publishes_nothing_and_leaves_no_row(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        services.queue("password_changed", to=user, key="k2", context={"name": "x"})
        db.session.rollback()
        db.session.commit()
        assert published == []
        assert db.session.scalars(select(Notification)).all() == []


def test_the_same_event_queued_twice_is_one_email(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        first = services.queue("password_changed", to=user, key="event-1", context={"name": "x"})
        second = services.queue("password_changed", to=user, key="event-1", context={"name": "x"})
        db.session.commit()
        assert first.id == second.id and len(published) == 1


def test_only_one_claim_succeeds(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        row = services.queue("password_changed", to=user, key="k3", context={"name": "x"})
        db.session.commit()
        now = utcnow()
        assert services.claim_for_sending(row.id, now=now) is True
        assert services.claim_for_sending(row.id, now=now) is False
        # A claim abandoned by a dead worker can be taken over after a while.
        assert services.claim_for_sending(row.id, now=now + services.STALE_CLAIM + timedelta(seconds=1))


def test_delivery_writes_a_multipart_email_in_the_recipients_language(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        user.language = "en"
        row = services.queue("verify_email", to=user, key="k4", context={"name": "Jiwoo", "token": "abc"})
        db.session.commit()
        assert services.deliver_notification(row.id, now=utcnow()) == "sent"
        assert services.deliver_notification(row.id, now=utcnow()) == "skipped"  # never twice
        db.session.refresh(row)
        assert row.status == NotificationStatus.SENT and row.message_id.startswith("<nup.")
        assert "Confirm your email address" in row.subject
    from tests.conftest import mail_messages

    [message] = mail_messages()
    assert message["Message-ID"] == row.message_id
    assert message.get_body(("plain",)).get_content().count("/verify/abc") == 1
    assert "Jiwoo" in message.get_body(("html",)).get_content()


def test_a_malformed_address_fails_that_row_only(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        bad = services.queue("password_changed", to=user, key="k5", context={"name": "x"})
        bad.to_address = "not an address"
        good = services.queue("password_changed", to=user, key="k6", context={"name": "x"})
        db.session.commit()
        assert services.deliver_notification(bad.id, now=utcnow()) == "failed"
        assert services.deliver_notification(good.id, now=utcnow()) == "sent"
        db.session.refresh(bad)
        assert bad.status == "failed" and "malformed address" in bad.last_error


def test_retry_delays_grow_with_jitter_and_stay_under_the_visibility_timeout():
    first = [services.retry_delay(0, rand=r) for r in (0.0, 1.0)]
    assert 0 < first[0] < first[1] <= 60
    assert all(services.retry_delay(n, rand=1.0) < 3600 for n in range(20))
    assert services.retry_delay(3, rand=0.5) > services.retry_delay(1, rand=0.5)


def test_the_sweeper_finds_rows_a_lost_message_left_pending(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        row = services.queue("password_changed", to=user, key="k7", context={"name": "x"})
        db.session.commit()
        assert services.pending_for_sweep(now=utcnow(), older_than=timedelta(minutes=1)) == []
        later = utcnow() + timedelta(minutes=2)
        assert services.pending_for_sweep(now=later, older_than=timedelta(minutes=1)) == [(row.id, "default")]


def test_releasing_a_savepoint_publishes_nothing_until_the_real_commit(app, make_user, published):
    with app.app_context():
        user = _user(app, make_user)
        services.queue("password_changed", to=user, key="k8", context={"name": "x"})
        with db.session.begin_nested():
            db.session.flush()
        assert published == []
        db.session.commit()
        assert len(published) == 1


def test_officers_never_see_a_live_reset_token_in_the_outbox(app, client, make_user, published):
    from tests.conftest import login_as

    officer = make_user("officer")
    with app.app_context():
        user = _user(app, make_user)
        row = services.queue("reset_password", to=user, key="k9", context={"name": "x", "token": "SECRET-TOKEN-123"})
        db.session.commit()
        services.deliver_notification(row.id, now=utcnow())
        row_id = row.id
    login_as(client, officer)
    page = client.get(f"/staff/outbox/{row_id}").get_data(as_text=True)
    assert "SECRET-TOKEN-123" not in page and "/password/reset/[hidden]" in page
