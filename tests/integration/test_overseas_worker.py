"""Overseas support on the real worker, broker and SMTP server: the daily run flags and reminds, once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.notifications.models import Notification
from nup.overseas import kpis, services
from nup.overseas.models import SupportPlan
from nup.timeutil import to_kst, utcnow
from tests.cohort import make_cohort_call, make_selected_startup
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def test_the_daily_run_flags_a_late_plan_and_mails_its_founder_once(app, make_user, smtp_sink, smtp_worker):
    officer = make_user("officer")
    with app.app_context():
        startup = make_selected_startup(make_cohort_call(officer.id), company="늦은기업")
        today = to_kst(utcnow()).date()
        plan = services.create_plan(
            db.session.get(Application, startup.application_id),
            actor=db.session.get(User, officer.id),
            starts_on=kpis.add_months(today.replace(day=1), -2),
            months=10,
            budget_won=100_000_000,
            target_countries=["US"],
            now=utcnow(),
        )
        db.session.execute(SupportPlan.__table__.update().values(at_risk=False, risk_reasons=[]))
        db.session.commit()
        plan_id = plan.id
    wait_for(lambda: smtp_sink.messages, what="the agreement notice")

    def flagged():
        with app.app_context():
            return db.session.get(SupportPlan, plan_id).at_risk

    app.extensions["celery"].send_task("overseas.daily")
    wait_for(flagged, what="the worker to flag the plan")

    def overseas_mail(status: str | None = None) -> int:
        with app.app_context():
            query = select(func.count()).where(Notification.kind.like("overseas_%"))
            if status:
                query = query.where(Notification.status == status)
            return db.session.scalar(query)

    queued = overseas_mail()  # the flag and the reminders commit together
    assert queued >= 3  # the notice, at least one missing report, the kick-off
    wait_for(lambda: overseas_mail("sent") == queued, what="the reminders to leave")
    app.extensions["celery"].send_task("overseas.daily")  # a second beat (or a redelivery) queues nothing more
    wait_for(lambda: len(smtp_sink.messages) == queued, what="every email at the SMTP server")
    time.sleep(2)  # time for the second run to finish
    assert overseas_mail() == queued and len(smtp_sink.messages) == queued
    with app.app_context():
        plan = db.session.get(SupportPlan, plan_id)
        assert plan.at_risk and {"milestone_overdue", "report_missing"} <= {r["code"] for r in plan.risk_reasons}
        kinds = list(db.session.scalars(select(Notification.kind).where(Notification.kind.like("overseas_%"))))
    assert kinds.count("overseas_milestone_overdue") == 1 and kinds.count("overseas_report_overdue") >= 1
    assert all(startup.email in str(m["To"]) for m in smtp_sink.messages)
