"""A selected cohort and a vetted mentor pool for the mentoring tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from nup.accounts.models import User
from nup.extensions import db
from nup.timeutil import utcnow
from tests.cohort import Startup, make_cohort_call, make_selected_startup

MENTORS = (
    # name, email, expertise, countries, languages, capacity, fee
    ("이서연", "seoyeon@mentor.example.kr", ["robotics", "go_to_market"], ["JP", "US"], ["ko", "ja"], 20, 100_000),
    ("박준호", "junho@mentor.example.kr", ["autonomous_driving", "legal_ip"], ["US", "DE"], ["ko", "en"], 16, 150_000),
    ("Grace Lee", "grace@mentor.example.com", ["fundraising_ir", "go_to_market"], ["US", "SG"], ["en"], 10, 120_000),
    ("정민재", "minjae@mentor.example.kr", ["manufacturing_ai", "robotics"], ["JP", "VN"], ["ko"], 12, 80_000),
)


@dataclass
class Mentoring:
    officer: User
    call_id: int
    startups: list[Startup] = field(default_factory=list)
    mentor_ids: list[int] = field(default_factory=list)
    mentor_users: list[User] = field(default_factory=list)


def profile(name: str, expertise, countries, languages, capacity: int, fee: int, **extra) -> dict:
    return {
        "name": name,
        "organisation": extra.pop("organisation", "N-Up 멘토단"),
        "expertise": expertise,
        "industries": extra.pop("industries", ["physical_ai_robotics"]),
        "countries": countries,
        "languages": languages,
        "years_experience": extra.pop("years_experience", 15),
        "monthly_capacity_hours": capacity,
        "fee_per_hour": fee,
        **extra,
    }


@pytest.fixture()
def mentoring(app, make_user):
    """An officer, a cohort call with two selected startups and four vetted mentors with accounts."""
    from nup.mentoring import pool

    officer = make_user("officer", email="officer@mss.example.kr")
    users = [make_user("mentor", email=email, name=name) for name, email, *_rest in MENTORS]
    with app.app_context():
        call_id = make_cohort_call(officer.id)
        startups = [
            make_selected_startup(call_id, company="한빛로보틱스", target_markets=("JP", "US")),
            make_selected_startup(
                call_id, company="모빌리티랩", track="physical_ai_mobility", target_markets=("US",), rank=2
            ),
        ]
        setup = Mentoring(officer=officer, call_id=call_id, startups=startups, mentor_users=users)
        actor = db.session.get(User, officer.id)
        for user, (name, email, expertise, countries, languages, capacity, fee) in zip(users, MENTORS, strict=True):
            mentor = pool.create_mentor(
                actor=actor,
                email=email,
                values=profile(name, expertise, countries, languages, capacity, fee),
                user=db.session.get(User, user.id),
                now=utcnow(),
            )
            setup.mentor_ids.append(mentor.id)
        db.session.commit()
    return setup


def accepted_match(setup: Mentoring, startup_index: int = 0, mentor_index: int = 0):
    """Propose and accept a match (inside an app context); returns the match."""
    from nup.applications.models import Application
    from nup.mentoring import matches
    from nup.mentoring.models import Mentor

    now = utcnow()
    application = db.session.get(Application, setup.startups[startup_index].application_id)
    mentor = db.session.get(Mentor, setup.mentor_ids[mentor_index])
    match = matches.propose_match(application, mentor, actor=db.session.get(User, setup.officer.id), now=now)
    matches.respond_match(
        match, actor=db.session.get(User, setup.mentor_users[mentor_index].id), accept=True, note="", now=now
    )
    db.session.commit()
    return match


def slot(hours_from_now: float, minutes: int = 60, **extra) -> dict:
    return {
        "starts_at": utcnow() + timedelta(hours=hours_from_now),
        "minutes": minutes,
        "mode": extra.pop("mode", "online"),
        "location": extra.pop("location", "https://meet.example.kr/nup"),
        "agenda": extra.pop("agenda", "일본 진출 전략"),
    }
