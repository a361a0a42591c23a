"""Physical AI work overtakes a backlog of ordinary work: a real worker and the real broker, no mocks."""

from __future__ import annotations

import time

import pytest
import redis
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import QUEUES, db
from nup.notifications import services as notifications
from nup.notifications.models import Notification, NotificationStatus
from tests.applications.conftest import complete_application, open_call  # noqa: F401
from tests.conftest import mail_messages, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.integration
BACKLOG = 2000
MUST_STILL_WAIT = 1000  # of the backlog, when the Physical AI work is done
BACKLOG_KIND = "password_changed"


def _purge_queues(app) -> None:
    """Drop what is left of the queues (and any unacknowledged messages) so later tests start empty."""
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    prefix = app.config["REDIS_PREFIX"]
    client.delete(*(f"{prefix}{name}" for name in (*QUEUES, "unacked", "unacked_index")))


@pytest.fixture()
def busy_worker(app, tmp_path):
    """A real worker (2 processes) delivering to the mail folder; the queues are purged after it stops."""
    process = start_worker(tmp_path, concurrency=2)
    yield process
    stop_worker(process)  # a warm shutdown: tasks in hand finish, reserved ones go back to the queue
    _purge_queues(app)


def _queue_backlog(app, users: list, count: int) -> None:
    """Queue `count` ordinary emails through the outbox in one transaction: published to `default` on commit."""
    with app.app_context():
        people = [db.session.get(User, user.id) for user in users]
        for index in range(count):
            person = people[index % len(people)]
            notifications.queue(
                BACKLOG_KIND, to=person, key=f"backlog-{index}", context={"name": person.name}, priority=False
            )
        db.session.commit()


def _backlog_sent(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == BACKLOG_KIND, Notification.status == NotificationStatus.SENT)
        )


def test_a_physical_ai_submission_overtakes_two_thousand_queued_tasks(
    app,
    make_user,
    open_call,  # noqa: F811 - the fixture imported above
    busy_worker,
):
    from nup.applications import services as applications
    from nup.timeutil import utcnow

    founder = make_user("applicant", name="로봇 창업자")
    application_id = complete_application(app, founder, open_call, track="physical_ai_robotics")
    people = [make_user("applicant", name=f"대기자{i}") for i in range(20)]
    _queue_backlog(app, people, BACKLOG)
    with app.app_context():
        rows = db.session.execute(
            select(Notification.queue, func.count()).where(Notification.kind == BACKLOG_KIND).group_by("queue")
        ).all()
    assert dict(rows) == {"default": BACKLOG}
    # The worker is busy with the backlog before the Physical AI application arrives.
    wait_for(lambda: _backlog_sent(app) >= 10, interval=0.05, what="the worker to start on the backlog")

    started = time.perf_counter()
    with app.app_context():
        application = applications.submit_application(
            db.session.get(Application, application_id), actor=db.session.get(User, founder.id), now=utcnow()
        )
        db.session.commit()  # the receipt email and the classification are published here
        assert application.physical_ai

    def priority_work_done():
        with app.app_context():
            db.session.remove()
            classified = db.session.get(Application, application_id).classified_at is not None
            receipt = db.session.scalar(select(Notification).where(Notification.kind == "application_received"))
            if not (classified and receipt.status == NotificationStatus.SENT):
                return None
            waiting = redis.Redis.from_url(app.config["REDIS_URL"]).llen(f"{app.config['REDIS_PREFIX']}default")
            return {
                "seconds": time.perf_counter() - started,
                "receipt": receipt,
                "unsent": BACKLOG - _backlog_sent(app),
                "still_queued": waiting,
            }

    done = wait_for(priority_work_done, timeout=30, interval=0.05, what="the Physical AI application's work")
    print(
        f"\nPhysical AI receipt sent and classification done {done['seconds'] * 1000:.0f} ms after the commit, "
        f"with {done['unsent']} of {BACKLOG} ordinary emails unsent ({done['still_queued']} still in the queue)"
    )
    assert done["receipt"].queue == "priority"
    assert done["unsent"] >= MUST_STILL_WAIT, "the Physical AI work waited behind the ordinary backlog"
    assert done["still_queued"] >= MUST_STILL_WAIT
    receipts = [m for m in mail_messages() if done["receipt"].message_id == m["Message-ID"]]
    assert len(receipts) == 1 and receipts[0]["To"] == founder.email
