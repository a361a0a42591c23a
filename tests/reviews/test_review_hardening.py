"""What the security review found: blind-round leaks, a re-review that unlocked a whole round,
double commits, a second result letter that never left."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from nup.accounts.models import User
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import assigning, decisions, objections, scores, services
from nup.reviews.evaluator_view import redact
from nup.reviews.models import Assignment, AssignmentRun, Decision
from nup.timeutil import utcnow
from tests.reviews.conftest import RUBRIC_SCORES, assign_now, decide_and_release, score_all

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def test_blind_text_masks_the_name_however_it_is_written_and_contact_details():
    application = SimpleNamespace(
        company_name="주식회사 알파로보틱스",
        ceo_name="홍길동",
        website="https://alpharobotics.co.kr",
        business_registration_number="2208162517",
    )
    text = (
        "알파로보틱스는 (주)알파 로보틱스, Alpha Robotics Inc. 대표 홍 길동, 02-123-4567, ceo@example.com, 220-81-62517"
    )
    masked = redact(text, application)
    for leak in ("알파", "Alpha", "홍 길동", "123-4567", "ceo@", "62517"):
        assert leak not in masked, (leak, masked)
    assert masked.count("○○○") >= 6 and "대표" in masked


def test_evaluators_cannot_probe_blind_reviews_by_editing_their_own_ties(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        reviewer = db.session.get(User, setup.reviewers[0].id)
        with pytest.raises(DomainError):
            services.save_profile(
                reviewer,
                actor=reviewer,
                organisation="평가기관0",
                past_employers=["테스트기업1"],
                investments=[],
                advisory_roles=[],
                expertise=["robotics"],
                gender="male",
                market_expert=True,
                now=utcnow(),
            )
        db.session.rollback()
        assert (
            len([a for a in db.session.scalars(select(Assignment)) if a.reviewer_id == reviewer.id and a.active]) == 2
        )
        # Expertise and the rest stay theirs to change; the office changes the ties.
        services.save_profile(
            reviewer,
            actor=reviewer,
            organisation="평가기관0",
            past_employers=[],
            investments=[],
            advisory_roles=[],
            expertise=["robotics", "ai_software"],
            gender="male",
            market_expert=True,
            now=utcnow(),
        )
        services.save_profile(
            reviewer,
            actor=db.session.get(User, setup.officer.id),
            organisation="평가기관0",
            past_employers=["테스트기업1"],
            investments=[],
            advisory_roles=[],
            expertise=["robotics"],
            gender="male",
            market_expert=True,
            now=utcnow(),
        )
        db.session.commit()
        assert services.conflicted_pairs(setup.call_id) == {(setup.application_ids[1], reviewer.id)}


def test_a_re_review_opens_only_the_objected_application(app, review_setup):
    setup = review_setup(applications=2, reviewers=11, per_application=5)
    objected, other = setup.application_ids
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        decide_and_release(setup, {objected: "not_selected", other: "advanced"})
        decision = db.session.scalar(select(Decision).where(Decision.application_id == objected))
        objection = objections.file_objection(
            decision,
            actor=db.session.get(User, setup.applicants[0].id),
            grounds="평가 의견이 계획서와 다릅니다",
            now=utcnow(),
        )
        objections.answer_objection(
            objection,
            actor=db.session.get(User, setup.officer.id),
            uphold=True,
            answer="새 평가위원이 다시 평가하겠습니다.",
            rereview=True,
            now=utcnow(),
        )
        db.session.commit()
        assert not services.stage_of(db.session.get(Call, setup.call_id), "document").is_open
        sheets = db.session.scalars(select(Assignment).where(Assignment.status.in_(("assigned", "submitted")))).all()
        fresh = [a for a in sheets if a.rereview]
        closed = next(a for a in sheets if a.application_id == other)
        assert len(fresh) == 5 and {a.application_id for a in fresh} == {objected}
        with pytest.raises(scores.StageClosed):
            scores.save_score(
                closed,
                actor=db.session.get(User, closed.reviewer_id),
                points={**RUBRIC_SCORES, "team": 0},
                submit=True,
                now=utcnow(),
            )
        db.session.rollback()
        for sheet in fresh:
            scores.save_score(
                sheet, actor=db.session.get(User, sheet.reviewer_id), points=RUBRIC_SCORES, submit=True, now=utcnow()
            )
        db.session.commit()
        # The new result goes out as a new letter, not swallowed as a duplicate of the first.
        call = db.session.get(Call, setup.call_id)
        officer = db.session.get(User, setup.officer.id)
        decisions.apply_decisions(
            call, "document", actor=officer, outcomes={objected: "advanced"}, reasons={}, now=utcnow()
        )
        decisions.release_results(call, "document", actor=officer, now=utcnow() + timedelta(seconds=2))
        db.session.commit()
        from nup.notifications.models import Notification

        letters = db.session.scalars(
            select(Notification).where(
                Notification.kind == "review_result", Notification.user_id == setup.applicants[0].id
            )
        ).all()
        assert [n.context["outcome"] for n in sorted(letters, key=lambda n: n.id)] == ["not_selected", "advanced"]


def test_two_ready_proposals_never_give_an_application_more_evaluators_than_asked(app, review_setup):
    setup = review_setup(applications=4, reviewers=8, per_application=3)
    with app.app_context():
        call = db.session.get(Call, setup.call_id)
        officer = db.session.get(User, setup.officer.id)
        runs = []
        for seed in (1, 2):
            run = assigning.start_run(call, actor=officer, seed=seed, queue_task=False, now=utcnow())
            assigning.compute_run(run, now=utcnow())
            runs.append(run)
        db.session.commit()
        assigning.commit_run(runs[0], actor=officer, now=utcnow())
        db.session.commit()
        assert db.session.get(AssignmentRun, runs[1].id).status == "discarded"
        with pytest.raises(DomainError):
            assigning.commit_run(runs[1], actor=officer, now=utcnow())
        db.session.rollback()
        counts = Counter(a.application_id for a in db.session.scalars(select(Assignment)))
        assert set(counts.values()) == {3}
