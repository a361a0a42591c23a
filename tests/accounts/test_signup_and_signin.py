"""Sign-up, email confirmation, sign-in, throttling, sign-out and password reset via the pages."""

import re

from sqlalchemy import select

from nup.accounts.models import Consent, User
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.notifications.models import Notification
from tests.conftest import csrf_token, sign_in, submit

GOOD = "Blue-Kettle-Orbit-42"
FORM = {
    "name": "김하늘",
    "email": "ceo@haneul-robotics.kr",
    "password": GOOD,
    "confirm": GOOD,
    "personal_data_collection": "y",
}


def _outbox(app, kind):
    with app.app_context():
        return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def test_sign_up_records_separate_consents_and_queues_one_verification_email(app, client):
    response = submit(client, "/register", FORM)
    assert response.status_code == 200
    assert "ceo@haneul-robotics.kr" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ceo@haneul-robotics.kr"))
        assert user.role == "applicant" and user.email_verified_at is None
        assert user.password_hash.startswith("$argon2id$")
        consents = {c.kind: c.granted for c in db.session.scalars(select(Consent).where(Consent.user_id == user.id))}
        assert consents == {"personal_data_collection": True, "programme_news": False}
    [mail] = _outbox(app, "verify_email")
    assert mail.to_address == "ceo@haneul-robotics.kr" and mail.queue == "priority"


def test_sign_up_without_the_required_consent_keeps_what_was_typed(app, client):
    response = submit(client, "/register", {**FORM, "personal_data_collection": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This consent is required" in html or "필수" in html
    assert 'value="ceo@haneul-robotics.kr"' in html and 'value="김하늘"' in html
    assert GOOD not in html  # passwords are never sent back
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ceo@haneul-robotics.kr")) is None


def test_a_common_password_is_refused_with_a_field_message(client):
    response = submit(client, "/register?lang=en", {**FORM, "password": "password123", "confirm": "password123"})
    assert "too easy to guess" in response.get_data(as_text=True)


def test_an_unverified_account_cannot_sign_in_until_the_link_is_followed(app, client):
    submit(client, "/register", FORM)
    refused = sign_in(client, FORM["email"], GOOD)
    assert refused.status_code == 200 and "/dashboard" not in refused.headers.get("Location", "")
    [mail] = _outbox(app, "verify_email")
    confirmed = client.get(f"/verify/{mail.context['token']}")
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/login")
    signed_in = sign_in(client, FORM["email"], GOOD)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_a_tampered_verification_link_is_refused(app, client):
    response = client.get("/verify/not-a-real-token")
    assert response.status_code == 302 and "/verify" in response.headers["Location"]


def test_wrong_password_is_refused_and_audited_without_revealing_which_part_was_wrong(app, client, make_user):
    user = make_user("applicant", email="founder@example.kr")
    wrong = sign_in(client, user.email, "Wrong-Password-123")
    unknown = sign_in(client, "nobody@example.kr", "Wrong-Password-123")
    assert wrong.status_code == unknown.status_code == 401
    assert re.sub(r"csrf_token[^>]+", "", wrong.get_data(as_text=True)).count("not correct") == re.sub(
        r"csrf_token[^>]+", "", unknown.get_data(as_text=True)
    ).count("not correct")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("auth.sign_in_failed") == 2


def test_ten_wrong_passwords_lock_further_attempts_from_that_address_even_the_right_one(app, client, make_user):
    user = make_user("applicant", email="locked@example.kr")
    for _ in range(10):
        assert sign_in(client, user.email, "Wrong-Password-123").status_code == 401
    locked = sign_in(client, user.email, "Correct-Horse-Battery-9")
    assert locked.status_code == 429
    assert "15" in locked.get_data(as_text=True)
    with app.app_context():
        assert "auth.sign_in_throttled" in db.session.scalars(select(AuditEvent.action)).all()
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert sign_in(elsewhere, user.email).status_code == 302  # the holder, from another network


def test_the_lock_is_per_account_other_accounts_still_sign_in(client, make_user):
    victim = make_user("applicant", email="victim@example.kr")
    other = make_user("applicant", email="other@example.kr")
    for _ in range(10):
        sign_in(client, victim.email, "Wrong-Password-123")
    assert sign_in(client, victim.email).status_code == 429
    assert sign_in(client, other.email).status_code == 302


def test_sign_in_renews_the_session_and_sign_out_ends_it(client, make_user):
    user = make_user("reviewer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"].startswith(f"{user.id}:")
    token = csrf_token(client, "/dashboard")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_idle_sessions_expire(app, client, make_user):
    user = make_user("mentor")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 5
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sessions_expire_after_the_absolute_limit_even_when_active(app, client, make_user):
    user = make_user("mentor")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() + 5
    assert client.get("/dashboard").status_code == 302


def test_password_reset_by_emailed_link_works_once_and_ends_other_sessions(app, client, make_user):
    user = make_user("applicant", email="reset@example.kr")
    other_device = app.test_client()
    sign_in(other_device, user.email)
    assert other_device.get("/dashboard").status_code == 200

    submit(client, "/password/forgot", {"email": user.email})
    [mail] = _outbox(app, "reset_password")
    link = f"/password/reset/{mail.context['token']}"
    done = submit(client, link, {"password": "New-Lantern-Harbor-7", "confirm": "New-Lantern-Harbor-7"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert other_device.get("/dashboard").status_code == 302  # signed out everywhere
    again = client.get(link)  # a used link says so at once, before any typing
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]
    assert sign_in(client, user.email, "New-Lantern-Harbor-7").status_code == 302
    assert len(_outbox(app, "password_changed")) == 1


def test_forgot_password_says_the_same_for_unknown_addresses(app, client):
    response = submit(client, "/password/forgot", {"email": "ghost@example.kr"})
    assert response.status_code == 200
    assert _outbox(app, "reset_password") == []


def test_forms_refuse_posts_without_a_csrf_token(client):
    response = client.post("/login", data={"email": "a@example.kr", "password": "x"})
    assert response.status_code == 400


def test_bad_input_never_yields_a_server_error(client):
    for data in (
        {"email": "x" * 5000, "password": "y" * 5000},
        {"email": "\x00<>\u202e", "password": ""},
        {"email": "not-an-email", "password": "short"},
    ):
        assert sign_in(client, data["email"], data["password"]).status_code < 500
    for data in (
        {"name": "", "email": "bad", "password": "a", "confirm": "b"},
        {**FORM, "email": "<script>@x"},
        {**FORM, "name": "x" * 1000},
    ):
        assert submit(client, "/register", data).status_code < 500
