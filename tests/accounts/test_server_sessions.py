"""Sessions end on the server: a replayed cookie opens nothing after sign-out, a password
change or reset, a role change, a disabled account or "sign out everywhere"; creating an
API token needs the password typed within the last minutes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from nup.accounts.models import ApiToken, User, UserSession
from nup.extensions import db
from nup.notifications.models import Notification
from tests.conftest import csrf_token, sign_in, submit

PASSWORD = "Correct-Horse-Battery-9"
COOKIE = "nup_session"


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _replayed(app, value: str):
    """A fresh browser given a copied cookie, as a thief would use it."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


def _token_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


def _assert_refused(app, stolen: str, csrf: str) -> None:
    created = _replayed(app, stolen).post("/profile/tokens", data={"csrf_token": csrf, "name": "stolen"})
    assert created.status_code == 302 and "/login" in created.headers["Location"]
    assert _token_count(app) == 0
    page = _replayed(app, stolen).get("/profile")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_copied_cookie_works_until_the_session_ends(app, client, make_user):
    """The control: replaying works while the session is live (so the refusals below mean something)."""
    user = make_user("applicant")
    sign_in(client, user.email)
    csrf = csrf_token(client, "/profile")
    thief = _replayed(app, _cookie(client))
    assert thief.get("/profile").status_code == 200
    assert thief.post("/profile/tokens", data={"csrf_token": csrf, "name": "x"}).status_code == 201


def test_sign_out_ends_the_session_on_the_server(app, client, make_user):
    user = make_user("applicant")
    sign_in(client, user.email)
    csrf = csrf_token(client, "/profile")
    stolen = _cookie(client)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    _assert_refused(app, stolen, csrf)
    with app.app_context():
        [row] = db.session.scalars(select(UserSession)).all()
        assert row.revoked_reason == "signed_out" and row.revoked_at is not None


def test_a_password_change_ends_other_sessions_and_the_old_cookie(app, client, make_user):
    user = make_user("applicant")
    other_device = app.test_client()
    sign_in(other_device, user.email)
    sign_in(client, user.email)
    csrf = csrf_token(client, "/profile")
    stolen = _cookie(client)
    new = "New-Lantern-Harbor-7"
    changed = submit(
        client,
        "/profile",
        {"current_password": PASSWORD, "password": new, "confirm": new},
        action="/profile/password",
    )
    assert changed.status_code == 302
    assert client.get("/profile").status_code == 200  # the person who changed it goes on
    assert other_device.get("/profile").status_code == 302
    _assert_refused(app, stolen, csrf)


def test_a_password_reset_ends_every_session(app, client, make_user):
    user = make_user("applicant", email="reset-me@example.kr")
    sign_in(client, user.email)
    csrf = csrf_token(client, "/profile")
    stolen = _cookie(client)
    stranger = app.test_client()
    submit(stranger, "/password/forgot", {"email": user.email})
    with app.app_context():
        token = db.session.scalar(select(Notification).where(Notification.kind == "reset_password")).context["token"]
    new = "New-Lantern-Harbor-7"
    done = submit(stranger, f"/password/reset/{token}", {"password": new, "confirm": new})
    assert done.status_code == 302
    assert client.get("/profile").status_code == 302
    _assert_refused(app, stolen, csrf)


@pytest.mark.parametrize("event", ["role", "disabled"])
def test_a_role_change_or_disabling_the_account_ends_its_sessions(app, client, make_user, event):
    user = make_user("reviewer")
    officer = make_user("officer")
    sign_in(client, user.email)
    csrf = csrf_token(client, "/profile")
    stolen = _cookie(client)
    office = app.test_client()
    sign_in(office, officer.email)
    page = f"/staff/users/{user.id}"
    if event == "role":
        answer = submit(office, page, {"role": "mentor"}, action=f"{page}/role")
    else:
        answer = submit(office, page, {"active": "0"}, action=f"{page}/active")
    assert answer.status_code == 302
    with app.app_context():
        changed = db.session.get(User, user.id)
        assert (changed.role == "mentor") if event == "role" else (changed.active is False)
    assert client.get("/profile").status_code == 302
    _assert_refused(app, stolen, csrf)


def test_sign_out_everywhere_keeps_this_device_and_ends_the_others(app, client, make_user):
    user = make_user("applicant")
    laptop, phone = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Phone browser"
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    sign_in(client, user.email)
    csrf = csrf_token(laptop, "/profile")
    stolen = _cookie(laptop)
    profile = client.get("/profile").get_data(as_text=True)
    assert "Phone browser" in profile  # the profile lists where the account is signed in
    answer = submit(client, "/profile", {}, action="/profile/sessions/sign-out-others")
    assert answer.status_code == 302
    assert client.get("/profile").status_code == 200
    assert laptop.get("/profile").status_code == 302
    # The other device is told why it must sign in again.
    told = phone.get("/profile?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "You were signed out (on this or another device)" in told
    _assert_refused(app, stolen, csrf)
    with app.app_context():
        live = db.session.scalar(select(func.count()).where(UserSession.revoked_at.is_(None)))
        assert live == 1


def test_an_expired_session_is_ended_on_the_server_too(app, client, make_user):
    user = make_user("mentor")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 5
    stolen = _cookie(client)
    assert client.get("/profile").status_code == 302
    assert _replayed(app, stolen).get("/profile").status_code == 302


# ---------------------------------------------------------------------- fresh sign-in for tokens

SIGNED_IN_AT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_a_token_can_be_created_right_after_signing_in(app, client, make_user):
    user = make_user("officer")
    with time_machine.travel(SIGNED_IN_AT, tick=False):
        sign_in(client, user.email)
    with time_machine.travel(SIGNED_IN_AT + timedelta(minutes=9), tick=False):
        created = submit(client, "/profile", {"name": "script"}, action="/profile/tokens")
    assert created.status_code == 201 and "nup_" in created.get_data(as_text=True)
    assert _token_count(app) == 1


def test_an_old_sign_in_must_type_the_password_again_before_a_token_is_made(app, client, make_user):
    user = make_user("officer")
    with time_machine.travel(SIGNED_IN_AT, tick=False):
        sign_in(client, user.email)
    later = SIGNED_IN_AT + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        asked = submit(client, "/profile", {"name": "script"}, action="/profile/tokens")
        assert asked.status_code == 302 and "/reauthenticate" in asked.headers["Location"]
        assert _token_count(app) == 0
        form = asked.headers["Location"]
        wrong = submit(client, form, {"password": "Not-The-Password-1"})
        assert wrong.status_code == 401 and "비밀번호가 올바르지 않습니다" in wrong.get_data(as_text=True)
        right = submit(client, form, {"password": PASSWORD})
        assert right.status_code == 302 and right.headers["Location"].startswith("/profile")
        created = submit(client, "/profile", {"name": "script"}, action="/profile/tokens")
    assert created.status_code == 201
    assert _token_count(app) == 1
    with time_machine.travel(later + timedelta(minutes=11), tick=False):
        again = submit(client, "/profile", {"name": "second"}, action="/profile/tokens")
    assert again.status_code == 302 and "/reauthenticate" in again.headers["Location"]
    assert _token_count(app) == 1


def test_the_reauthentication_page_goes_back_only_to_this_site(client, make_user):
    user = make_user("officer")
    sign_in(client, user.email)
    answer = submit(client, "/reauthenticate?next=https://evil.example/", {"password": PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/profile"


def test_a_role_change_or_disabling_the_account_revokes_its_api_tokens_for_good(app, client, make_user, api_token):
    officer = make_user("officer")
    office = app.test_client()
    sign_in(office, officer.email)
    for event in ("role", "disabled"):
        user = make_user("reviewer")
        bearer = {"Authorization": f"Bearer {api_token(user)}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        page = f"/staff/users/{user.id}"
        if event == "role":
            submit(office, page, {"role": "mentor"}, action=f"{page}/role")
        else:
            submit(office, page, {"active": "0"}, action=f"{page}/active")
            assert client.get("/api/v1/me", headers=bearer).status_code == 401
            submit(office, page, {"active": "1"}, action=f"{page}/active")  # enabled again: the token stays dead
        assert client.get("/api/v1/me", headers=bearer).status_code == 401, event
