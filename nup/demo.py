"""Demo data for `nup demo`: one account per role (more arrives with calls and applications)."""

from __future__ import annotations

from sqlalchemy import func, select

from nup.accounts import services
from nup.accounts.consents import CONSENTS
from nup.accounts.models import User
from nup.extensions import db
from nup.timeutil import utcnow

DEMO_ACCOUNTS = (
    ("officer@nup.example.kr", "Officer-N-Up-2026!", "officer", "김민정 (사무관)"),
    ("reviewer@nup.example.kr", "Reviewer-N-Up-2026!", "reviewer", "박준호 (평가위원)"),
    ("mentor@nup.example.kr", "Mentor-N-Up-2026!", "mentor", "이서연 (멘토)"),
    ("founder@robotics.example.kr", "Founder-N-Up-2026!", "applicant", "최도윤"),
    ("founder@mobility.example.com", "Founder-N-Up-2026!", "applicant", "Jiwoo Han"),
)


def load(*, if_empty: bool) -> list[tuple[str, str, str]] | None:
    """Create the demo accounts; with if_empty, only on a database without accounts."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return None
    now = utcnow()
    created = []
    for email, password, role, name in DEMO_ACCOUNTS:
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
    db.session.commit()
    return created
