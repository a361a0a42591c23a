"""Officers' outbox, resend and cancel, email wording, group messages, opt-out, API."""

from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.notifications import services
from nup.notifications.models import BulkMessage, Notification
from nup.timeutil import utcnow
from tests.applications.conftest import complete_application
from tests.conftest import mail_messages, sign_in, submit


def _queue(app, user, kind="password_changed", key="k"):
    with app.app_context():
        row = services.queue(kind, to=db.session.get(User, user.id), key=key, context={"name": user.name})
        db.session.commit()
        return row.id


def test_the_outbox_lists_filters_and_shows_a_message_as_sent(app, client, make_user, officer):
    person = make_user("applicant")
    sent_id = _queue(app, person, key="a")
    waiting_id = _queue(app, person, key="b")
    with app.app_context():
        assert services.deliver_notification(sent_id, now=utcnow()) == "sent"
    sign_in(client, officer.email)
    page = client.get("/staff/outbox?lang=en").get_data(as_text=True)
    assert "2 emails" in page and person.email in page
    pending_only = client.get("/staff/outbox?status=pending&lang=en").get_data(as_text=True)
    assert "1 email" in pending_only
    assert f'/staff/outbox/{waiting_id}"' in pending_only and f'/staff/outbox/{sent_id}"' not in pending_only
    shown = client.get(f"/staff/outbox/{sent_id}?lang=en").get_data(as_text=True)
    assert "Message-ID" in shown and "password" in shown.lower()


def test_resend_makes_a_new_row_and_cancel_stops_a_waiting_email(app, client, make_user, officer):
    person = make_user("applicant")
    first = _queue(app, person, key="a")
    sign_in(client, officer.email)
    resent = submit(client, f"/staff/outbox/{first}", {}, action=f"/staff/outbox/{first}/resend")
    assert resent.status_code == 302
    cancelled = submit(client, f"/staff/outbox/{first}", {}, action=f"/staff/outbox/{first}/cancel")
    assert cancelled.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [r.status for r in rows] == ["cancelled", "pending"]
        assert rows[1].idempotency_key.endswith(":resend:1") and rows[1].queue == "priority"
        assert services.deliver_notification(rows[0].id, now=utcnow()) == "skipped"  # cancelled stays unsent
    again = submit(client, f"/staff/outbox/{first}", {}, action=f"/staff/outbox/{first}/cancel", follow_redirects=True)
    assert again.status_code == 200


def test_officers_reword_an_email_with_preview_and_errors_are_refused(app, client, make_user, officer):
    sign_in(client, officer.email)
    page = "/staff/templates/password_changed/en"
    assert "{{ name }}" in client.get(page).get_data(as_text=True)
    preview = submit(
        client, page, {"subject": "Hi {{ name }}", "body": "Dear {{ name }},\n\nAll good.", "preview": "1"}
    )
    assert "Hi 김하늘" in preview.get_data(as_text=True)
    broken = submit(client, page + "?lang=en", {"subject": "x", "body": "{{ name ", "save": "1"})
    assert "cannot be used" in broken.get_data(as_text=True)
    saved = submit(
        client, page, {"subject": "Password changed for {{ name }}", "body": "Dear {{ name }},\n\nDone.", "save": "1"}
    )
    assert saved.status_code == 302
    person = make_user("applicant", name="Jiwoo")
    with app.app_context():
        db.session.get(User, person.id).language = "en"
        db.session.commit()
    row = _queue(app, person, key="custom")
    with app.app_context():
        services.deliver_notification(row, now=utcnow())
    [message] = mail_messages()
    assert message["Subject"] == "Password changed for Jiwoo"
    assert "Done." in message.get_body(("plain",)).get_content()


def test_a_group_message_shows_its_count_and_preview_before_it_is_sent(app, client, make_user, officer, open_call):
    founders = [make_user("applicant", name=f"대표{i}") for i in range(3)]
    for founder in founders[:2]:
        complete_application(app, founder, open_call)
    make_user("reviewer")
    sign_in(client, officer.email)
    form = {
        "role": "applicant",
        "call_id": str(open_call),
        "subject_ko": "서류 안내",
        "body_ko": "{{ name }}님, 안녕하세요.",
        "subject_en": "",
        "body_en": "",
    }
    preview = submit(client, "/staff/outbox/compose?lang=en", {**form, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert "This message will go to 2 people." in html and "Send to 2 people" in html
    with app.app_context():
        assert db.session.scalars(select(Notification)).all() == []  # nothing queued by a preview
    stale = submit(client, "/staff/outbox/compose?lang=en", {**form, "send": "1", "expected_count": "3"})
    assert "has changed since the preview" in stale.get_data(as_text=True)
    sent = submit(client, "/staff/outbox/compose", {**form, "send": "1", "expected_count": "2"})
    assert sent.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.kind == "bulk_message")).all()
        assert {r.user_id for r in rows} == {founders[0].id, founders[1].id}
        assert db.session.scalar(select(BulkMessage)).recipients == 2


def test_non_essential_mail_has_a_one_click_unsubscribe_and_it_works(app, client, make_user):
    person = make_user("applicant")
    row = _queue(app, person, kind="weekly_status", key="w1")
    with app.app_context():
        db.session.get(Notification, row).context = {"name": person.name, "items": []}
        db.session.commit()
        assert services.deliver_notification(row, now=utcnow()) == "sent"
    [message] = mail_messages()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200  # one click, no form token: RFC 8058
    with app.app_context():
        assert db.session.get(User, person.id).mail_opt_out is True
        assert services.queue("weekly_status", to=db.session.get(User, person.id), key="w2", context={}) is None
        essential = services.queue(
            "password_changed", to=db.session.get(User, person.id), key="p", context={"name": "x"}
        )
        assert essential is not None  # security mail is always sent
    assert client.post("/unsubscribe/forged-token").status_code == 404


def test_a_template_error_fails_that_row_only(app, make_user):
    person = make_user("applicant")
    with app.app_context():
        bad = services.queue("application_received", to=db.session.get(User, person.id), key="bad", context={})
        good = services.queue("password_changed", to=db.session.get(User, person.id), key="good", context={"name": "x"})
        db.session.commit()
        results = [
            services.deliver_notification(bad.id, now=utcnow()),
            services.deliver_notification(good.id, now=utcnow()),
        ]
    assert results == ["failed", "sent"]


def test_outbox_api_for_officers_only(client, make_user, api_token, app):
    person = make_user("applicant")
    _queue(app, person, key="api")
    officer_token, applicant_token = api_token(make_user("officer")), api_token(person)
    listed = client.get("/api/v1/outbox?status=pending", headers={"Authorization": f"Bearer {officer_token}"})
    body = listed.get_json()
    assert listed.status_code == 200 and body["total"] == 1
    assert {"status", "kind", "to"} <= set(body["items"][0]) and body["items"][0]["to"] == person.email
    assert client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {applicant_token}"}).status_code == 403
