"""Email through the real worker, broker and SMTP server: no mocks on this path."""

import re
import time

import pytest
from sqlalchemy import select

from nup.extensions import db
from nup.notifications.models import Notification
from tests.conftest import sign_in, submit, wait_for

pytestmark = pytest.mark.integration
GOOD = "Blue-Kettle-Orbit-42"


def test_sign_up_sends_exactly_one_verification_email_by_smtp(app, client, smtp_sink, smtp_worker):
    submit(
        client,
        "/register?lang=en",
        {
            "name": "Han Jiwoo",
            "email": "jiwoo@mobility.example.com",
            "password": GOOD,
            "confirm": GOOD,
            "personal_data_collection": "y",
        },
    )
    wait_for(lambda: smtp_sink.messages, what="the verification email at the SMTP server")
    time.sleep(2)  # anything sent twice would arrive by now
    [message] = smtp_sink.messages
    assert message["To"] == "jiwoo@mobility.example.com"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/verify/\S+", text).group(0)
    with app.app_context():
        row = db.session.scalar(select(Notification).where(Notification.kind == "verify_email"))
        assert row.status == "sent" and row.message_id == message["Message-ID"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 302
    assert sign_in(client, "jiwoo@mobility.example.com", GOOD).status_code == 302


def test_a_rolled_back_change_sends_nothing(app, make_user, smtp_sink, smtp_worker):
    from nup.accounts.models import User
    from nup.notifications import services

    user = make_user("applicant")
    with app.app_context():
        services.queue("password_changed", to=db.session.get(User, user.id), key="rolled-back", context={"name": "x"})
        db.session.rollback()
        services.queue("password_changed", to=db.session.get(User, user.id), key="committed", context={"name": "x"})
        db.session.commit()
    wait_for(lambda: smtp_sink.messages, what="the committed email")
    time.sleep(2)
    assert len(smtp_sink.messages) == 1


def test_the_sweeper_sends_what_the_broker_never_got(app, make_user, smtp_sink, smtp_worker, monkeypatch):
    """A row committed while the broker was unreachable is delivered by the sweeper."""
    from datetime import timedelta

    from nup import background
    from nup.accounts.models import User
    from nup.notifications import services
    from nup.timeutil import utcnow

    user = make_user("applicant")
    monkeypatch.setattr(background, "send_now", lambda *a, **k: False)  # the broker is down
    with app.app_context():
        row = services.queue("password_changed", to=db.session.get(User, user.id), key="lost", context={"name": "x"})
        db.session.commit()
        row.created_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    monkeypatch.undo()  # the broker is back
    time.sleep(1)
    assert smtp_sink.messages == []
    app.extensions["celery"].send_task("notifications.sweep", queue="priority")
    wait_for(lambda: smtp_sink.messages, what="the swept email")
    assert len(smtp_sink.messages) == 1


def test_a_submission_sends_exactly_one_receipt_even_after_a_double_click(app, make_user, smtp_sink, smtp_worker):
    from datetime import timedelta

    from nup.accounts.models import User
    from nup.applications import services as applications
    from nup.applications.models import Application
    from nup.programmes import services as calls
    from nup.timeutil import to_kst, utcnow
    from tests.applications.conftest import complete_application

    officer, founder = make_user("officer"), make_user("applicant")
    now = utcnow()
    with app.app_context():
        call = calls.create_call(
            actor=db.session.get(User, officer.id),
            now=now,
            values={
                "title_ko": "접수 메일 시험",
                "announced_on": to_kst(now).date() - timedelta(days=1),
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=1),
            },
        )
        calls.publish_call(call, actor=db.session.get(User, officer.id), now=now)
        db.session.commit()
        call_id = call.id
    application_id = complete_application(app, founder, call_id)
    with app.app_context():
        for _ in range(2):  # the second click finds it submitted and changes nothing
            applications.submit_application(
                db.session.get(Application, application_id), actor=db.session.get(User, founder.id), now=utcnow()
            )
            db.session.commit()
        number = db.session.get(Application, application_id).receipt_number
    wait_for(lambda: smtp_sink.messages, what="the receipt email")
    time.sleep(2)
    [message] = smtp_sink.messages
    assert number in message["Subject"] and message["To"] == founder.email
