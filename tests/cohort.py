"""Selected startups for the mentoring and overseas tests, built straight from the models.

The review tests prove how a startup gets selected; later stages only need the result:
a closed call, a submitted application and a released "selected" decision.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.extensions import db
from nup.programmes import services as call_services
from nup.reviews.models import Decision, Outcome, Stage
from nup.timeutil import to_kst, utcnow


@dataclass
class Startup:
    application_id: int
    user_id: int
    call_id: int
    email: str


def make_cohort_call(officer_id: int, *, title: str = "2025 N-Up 선정 기업") -> int:
    """A published call that closed 60 days ago (inside an app context; committed)."""
    now = utcnow()
    actor = db.session.get(User, officer_id)
    call = call_services.create_call(
        actor=actor,
        now=now - timedelta(days=120),
        values={
            "title_ko": title,
            "title_en": "N-Up 2025 cohort",
            "announced_on": to_kst(now - timedelta(days=120)).date(),
            "opens_at": now - timedelta(days=120),
            "closes_at": now - timedelta(days=60),
        },
    )
    call_services.publish_call(call, actor=actor, now=now - timedelta(days=119))
    db.session.commit()
    return call.id


def make_selected_startup(
    call_id: int,
    *,
    company: str = "한빛로보틱스",
    track: str = "physical_ai_robotics",
    physical_ai: bool = True,
    target_markets: tuple[str, ...] = ("JP", "US"),
    summary: str = "물류 창고용 자율주행 로봇(AMR)과 관제 소프트웨어",
    rank: int = 1,
    final_score: float = 88.5,
    language: str = "ko",
) -> Startup:
    """A founder whose application to `call_id` was selected and told (inside an app context)."""
    from nup.accounts import services as account_services

    now = utcnow()
    email = f"founder-{secrets.token_hex(4)}@example.kr"
    user = account_services.create_user(
        actor=None, email=email, role="applicant", name="김하늘", password="Correct-Horse-Battery-9", now=now
    )
    user.language = language
    application = Application(
        call_id=call_id,
        user_id=user.id,
        status=ApplicationStatus.RESULT,
        receipt_number=f"T-{secrets.token_hex(5)}",
        company_name=company,
        ceo_name="김하늘",
        applicant_type="company",
        region="대전",
        industry="로봇",
        track=track,
        summary=summary,
        problem="물류 인력난",
        solution=summary,
        scale_up="일본과 미국 진출",
        team="박사 3명",
        target_markets=list(target_markets),
        eligible=True,
        physical_ai=physical_ai,
        submitted_at=now - timedelta(days=70),
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        Decision(
            call_id=call_id,
            application_id=application.id,
            stage=Stage.PRESENTATION,
            outcome=Outcome.SELECTED,
            final_score=final_score,
            trimmed_mean=final_score,
            rank=rank,
            ranked_count=10,
            reasons="",
            decided_at=now - timedelta(days=40),
            released_at=now - timedelta(days=39),
        )
    )
    db.session.commit()
    return Startup(application.id, user.id, call_id, email)
