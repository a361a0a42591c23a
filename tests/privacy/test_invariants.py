"""Invariants of the purge and of "My data", proven with generated input."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nup.accounts import services as account_services
from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.extensions import db
from nup.notifications import services as notifications
from nup.privacy import mydata, purge, services
from nup.privacy.retention import RULES_BY_KEY
from nup.programmes.models import Call, CallStatus
from nup.timeutil import utcnow

NOW = datetime(2030, 6, 1, 3, 0, tzinfo=UTC)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _user(role: str = "applicant") -> User:
    return account_services.create_user(
        actor=None,
        email=f"{role}-{secrets.token_hex(5)}@example.kr",
        role=role,
        name="이름",
        password=None,
        now=utcnow(),
    )


def _call(closed_days_ago: int) -> Call:
    closes = NOW - timedelta(days=closed_days_ago)
    call = Call(
        title_ko=f"공고 {secrets.token_hex(3)}",
        announced_on=(closes - timedelta(days=40)).date(),
        opens_at=closes - timedelta(days=30),
        closes_at=closes,
        status=CallStatus.CLOSED,
    )
    db.session.add(call)
    db.session.flush()
    return call


item = st.tuples(
    st.integers(min_value=0, max_value=800),  # days since the call closed
    st.sampled_from(["submitted", "withdrawn", "draft"]),
    st.booleans(),  # a legal hold on the application
)


@SETTINGS
@given(st.lists(item, min_size=1, max_size=5))
def test_the_purge_erases_exactly_the_expired_unheld_applications(app_context, items):
    officer = _user("officer")
    made = []
    for age, status, held in items:
        application = Application(
            call_id=_call(age).id,
            user_id=_user().id,
            status=ApplicationStatus.RESULT if status == "submitted" else status,
            company_name="지울회사",
            ceo_name="대표",
            region="광주",
            track="general",
        )
        db.session.add(application)
        db.session.flush()
        if held:
            services.place_hold(actor=officer, reason="분쟁", now=NOW, application=application)
        made.append((application.id, age, status, held))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        purge.run_purge(now=utcnow(), commit=db.session.commit)
    for application_id, age, status, held in made:
        rule = RULES_BY_KEY["unselected_application" if status == "submitted" else "withdrawn_draft"]
        expired = age >= rule.period.days
        row = db.session.get(Application, application_id)
        assert (row.anonymised_at is not None) == (expired and not held), (age, status, held)
        assert (row.company_name == "") == (expired and not held)
        assert row.region == "광주"


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=6))
def test_each_persons_data_holds_exactly_their_own_rows(app_context, rows):
    people = [_user() for _ in range(3)]
    call = _call(10)
    owned: dict[int, set] = {p.id: set() for p in people}
    emails: dict[int, set] = {p.id: set() for p in people}
    for index, (owner, mail_to) in enumerate(rows):
        person = people[owner]
        if not any(a for a in owned[person.id]):
            application = Application(call_id=call.id, user_id=person.id, status="draft", company_name=f"회사{index}")
            db.session.add(application)
            db.session.flush()
            owned[person.id].add(application.id)
        note = notifications.queue("password_changed", to=people[mail_to], key=f"n{index}", context={"name": "x"})
        emails[people[mail_to].id].add(note.idempotency_key)
    db.session.commit()
    for person in people:
        data = mydata.gather(person, now=NOW)
        assert {a["id"] for a in data["applications"]} == owned[person.id]
        assert data["profile"]["id"] == person.id
        mine = [e for e in data["emails"] if e["kind"] == "password_changed"]
        assert len(mine) == len(emails[person.id])
        addresses = {e["to_address"] for e in data["emails"]}
        assert addresses <= {person.email}
    assert db.session.scalar(select(User.id).where(User.anonymised_at.is_not(None))) is None
