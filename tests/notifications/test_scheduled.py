"""Scheduled emails with the clock fixed: who gets which email, once per period."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications import reminders
from nup.applications.models import Application
from nup.extensions import db
from nup.notifications.models import Notification
from nup.reports import digest
from nup.timeutil import KST
from tests.applications.conftest import complete_application

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too

# A call closing at 18:00 KST on 1 December 2026.
CLOSES = datetime(2026, 12, 1, 18, 0, tzinfo=KST)


def _kinds(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def _call_closing(make_call, at=CLOSES):
    with time_machine.travel(at - timedelta(days=10), tick=False):
        return make_call(closes_in=timedelta(days=10), opened=timedelta(days=5))


def test_deadline_reminders_go_three_days_and_one_day_before_to_drafts_only(app, make_user, make_call):
    call_id = _call_closing(make_call)
    drafting, submitted, opted_out = make_user("applicant"), make_user("applicant"), make_user("applicant")
    with time_machine.travel(CLOSES - timedelta(days=10), tick=False):
        complete_application(app, drafting, call_id)
        done = complete_application(app, submitted, call_id)
        complete_application(app, opted_out, call_id)
        from nup.applications import services

        with app.app_context():
            services.submit_application(
                db.session.get(Application, done), actor=db.session.get(User, submitted.id), now=datetime.now(UTC)
            )
            db.session.get(User, opted_out.id).mail_opt_out = True
            db.session.commit()
    expected = {4: 0, 3: 1, 2: 0, 1: 1, 0: 0}
    total = 0
    for days_before, new in expected.items():
        morning = datetime.combine((CLOSES - timedelta(days=days_before)).date(), datetime.min.time(), KST) + timedelta(
            hours=9
        )
        with app.app_context():
            assert reminders.queue_deadline_reminders(now=morning.astimezone(UTC)) == new, days_before
            assert reminders.queue_deadline_reminders(now=morning.astimezone(UTC)) == 0  # a second beat: nothing
            db.session.commit()
            total += new
            rows = _kinds("deadline_reminder")
            assert len(rows) == total
            assert {r.user_id for r in rows} <= {drafting.id}
    with app.app_context():
        assert sorted(r.context["days_left"] for r in _kinds("deadline_reminder")) == [1, 3]
        assert all(not r.essential and r.call_id == call_id for r in _kinds("deadline_reminder"))


def test_weekly_status_goes_once_a_week_to_applicants_with_something_to_say(app, make_user, make_call):
    call_id = _call_closing(make_call)
    active, idle = make_user("applicant"), make_user("applicant")
    with time_machine.travel(CLOSES - timedelta(days=9), tick=False):
        complete_application(app, active, call_id)
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=KST).astimezone(UTC)
    with app.app_context():
        assert reminders.queue_weekly_status(now=monday) == 1
        assert reminders.queue_weekly_status(now=monday + timedelta(hours=1)) == 0
        db.session.commit()
        [row] = _kinds("weekly_status")
        assert row.user_id == active.id and row.context["items"][0]["action"] == "submit"
        assert idle.id not in {r.user_id for r in _kinds("weekly_status")}
        assert reminders.queue_weekly_status(now=monday + timedelta(days=7)) == 1  # next week, next email
        db.session.commit()


def test_officer_digest_daily_with_figures(app, make_user, make_call, officer):
    call_id = make_call()
    founders = [make_user("applicant") for _ in range(2)]
    for founder in founders:
        complete_application(app, founder, call_id)
    second_officer = make_user("officer")
    with app.app_context():
        from nup.timeutil import utcnow

        now = utcnow()
        assert digest.queue_officer_digest(now=now) == 2
        assert digest.queue_officer_digest(now=now) == 0
        db.session.commit()
        rows = _kinds("officer_digest")
        assert {r.user_id for r in rows} == {officer.id, second_officer.id}
        assert rows[0].context["calls"][0]["drafts"] == 2 and rows[0].context["new_submissions"] == 0
        assert digest.queue_officer_digest(now=now + timedelta(days=1)) == 2


def test_two_overlapping_runs_of_a_job_queue_each_email_once(app, make_user, make_call):
    import threading

    from workers.tasks.schedules import _run_once_per_period

    call_id = _call_closing(make_call)
    founder = make_user("applicant")
    with time_machine.travel(CLOSES - timedelta(days=9), tick=False):
        complete_application(app, founder, call_id)
    three_days_before = CLOSES - timedelta(days=3)
    results = []

    def run():
        with app.app_context(), time_machine.travel(three_days_before, tick=False):
            results.append(_run_once_per_period("test-deadline", reminders.queue_deadline_reminders))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        assert sorted(results) == [0, 1]
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "deadline_reminder")
            )
            == 1
        )
