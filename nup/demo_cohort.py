"""Demo data: last year's cohort, a call whose selected startups now get mentoring and overseas support."""

from __future__ import annotations

import random
from datetime import date, timedelta

from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.demo_applications import apply_to
from nup.extensions import db
from nup.programmes import services as call_services
from nup.reviews.models import Decision, Outcome, Stage


def load_cohort(officer: User, founders: list[User], *, now) -> list[Application]:
    """A call decided seven months ago with `len(founders)` selected startups; returns their applications."""
    rng = random.Random(2025)
    opens = now - timedelta(days=300)
    call = call_services.create_call(
        actor=officer,
        values={
            "title_ko": "2025년 N-Up 글로벌 피지컬 AI 스타트업 (1기)",
            "title_en": "N-Up 2025: Global Physical AI startups (cohort 1)",
            "announced_on": date.fromordinal((opens - timedelta(days=3)).date().toordinal()),
            "opens_at": opens,
            "closes_at": opens + timedelta(days=30),
        },
        now=opens,
    )
    call_services.publish_call(call, actor=officer, now=opens)
    selected = []
    for index, founder in enumerate(founders):
        application = apply_to(call, founder, index, rng, now=now, submit_at=opens + timedelta(days=20, hours=index))
        application.status = ApplicationStatus.RESULT
        score = round(92 - index * 1.7 - rng.random(), 2)
        db.session.add(
            Decision(
                call_id=call.id,
                application_id=application.id,
                stage=Stage.PRESENTATION,
                outcome=Outcome.SELECTED,
                final_score=score,
                trimmed_mean=score,
                rank=index + 1,
                ranked_count=len(founders) * 3,
                reasons="",
                decided_at=now - timedelta(days=215),
                decided_by_id=officer.id,
                released_at=now - timedelta(days=214),
            )
        )
        selected.append(application)
    db.session.flush()
    return selected
