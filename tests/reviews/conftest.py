"""A closed call with submitted applications, an evaluator panel, and helpers to assign and score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from nup.accounts.models import User
from nup.extensions import db
from nup.timeutil import utcnow
from tests.applications.conftest import brn_for, complete_application, make_call, officer  # noqa: F401

RUBRIC_SCORES = {"problem": 20, "solution": 25, "scale_up": 20, "team": 20}


@dataclass
class ReviewSetup:
    call_id: int
    officer: User
    applicants: list[User] = field(default_factory=list)
    application_ids: list[int] = field(default_factory=list)
    reviewers: list[User] = field(default_factory=list)


@pytest.fixture()
def review_setup(app, make_user, make_call, officer):  # noqa: F811 - the fixture imported above
    """build(applications=6, reviewers=6, per_application=5, pledge=True, physical_ai_first=2)."""

    def build(
        applications: int = 6, reviewers: int = 6, per_application: int = 5, pledge: bool = True, **call_values
    ) -> ReviewSetup:
        from nup.applications import services as intake
        from nup.applications.models import Application
        from nup.programmes.models import Call
        from nup.reviews import services

        call_id = make_call(
            closes_in=timedelta(hours=1), reviewers_per_application=per_application, trim_min_reviews=5, **call_values
        )
        setup = ReviewSetup(call_id=call_id, officer=officer)
        for index in range(applications):
            applicant = make_user("applicant", name=f"대표{index}")
            track = "physical_ai_robotics" if index % 3 == 0 else "ai_software"
            application_id = complete_application(
                app, applicant, call_id, company_name=f"테스트기업{index}", ceo_name=f"대표{index}", track=track
            )
            with app.app_context():
                application = db.session.get(Application, application_id)
                intake.submit_application(application, actor=db.session.get(User, applicant.id), now=utcnow())
                db.session.commit()
            setup.applicants.append(applicant)
            setup.application_ids.append(application_id)
        with app.app_context():
            call = db.session.get(Call, call_id)
            call.closes_at = utcnow() - timedelta(minutes=1)
            db.session.commit()
        now = utcnow()
        for index in range(reviewers):
            reviewer = make_user("reviewer", name=f"평가위원{index}", email=f"reviewer{index}@example.kr")
            with app.app_context():
                actor = db.session.get(User, officer.id)
                services.save_profile(
                    db.session.get(User, reviewer.id),
                    actor=actor,
                    organisation=f"평가기관{index}",
                    past_employers=[],
                    investments=[],
                    advisory_roles=[],
                    expertise=["physical_ai_robotics"] if index % 2 == 0 else ["ai_software"],
                    gender="female" if index % 3 == 0 else "male",
                    market_expert=index % 2 == 0,
                    now=now,
                )
                if pledge:
                    services.sign_pledge(
                        db.session.get(Call, call_id), actor=db.session.get(User, reviewer.id), ip=None, now=now
                    )
                db.session.commit()
            setup.reviewers.append(reviewer)
        with app.app_context():
            services.set_panel(
                db.session.get(Call, call_id),
                actor=db.session.get(User, officer.id),
                stage="document",
                track="",
                reviewer_ids=[r.id for r in setup.reviewers],
                now=now,
            )
            db.session.commit()
        return setup

    return build


def assign_now(setup: ReviewSetup, *, stage: str = "document", seed: int = 7) -> int:
    """Run the optimiser in-process and commit its plan; returns the run id (inside an app context)."""
    from nup.programmes.models import Call
    from nup.reviews import assigning

    actor = db.session.get(User, setup.officer.id)
    run = assigning.start_run(
        db.session.get(Call, setup.call_id), actor=actor, stage=stage, seed=seed, queue_task=False, now=utcnow()
    )
    assigning.compute_run(run, now=utcnow())
    assert run.status == "ready", run.report
    assigning.commit_run(run, actor=actor, now=utcnow())
    db.session.commit()
    return run.id


def sheets_of(reviewer_id: int):
    from sqlalchemy import select

    from nup.reviews.models import Assignment

    return list(db.session.scalars(select(Assignment).where(Assignment.reviewer_id == reviewer_id)))


def score_all(setup: ReviewSetup, points_for=None) -> None:
    """Submit a score sheet for every live assignment; points_for(assignment) -> dict."""
    from sqlalchemy import select

    from nup.reviews import scores
    from nup.reviews.models import Assignment

    for assignment in db.session.scalars(select(Assignment).where(Assignment.status == "assigned")).all():
        scores.save_score(
            assignment,
            actor=db.session.get(User, assignment.reviewer_id),
            points=points_for(assignment) if points_for else RUBRIC_SCORES,
            submit=True,
            now=utcnow(),
        )
    db.session.commit()


def decide_and_release(setup: ReviewSetup, outcomes: dict[int, str], reasons: dict[int, str] | None = None) -> None:
    """Close the document round, record the outcomes and send the letters (inside an app context)."""
    from nup.programmes.models import Call
    from nup.reviews import decisions, services

    call = db.session.get(Call, setup.call_id)
    actor = db.session.get(User, setup.officer.id)
    services.close_stage(call, "document", actor=actor, now=utcnow())
    reasons = {a: (reasons or {}).get(a) or "시장 검증 근거가 부족합니다." for a in outcomes}
    decisions.apply_decisions(call, "document", actor=actor, outcomes=outcomes, reasons=reasons, now=utcnow())
    decisions.release_results(call, "document", actor=actor, now=utcnow())
    db.session.commit()
