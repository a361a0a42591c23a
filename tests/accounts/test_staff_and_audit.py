"""Officers create staff accounts, change roles and read the audit log; consents on the profile."""

from sqlalchemy import select

from nup.accounts.models import Consent, User
from nup.audit.models import AuditEvent, AuditLogIsAppendOnly
from nup.extensions import db
from nup.notifications.models import Notification
from tests.conftest import sign_in, submit


def _actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_an_officer_invites_a_reviewer_who_sets_a_password_by_link(app, client, make_user):
    officer = make_user("officer")
    sign_in(client, officer.email)
    response = submit(
        client,
        "/staff/users/new",
        {"name": "박평가", "email": "judge@example.kr", "role": "reviewer", "language": "ko"},
    )
    assert response.status_code == 302
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == "judge@example.kr"))
        assert reviewer.role == "reviewer" and reviewer.password_hash is None
        invitation = db.session.scalar(select(Notification).where(Notification.kind == "staff_invitation"))
    invited = app.test_client()
    done = submit(
        invited,
        f"/password/reset/{invitation.context['token']}",
        {"password": "Quiet-Meadow-Lamp-3", "confirm": "Quiet-Meadow-Lamp-3"},
    )
    assert done.status_code == 302
    assert sign_in(invited, "judge@example.kr", "Quiet-Meadow-Lamp-3").status_code == 302
    assert "account.created" in _actions(app)


def test_staff_form_errors_keep_what_was_typed(client, make_user):
    officer = make_user("officer")
    existing = make_user("mentor", email="taken@example.kr")
    sign_in(client, officer.email)
    response = submit(
        client,
        "/staff/users/new?lang=en",
        {"name": "Someone", "email": existing.email, "role": "mentor", "language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already registered" in html and 'value="Someone"' in html


def test_role_changes_are_audited_with_before_and_after(app, client, make_user):
    officer = make_user("officer")
    person = make_user("applicant")
    sign_in(client, officer.email)
    response = submit(client, f"/staff/users/{person.id}", {"role": "mentor"}, action=f"/staff/users/{person.id}/role")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id).role == "mentor"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.role_changed"))
        assert event.before == {"role": "applicant"} and event.after == {"role": "mentor"}
        assert event.actor_id == officer.id


def test_viewing_a_persons_details_is_recorded_as_personal_data_access(app, client, make_user):
    officer = make_user("officer")
    person = make_user("applicant")
    sign_in(client, officer.email)
    assert client.get(f"/staff/users/{person.id}").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.viewed"))
        assert event.object_id == str(person.id) and event.actor_id == officer.id


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(app, client, make_user):
    officer = make_user("officer")
    person = make_user("applicant")
    theirs = app.test_client()
    sign_in(theirs, person.email)
    sign_in(client, officer.email)
    submit(client, f"/staff/users/{person.id}", {"active": "0"}, action=f"/staff/users/{person.id}/active")
    assert theirs.get("/dashboard").status_code == 302
    assert sign_in(app.test_client(), person.email).status_code == 401


def test_the_audit_page_searches_by_person_and_action(app, client, make_user):
    officer = make_user("officer", email="chief@example.kr")
    person = make_user("applicant", email="someone@example.kr")
    sign_in(app.test_client(), person.email, "Wrong-Password-1")
    sign_in(client, officer.email)
    html = client.get("/staff/audit/?actor=someone&action=auth.sign_in_failed").get_data(as_text=True)
    assert "someone@example.kr" in html and "auth.sign_in_failed" in html
    assert "chief@example.kr" not in html.split("<tbody>")[1]
    bad = client.get("/staff/audit/?since=not-a-date&page=-3")
    assert bad.status_code == 200


def test_audit_events_cannot_be_changed_or_deleted(app, make_user):
    make_user("applicant")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).first()
        event.action = "tampered"
        try:
            db.session.flush()
            raise AssertionError("an audit event was changed")
        except AuditLogIsAppendOnly:
            db.session.rollback()


def test_the_optional_consent_can_be_withdrawn_and_history_is_kept(app, client, make_user):
    user = make_user("applicant")
    sign_in(client, user.email)
    submit(client, "/profile", {"kind": "programme_news", "granted": "1"}, action="/profile/consents")
    submit(client, "/profile", {"kind": "programme_news", "granted": "0"}, action="/profile/consents")
    with app.app_context():
        rows = db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id, Consent.kind == "programme_news")
            .order_by(Consent.sequence)
        ).all()
        assert [r.granted for r in rows] == [True, False]
    assert "consent.withdrawn" in _actions(app)


def test_the_required_consent_cannot_be_withdrawn_by_a_toggle(app, client, make_user):
    user = make_user("applicant")
    sign_in(client, user.email)
    submit(client, "/profile", {"kind": "personal_data_collection", "granted": "1"}, action="/profile/consents")
    response = submit(
        client,
        "/profile",
        {"kind": "personal_data_collection", "granted": "0"},
        action="/profile/consents",
        follow_redirects=True,
    )
    assert response.status_code == 200
    with app.app_context():
        latest = db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id, Consent.kind == "personal_data_collection")
            .order_by(Consent.sequence.desc())
        ).first()
        assert latest.granted is True


def test_profile_changes_and_password_change(app, client, make_user):
    user = make_user("mentor")
    sign_in(client, user.email)
    submit(client, "/profile", {"name": "새 이름", "language": "en"})
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved.name == "새 이름" and saved.language == "en"
    wrong = submit(
        client,
        "/profile",
        {"current_password": "nope", "password": "Fresh-Pebble-Road-5", "confirm": "Fresh-Pebble-Road-5"},
        action="/profile/password",
    )
    assert wrong.status_code == 422
    right = submit(
        client,
        "/profile",
        {
            "current_password": "Correct-Horse-Battery-9",
            "password": "Fresh-Pebble-Road-5",
            "confirm": "Fresh-Pebble-Road-5",
        },
        action="/profile/password",
    )
    assert right.status_code == 302
    assert client.get("/dashboard", follow_redirects=True).status_code == 200  # this session continues
    assert sign_in(app.test_client(), user.email, "Fresh-Pebble-Road-5").status_code == 302
