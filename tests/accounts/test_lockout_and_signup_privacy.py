"""Failed sign-ins lock the attacker's address, not the account holder; sign-up does not
tell anyone which addresses have accounts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from nup.accounts import services
from nup.accounts.models import SignInThrottle, User
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.notifications.models import Notification
from tests.conftest import sign_in, submit

PASSWORD = "Correct-Horse-Battery-9"
ATTACKER, HOLDER = "203.0.113.66", "198.51.100.7"
T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _from(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def _mail(app, kind: str) -> list[Notification]:
    with app.app_context():
        return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def _guess_ten_times(browser, email: str) -> None:
    for n in range(10):
        assert sign_in(browser, email, f"Wrong-Guess-{n}").status_code == 401


def test_ten_failures_lock_the_attacker_while_the_holder_and_other_accounts_sign_in(app, make_user):
    victim = make_user("applicant", email="victim@example.kr")
    other = make_user("applicant", email="other@example.kr")
    attacker = _from(app, ATTACKER)
    with time_machine.travel(T0, tick=False):
        _guess_ten_times(attacker, victim.email)
        refused = sign_in(attacker, victim.email, PASSWORD)  # even the right password, from there
        assert refused.status_code == 429
        assert 'id="locked"' in refused.get_data(as_text=True)
        assert sign_in(_from(app, HOLDER), victim.email).status_code == 302  # the holder is not locked
        assert sign_in(_from(app, ATTACKER), other.email).status_code == 302  # nor another account
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "auth.sign_in_locked" in actions and "auth.sign_in_throttled" in actions


def test_the_lock_lasts_15_minutes_then_grows_with_each_further_failure(app, make_user):
    victim = make_user("applicant", email="victim@example.kr")
    attacker = _from(app, ATTACKER)
    with time_machine.travel(T0, tick=False):
        _guess_ten_times(attacker, victim.email)
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert sign_in(attacker, victim.email, "Wrong-Again-1").status_code == 429
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert sign_in(attacker, victim.email, "Wrong-Again-2").status_code == 401  # the 11th failure
    with time_machine.travel(T0 + timedelta(minutes=16 + 29), tick=False):
        assert sign_in(attacker, victim.email, PASSWORD).status_code == 429  # now 30 minutes
    with time_machine.travel(T0 + timedelta(minutes=16 + 31), tick=False):
        assert sign_in(attacker, victim.email, PASSWORD).status_code == 302


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=500))
def test_the_delay_is_none_before_ten_failures_then_never_shrinks_and_is_at_most_a_day(failures):
    now, nxt = services.lock_duration(failures), services.lock_duration(failures + 1)
    assert (now == timedelta(0)) == (failures < 10)
    assert now <= nxt <= timedelta(hours=24)
    if failures >= 10:
        assert now >= timedelta(minutes=15)


def test_guessing_from_many_addresses_never_locks_an_officer_out(app, make_user):
    officer = make_user("officer", email="chief@example.kr")
    with time_machine.travel(T0, tick=False):
        for n in range(3):
            _guess_ten_times(_from(app, f"203.0.113.{10 + n}"), officer.email)
        assert sign_in(_from(app, HOLDER), officer.email).status_code == 302


def test_the_emailed_unlock_link_lifts_the_lock_once(app, make_user):
    victim = make_user("applicant", email="victim@example.kr")
    attacker = _from(app, ATTACKER)  # here: the holder, who mistyped ten times
    with time_machine.travel(T0, tick=False):
        _guess_ten_times(attacker, victim.email)
        [mail] = _mail(app, "sign_in_locked")
        assert mail.to_address == victim.email and mail.context["ip"] == ATTACKER
        link = f"/unlock/{mail.context['token']}"
        assert attacker.get(link).status_code == 200  # a button: a mail scanner's visit changes nothing
        assert sign_in(attacker, victim.email, PASSWORD).status_code == 429
        lifted = submit(attacker, link, {})
        assert lifted.status_code == 302 and lifted.headers["Location"].endswith("/login")
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0
        used = attacker.get(link)
        assert used.status_code == 302 and "/password/forgot" in used.headers["Location"]
        assert sign_in(attacker, victim.email, PASSWORD).status_code == 302


def test_an_unlock_link_is_signed_and_expires(app, make_user):
    victim = make_user("applicant", email="victim@example.kr")
    attacker = _from(app, ATTACKER)
    with time_machine.travel(T0, tick=False):
        _guess_ten_times(attacker, victim.email)
        token = _mail(app, "sign_in_locked")[0].context["token"]
        assert attacker.get(f"/unlock/{token[:-2]}xx").status_code == 302
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        assert attacker.get(f"/unlock/{token}").status_code == 302


def test_guessing_an_unknown_address_looks_the_same_and_mails_nobody(app):
    attacker = _from(app, ATTACKER)
    with time_machine.travel(T0, tick=False):
        _guess_ten_times(attacker, "ghost@example.kr")
        assert sign_in(attacker, "ghost@example.kr", PASSWORD).status_code == 429
    assert _mail(app, "sign_in_locked") == []


# ---------------------------------------------------------------------- sign-up

GOOD = "Blue-Kettle-Orbit-42"


def _sign_up(client, email: str):
    return submit(
        client,
        "/register",
        {"name": "김하늘", "email": email, "password": GOOD, "confirm": GOOD, "personal_data_collection": "y"},
    )


def _shape(response, email: str) -> str:
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r"(csrf_token|nonce)[^>]*>", "", html)


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address(app, make_user):
    owner = make_user("applicant", email="taken@example.kr", name="기존 대표")
    known = _sign_up(app.test_client(), "taken@example.kr")
    unknown = _sign_up(app.test_client(), "fresh@example.kr")
    assert known.status_code == unknown.status_code == 200
    assert _shape(known, "taken@example.kr") == _shape(unknown, "fresh@example.kr")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(User.email == "taken@example.kr")) == 1
        assert db.session.get(User, owner.id).password_hash != ""
    [told] = _mail(app, "sign_up_attempted")
    assert told.to_address == "taken@example.kr"
    assert [m.to_address for m in _mail(app, "verify_email")] == ["fresh@example.kr"]


def test_the_owner_is_told_at_most_once_a_day_and_can_still_sign_in(app, make_user):
    owner = make_user("applicant", email="taken@example.kr")
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            _sign_up(app.test_client(), owner.email)
    assert len(_mail(app, "sign_up_attempted")) == 1
    assert sign_in(app.test_client(), owner.email).status_code == 302


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("kind", ["sign_up_attempted", "sign_in_locked"])
def test_the_new_emails_render_with_their_links(app, kind, language):
    from nup.notifications import catalogue, delivery

    with app.app_context():
        subject, text, html = delivery.render_parts(kind, language, catalogue.KINDS[kind].sample)
    assert subject.strip() and "/password/forgot" in text and "/password/forgot" in html
    assert ("/login" in text) if kind == "sign_up_attempted" else ("/unlock/sample" in text)
