"""Demo data for `nup demo`: one account per role (more arrives with calls and applications)."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select

from nup.accounts import services
from nup.accounts.consents import CONSENTS
from nup.accounts.models import User
from nup.applications.models import Application
from nup.demo_applications import load_calls
from nup.demo_cohort import load_cohort
from nup.demo_mentoring import load_mentoring_demo
from nup.demo_overseas import load_overseas_demo
from nup.demo_reviews import load_review_demo
from nup.extensions import db
from nup.priority.services import classify_application
from nup.timeutil import utcnow

# Emails stay the same from one load to the next; passwords are made at load time and printed.
DEMO_ACCOUNTS = (
    ("officer@nup.example.kr", "officer", "김민정 (사무관)"),
    ("reviewer@nup.example.kr", "reviewer", "박준호 (평가위원)"),
    ("mentor@nup.example.kr", "mentor", "이서연 (멘토)"),
    ("founder@robotics.example.kr", "applicant", "최도윤"),
    ("founder@mobility.example.com", "applicant", "Jiwoo Han"),
)


class DemoRefused(RuntimeError):
    """Demo data is never loaded into a production system."""


def new_password(role: str) -> str:
    """A random password for one role's demo accounts (shared by that role's accounts)."""
    return f"{role.capitalize()}-{secrets.token_urlsafe(12)}"


def load(*, if_empty: bool) -> list[tuple[str, str, str]] | None:
    """Create the demo accounts; with if_empty, only on a database without accounts.

    Returns (email, password, role) for each account created, the passwords made now;
    evaluators share the reviewer's password, mentors the mentor's, applicants the
    founders'. Raises DemoRefused when NUP_ENV is production.
    """
    if current_app.config.get("NUP_ENV") == "production":
        raise DemoRefused("demo data is never loaded when NUP_ENV=production")
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return None
    now = utcnow()
    role_passwords = {role: new_password(role) for role in ("officer", "reviewer", "mentor", "applicant")}
    created = []
    for email, role, name in DEMO_ACCOUNTS:
        password = role_passwords[role]
        if services.email_taken(email):
            continue
        user = services.create_user(
            actor=None, email=email, role=role, name=name, password=password, now=now, check_strength=False
        )
        if email.endswith(".com"):
            user.language = "en"
        for consent in CONSENTS:
            services.record_consent(user=user, kind=consent.kind, granted=True, ip=None, now=now)
        created.append((email, password, role))
    officer = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[0][0]))
    founders = [
        db.session.scalar(select(User).where(User.email == email))
        for email, role, _name in DEMO_ACCOUNTS
        if role == "applicant"
    ]
    founders += _more_applicants(now, 34, password=role_passwords["applicant"])
    if officer is not None:
        load_calls(officer, founders, now=now)
        load_review_demo(officer, founders[2:], password=role_passwords["reviewer"], now=now)
        # Last year's cohort: selected startups in mentoring and overseas support.
        cohort = load_cohort(officer, founders[:10], now=now)
        load_mentoring_demo(officer, cohort, password=role_passwords["mentor"], now=now)
        load_overseas_demo(officer, cohort, now=now)
        # Read every demo application now rather than wait for the worker's sweep.
        for application in db.session.scalars(select(Application).where(Application.submitted_at.is_not(None))):
            classify_application(application, now=now)
    db.session.commit()
    return created


KOREAN_NAMES = [
    "김서준",
    "이하은",
    "박도현",
    "정지우",
    "최민서",
    "강예준",
    "조수아",
    "윤시우",
    "장지호",
    "임서연",
    "한유준",
    "오채원",
    "서건우",
    "신지민",
    "권하준",
    "황다은",
    "안주원",
]
ENGLISH_NAMES = ["Alex Kim", "Sophie Park", "Daniel Lee", "Grace Choi", "Ethan Jung", "Mia Kang", "Ryan Cho"]


def _more_applicants(now, count: int, *, password: str) -> list[User]:
    """Applicant accounts for the demo applications (they share the founders' password)."""
    users = []
    for index in range(count):
        english = index % 3 == 2
        name = ENGLISH_NAMES[index % len(ENGLISH_NAMES)] if english else KOREAN_NAMES[index % len(KOREAN_NAMES)]
        email = f"founder{index + 1:02d}@startup.example.kr"
        if services.email_taken(email):
            continue
        user = services.create_user(
            actor=None,
            email=email,
            role="applicant",
            name=name,
            password=password,
            now=now,
            check_strength=False,
        )
        user.language = "en" if english else "ko"
        for consent in CONSENTS:
            services.record_consent(
                user=user, kind=consent.kind, granted=consent.required or index % 2 == 0, ip=None, now=now
            )
        users.append(user)
    return users
