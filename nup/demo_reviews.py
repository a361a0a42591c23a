"""Demo data for the evaluation: a closed call under review, an evaluator panel, scores in progress."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from nup.accounts import services as accounts
from nup.accounts.models import User
from nup.demo_applications import apply_to
from nup.extensions import db
from nup.programmes import services as call_services
from nup.reviews import assigning, scores, services
from nup.reviews.models import Assignment

EVALUATORS = (
    # name, organisation, expertise, gender, market expert
    ("한지민 (교수)", "KAIST 기계공학과", ["physical_ai_robotics", "physical_ai_manufacturing"], "female", False),
    ("오세훈 (심사역)", "블루포인트파트너스", ["ai_software", "physical_ai_mobility"], "male", True),
    ("윤서아 (연구위원)", "한국전자통신연구원", ["physical_ai_mobility"], "female", False),
    ("장민호 (대표)", "로봇산업협회", ["physical_ai_robotics"], "male", True),
    ("Daniel Park (Partner)", "K-Growth Ventures", ["ai_software"], "male", True),
    ("임채원 (센터장)", "창조경제혁신센터", ["physical_ai_manufacturing", "other"], "female", True),
    ("송우진 (CTO)", "스마트팩토리솔루션즈", ["physical_ai_manufacturing"], "male", True),
)


def load_review_demo(officer: User, applicants: list[User], *, password: str, now) -> int:
    """A call that closed a month ago, assigned to a panel of 8; all but the demo evaluator have scored.

    The demo evaluator (reviewer@nup.example.kr) has not signed the pledge yet, so signing in
    shows the whole evaluator's journey. Returns the number of assignments.
    """
    rng = random.Random(55)
    opens = now - timedelta(days=60)
    call = call_services.create_call(
        actor=officer,
        values={
            "title_ko": "2026년 N-Up 창업도약 트랙 (상반기)",
            "title_en": "N-Up 2026 scale-up track (first half)",
            "announced_on": date.fromordinal((opens - timedelta(days=3)).date().toordinal()),
            "opens_at": opens,
            "closes_at": now - timedelta(days=30),
            "reviewers_per_application": 5,
        },
        now=opens,
    )
    call_services.publish_call(call, actor=officer, now=opens)
    for index, applicant in enumerate(applicants[:14]):
        apply_to(call, applicant, index, rng, now=now, submit_at=now - timedelta(days=35, hours=index))
    panel = [db.session.scalar(select(User).where(User.email == "reviewer@nup.example.kr"))]
    for index, (name, organisation, expertise, gender, market) in enumerate(EVALUATORS):
        email = f"evaluator{index + 1}@nup.example.kr"
        user = db.session.scalar(select(User).where(User.email == email)) or accounts.create_user(
            actor=None, email=email, role="reviewer", name=name, password=password, now=now, check_strength=False
        )
        services.save_profile(
            user,
            actor=officer,
            organisation=organisation,
            past_employers=[],
            investments=[],
            advisory_roles=[],
            expertise=expertise,
            gender=gender,
            market_expert=market,
            now=now,
        )
        services.sign_pledge(call, actor=user, ip=None, now=now - timedelta(days=20))
        panel.append(user)
    demo_reviewer = panel[0]
    if demo_reviewer is not None:
        services.save_profile(
            demo_reviewer,
            actor=officer,
            organisation="서울대학교 산학협력단",
            past_employers=["현대자동차"],
            investments=[],
            advisory_roles=[],
            expertise=["physical_ai_robotics", "ai_software"],
            gender="male",
            market_expert=False,
            now=now,
        )
    panel = [u for u in panel if u is not None]
    services.set_panel(call, actor=officer, stage="document", track="", reviewer_ids=[u.id for u in panel], now=now)
    services.open_stage(call, "document", actor=officer, due_at=now + timedelta(days=2), now=now - timedelta(days=21))
    run = assigning.start_run(call, actor=officer, seed=2026, queue_task=False, now=now - timedelta(days=21))
    assigning.compute_run(run, now=now - timedelta(days=21))
    assigning.commit_run(run, actor=officer, now=now - timedelta(days=21))
    # Everyone but the demo evaluator has scored; one evaluator is markedly harsh.
    harsh = panel[-1].id
    for assignment in db.session.scalars(select(Assignment).where(Assignment.call_id == call.id)):
        if demo_reviewer is not None and assignment.reviewer_id == demo_reviewer.id:
            continue
        level = rng.uniform(0.55, 0.92) - (0.2 if assignment.reviewer_id == harsh else 0)
        points = {
            c["key"]: round(min(c["max_points"], max(0, c["max_points"] * (level + rng.uniform(-0.08, 0.08)))) * 2) / 2
            for c in call.rubric
        }
        scores.save_score(
            assignment,
            actor=db.session.get(User, assignment.reviewer_id),
            points=points,
            overall_comment=rng.choice(
                ["시장 검증 근거가 더 필요합니다.", "기술 차별성이 뚜렷합니다.", "팀 구성이 우수합니다.", ""]
            ),
            submit=True,
            now=now - timedelta(days=rng.randint(1, 15)),
        )
    db.session.flush()
    return run.report.get("committed", 0)
