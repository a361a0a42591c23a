"""Email delivery when the mail server, a worker or the broker fails: nothing lost, no duplicates.

Duplicates are counted by Message-ID at the SMTP sink. A worker killed with SIGKILL in the
instant between the server accepting a message and the database recording it can cause one
resend of that message with the same Message-ID (at most one per message in flight); the
tests assert that bound and print what they saw.
"""

import time

import pytest
import redis
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.extensions import db
from nup.notifications import services
from nup.notifications.models import Notification
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def _queue_many(app, make_user, count: int, kind: str = "password_changed") -> None:
    people = [make_user("applicant", name=f"사용자{i}") for i in range(max(1, count // 100))]
    with app.app_context():
        users = [db.session.get(User, p.id) for p in people]
        for index in range(count):
            user = users[index % len(users)]
            services.queue(kind, to=user, key=f"bulk-{index}", context={"name": user.name})
        db.session.commit()


def _rows(app):
    with app.app_context():
        db.session.remove()
        return {r.id: r for r in db.session.scalars(select(Notification))}


def _sent_ids(app) -> set[str]:
    with app.app_context():
        db.session.remove()
        return set(db.session.scalars(select(Notification.message_id).where(Notification.status == "sent")))


def _sweep_until_all_arrive(app, smtp, count: int, timeout: float) -> None:
    celery = app.extensions["celery"]

    def done():
        if len(smtp.message_ids()) >= count and len(_sent_ids(app)) == count:
            return True
        celery.send_task("notifications.sweep", queue="priority")
        return False

    wait_for(done, timeout=timeout, interval=2, what=f"all {count} emails at the SMTP server")


def test_mail_server_down_for_a_while_then_back(app, make_user, smtp, workers):
    workers.start()
    _queue_many(app, make_user, 40)
    time.sleep(4)  # every first attempt is refused: the server is not there
    assert smtp.message_ids() == {}
    with app.app_context():
        assert db.session.scalar(select(func.max(Notification.attempts))) >= 1
    smtp.start()
    _sweep_until_all_arrive(app, smtp, 40, timeout=90)
    seen = smtp.message_ids()
    assert set(seen) == _sent_ids(app) and len(seen) == 40
    assert max(seen.values()) == 1, "an email arrived twice"


def test_a_worker_killed_mid_batch_of_a_thousand(app, make_user, smtp, workers):
    smtp.start()
    victim = workers.start(concurrency=2)
    _queue_many(app, make_user, 1000)
    wait_for(lambda: len(smtp.message_ids()) >= 150, timeout=120, what="150 emails before the kill")
    workers.kill(victim)
    at_kill = len(smtp.message_ids())
    workers.start(concurrency=2)
    _sweep_until_all_arrive(app, smtp, 1000, timeout=300)
    seen = smtp.message_ids()
    duplicates = sum(n - 1 for n in seen.values())
    print(f"\nkilled after {at_kill} of 1000; {len(seen)} distinct Message-IDs arrived; {duplicates} resent")
    assert set(seen) == _sent_ids(app) and len(seen) == 1000  # every email arrived
    assert duplicates <= 2, "more resends than messages that were in flight when the worker died"


def test_the_broker_loses_its_queue_and_the_sweeper_recovers(app, make_user, smtp, workers):
    smtp.start()
    workers.start(concurrency=1)
    _queue_many(app, make_user, 300)
    wait_for(lambda: len(smtp.message_ids()) >= 30, timeout=60, what="30 emails before the flush")
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    lost = [key for key in client.scan_iter(match=f"{app.config['REDIS_PREFIX']}*") if b"lock" not in key]
    if lost:
        client.delete(*lost)  # the queued tasks are gone
    _sweep_until_all_arrive(app, smtp, 300, timeout=180)
    seen = smtp.message_ids()
    assert len(seen) == 300 and max(seen.values()) <= 2
    assert sum(n - 1 for n in seen.values()) <= 1  # at most the one in flight during the flush


def test_two_beats_firing_the_same_job_send_one_email_each(app, make_user, smtp, workers):
    smtp.start()
    workers.start(concurrency=2)
    officers = [make_user("officer") for _ in range(3)]
    celery = app.extensions["celery"]
    for _ in range(2):  # what two beat processes would do at the same minute
        celery.send_task("schedules.officer_digest")
    wait_for(lambda: len(smtp.message_ids()) >= 3, timeout=60, what="the digests")
    time.sleep(3)
    with smtp.sink.lock:
        recipients = sorted(str(m["To"]) for m in smtp.sink.messages)
    assert recipients == sorted(o.email for o in officers)
