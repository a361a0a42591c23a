"""Review and selection through the services: assignment, conflicts, scoring, ranking, decisions."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import assigning, decisions, objections, queries, replacements, scores, services
from nup.reviews.models import Assignment, Conflict, Decision, Outcome
from nup.timeutil import to_kst, utcnow
from tests.reviews.conftest import RUBRIC_SCORES, assign_now, decide_and_release, score_all

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def _live_pairs():
    return [
        (a.application_id, a.reviewer_id)
        for a in db.session.scalars(select(Assignment)).all()
        if a.status in ("assigned", "draft", "submitted")
    ]


def test_every_application_gets_n_distinct_evaluators_with_balanced_load(app, review_setup):
    setup = review_setup(applications=7, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
        pairs = _live_pairs()
        per_application = Counter(a for a, _r in pairs)
        assert set(per_application) == set(setup.application_ids)
        assert set(per_application.values()) == {5}
        assert len(set(pairs)) == len(pairs)
        loads = Counter(r for _a, r in pairs).values()
        assert max(loads) - min(loads) <= 1
        statuses = {a.status for a in db.session.scalars(select(Application))}
        assert statuses == {"under_review"}


def test_a_second_run_keeps_what_was_committed_and_adds_nothing(app, review_setup):
    setup = review_setup(applications=4, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
        before = sorted(_live_pairs())
        run_id = assign_now(setup, seed=99)
        assert sorted(_live_pairs()) == before
        from nup.reviews.models import AssignmentRun

        assert db.session.get(AssignmentRun, run_id).report["new_assignments"] == 0


def test_assignment_waits_for_the_call_to_close(app, review_setup):
    setup = review_setup(applications=1, reviewers=5)
    with app.app_context():
        call = db.session.get(Call, setup.call_id)
        call.closes_at = utcnow() + timedelta(hours=1)
        db.session.commit()
        with pytest.raises(assigning.CallStillOpen):
            assigning.start_run(call, actor=db.session.get(User, setup.officer.id), now=utcnow())


def test_declared_ties_exclude_an_evaluator_who_then_never_sees_the_application(app, review_setup):
    setup = review_setup(applications=3, reviewers=6, per_application=5)
    with app.app_context():
        target = db.session.get(Application, setup.application_ids[1])
        reviewer = db.session.get(User, setup.reviewers[0].id)
        services.save_profile(
            reviewer,
            actor=reviewer,
            organisation="평가기관0",
            past_employers=[],
            investments=[f"(주){target.company_name}"],
            advisory_roles=[],
            expertise=[],
            gender="male",
            market_expert=True,
            now=utcnow(),
        )
        db.session.commit()
        conflict = db.session.scalar(select(Conflict).where(Conflict.reviewer_id == reviewer.id))
        assert conflict.kind == "exclusion" and conflict.application_id == target.id
        assert "investment" in conflict.reason
        assign_now(setup)
        pairs = _live_pairs()
        assert (target.id, reviewer.id) not in pairs
        assert Counter(a for a, _r in pairs)[target.id] == 5
        page = queries.queue_for(reviewer, page=1, per_page=100)
        assert target.id not in {db.session.get(Assignment, r.assignment_id).application_id for r in page.rows}


def test_infeasible_assignment_is_reported_not_partly_done(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        officer = db.session.get(User, setup.officer.id)
        target = db.session.get(Application, setup.application_ids[0])
        services.record_conflict(
            target,
            db.session.get(User, setup.reviewers[0].id),
            actor=officer,
            kind="declared",
            reason="주주",
            now=utcnow(),
        )
        run = assigning.start_run(db.session.get(Call, setup.call_id), actor=officer, queue_task=False, now=utcnow())
        assigning.compute_run(run, now=utcnow())
        assert run.status == "failed"
        assert run.report["shortfalls"] == [{"application_id": target.id, "needed": 5, "available": 4}]
        assert run.plan == []
        assert db.session.scalar(select(db.func.count()).select_from(Assignment)) == 0


def test_recusal_ends_the_assignment_and_brings_a_replacement(app, review_setup):
    setup = review_setup(applications=2, reviewers=7, per_application=5)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        substitutes = replacements.recuse(assignment, actor=reviewer, reason="전 직장", now=utcnow())
        db.session.commit()
        assert assignment.status == "recused"
        assert len(substitutes) == 1 and substitutes[0].reviewer_id != reviewer.id
        assert Counter(a for a, _r in _live_pairs())[assignment.application_id] == 5
        assert queries.own_assignment(reviewer, assignment.id) is None
        with pytest.raises(DomainError):
            replacements.recuse(substitutes[0], actor=reviewer, reason="x", now=utcnow())


def test_score_rules_refuse_bad_input_and_lose_nothing(app, review_setup):
    setup = review_setup(applications=1, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        scores.save_score(assignment, actor=reviewer, points={"problem": 20}, submit=False, now=utcnow())
        db.session.commit()
        assert assignment.status == "draft" and assignment.total is None
        for points, field in (
            ({**RUBRIC_SCORES, "problem": 26}, "problem"),
            ({**RUBRIC_SCORES, "market": 3}, "market"),
            ({**RUBRIC_SCORES, "team": "many"}, "team"),
            ({"problem": 20}, "solution"),
        ):
            with pytest.raises(DomainError) as refused:
                scores.save_score(assignment, actor=reviewer, points=points, submit=True, now=utcnow())
            assert field in refused.value.fields
            db.session.rollback()
            assert db.session.get(Assignment, assignment.id).scores == {"problem": 20}
        version = assignment.version
        scores.save_score(
            assignment, actor=reviewer, points=RUBRIC_SCORES, submit=True, expected_version=version, now=utcnow()
        )
        db.session.commit()
        assert assignment.total == 85 and assignment.status == "submitted"
        with pytest.raises(scores.StaleScore):
            scores.save_score(
                assignment,
                actor=reviewer,
                points={**RUBRIC_SCORES, "team": 1},
                submit=True,
                expected_version=version,
                now=utcnow(),
            )
        db.session.rollback()
        assert db.session.get(Assignment, assignment.id).scores["team"] == 20


def test_scores_lock_when_the_stage_closes(app, review_setup):
    setup = review_setup(applications=1, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        services.close_stage(
            db.session.get(Call, setup.call_id), "document", actor=db.session.get(User, setup.officer.id), now=utcnow()
        )
        db.session.commit()
        with pytest.raises(scores.StageClosed):
            scores.save_score(assignment, actor=reviewer, points=RUBRIC_SCORES, submit=True, now=utcnow())


def test_scoring_needs_the_pledge_and_the_assignment(app, review_setup):
    setup = review_setup(applications=1, reviewers=6, per_application=5, pledge=False)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        with pytest.raises(services.PledgeRequired):
            scores.save_score(assignment, actor=reviewer, points=RUBRIC_SCORES, submit=True, now=utcnow())
        other = next(r for r in setup.reviewers if r.id != reviewer.id)
        with pytest.raises(DomainError) as refused:
            scores.save_score(
                assignment, actor=db.session.get(User, other.id), points=RUBRIC_SCORES, submit=True, now=utcnow()
            )
        assert refused.value.status == 403


def test_ranking_trims_then_adds_the_physical_ai_bonus(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    totals = iter([90, 80, 70, 60, 40] * 2)

    def points(_assignment):
        total = next(totals)
        return {"problem": total * 0.25, "solution": total * 0.30, "scale_up": total * 0.25, "team": total * 0.20}

    with app.app_context():
        assign_now(setup)
        rows = db.session.scalars(select(Assignment).order_by(Assignment.application_id, Assignment.id)).all()
        for assignment in rows:
            scores.save_score(
                assignment,
                actor=db.session.get(User, assignment.reviewer_id),
                points=points(assignment),
                submit=True,
                now=utcnow(),
            )
        db.session.commit()
        from nup.reviews.ranking import compute_ranking

        result = compute_ranking(db.session.get(Call, setup.call_id))
        by_id = {r.application_id: r for r in result.rows}
        physical, software = setup.application_ids  # index 0 is the robotics track, 1 is AI software
        assert by_id[physical].trimmed_mean == pytest.approx(70)
        assert by_id[physical].bonus == 2 and by_id[physical].final_score == pytest.approx(72)
        assert by_id[software].final_score == pytest.approx(70)
        assert by_id[physical].rank == 1 and by_id[software].rank == 2


def test_decisions_wait_for_the_locked_stage_then_letters_go_out(app, review_setup):
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        officer = db.session.get(User, setup.officer.id)
        proposals = decisions.propose(call, "document")
        outcomes = {p.application_id: p.outcome for p in proposals}
        assert set(outcomes.values()) <= {Outcome.ADVANCED, Outcome.NOT_SELECTED}
        with pytest.raises(DomainError):
            decisions.apply_decisions(call, "document", actor=officer, outcomes=outcomes, reasons={}, now=utcnow())
        db.session.rollback()
        services.close_stage(call, "document", actor=officer, now=utcnow())
        db.session.commit()
        outcomes = {setup.application_ids[0]: "not_selected", setup.application_ids[1]: "not_selected"}
        with pytest.raises(DomainError) as unexplained:  # a turned-down applicant is told why
            decisions.apply_decisions(
                call,
                "document",
                actor=officer,
                outcomes=outcomes,
                reasons={setup.application_ids[0]: "시장 분석 부족"},
                now=utcnow(),
            )
        assert unexplained.value.fields == {"reasons": [str(setup.application_ids[1])]}
        db.session.rollback()
        written = decisions.apply_decisions(
            call,
            "document",
            actor=officer,
            outcomes=outcomes,
            reasons={setup.application_ids[0]: "시장 분석 부족", setup.application_ids[1]: "팀 역량 근거 부족"},
            now=utcnow(),
        )
        sent = decisions.release_results(call, "document", actor=officer, now=utcnow())
        db.session.commit()
        assert written == 2 and sent == 2
        from nup.notifications.models import Notification

        letters = db.session.scalars(select(Notification).where(Notification.kind == "review_result")).all()
        assert len(letters) == 2
        letter = next(n for n in letters if n.context["reasons"] == "시장 분석 부족")
        assert letter.context["outcome"] == "not_selected" and letter.context["final_score"] == 87  # 85 + 2 bonus
        assert db.session.get(Application, setup.application_ids[0]).status == "result"
        with pytest.raises(DomainError):
            decisions.release_results(call, "document", actor=officer, now=utcnow())


def _released_decision(app, setup) -> int:
    assign_now(setup)
    score_all(setup)
    decide_and_release(setup, {setup.application_ids[0]: "not_selected"})
    return db.session.scalar(select(Decision.id))


def test_objection_window_answer_deadline_and_rereview(app, review_setup):
    setup = review_setup(applications=1, reviewers=10, per_application=5)
    with app.app_context():
        decision = db.session.get(Decision, _released_decision(app, setup))
        applicant = db.session.get(User, setup.applicants[0].id)
        officer = db.session.get(User, setup.officer.id)
        # The 30 days run to the end of the last day in Korea: a second later is too late.
        deadline = decisions.objection_deadline(decision.released_at)
        assert deadline - decision.released_at >= timedelta(days=30)
        assert to_kst(deadline).strftime("%H:%M:%S") == "23:59:59"
        late = deadline + timedelta(seconds=1)
        with pytest.raises(objections.ObjectionLate):
            objections.file_objection(decision, actor=applicant, grounds="점수가 이상합니다 재검토 요청", now=late)
        with pytest.raises(DomainError):
            objections.file_objection(decision, actor=applicant, grounds="짧음", now=utcnow())
        objection = objections.file_objection(
            decision, actor=applicant, grounds="평가 의견이 사업계획과 다릅니다", now=utcnow()
        )
        due = objection.answer_due_at
        objections.extend_objection(objection, actor=officer, reason="재검토 위원 섭외", now=utcnow())
        assert objection.answer_due_at == due + timedelta(days=10)
        with pytest.raises(DomainError):
            objections.extend_objection(objection, actor=officer, reason="again", now=utcnow())
        first_reviewers = {a.reviewer_id for a in db.session.scalars(select(Assignment))}
        objections.answer_objection(
            objection, actor=officer, uphold=True, answer="재평가를 실시하겠습니다.", rereview=True, now=utcnow()
        )
        db.session.commit()
        live = [a for a in db.session.scalars(select(Assignment)) if a.active]
        assert len(live) == 5 and not ({a.reviewer_id for a in live} & first_reviewers)
        assert decision.released_at is None
        from nup.notifications.models import Notification

        kinds = {n.kind for n in db.session.scalars(select(Notification))}
        assert {"objection_received", "objection_extended", "objection_answered"} <= kinds


def test_ratings_are_anonymous_once_per_application_and_flag_low_evaluators(app, review_setup):
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        decide_and_release(setup, dict.fromkeys(setup.application_ids, "not_selected"))
        for applicant, application_id in zip(setup.applicants, setup.application_ids, strict=True):
            objections.rate_evaluators(
                db.session.get(Application, application_id),
                actor=db.session.get(User, applicant.id),
                stars=1,
                comment="",
                now=utcnow(),
            )
        db.session.commit()
        with pytest.raises(DomainError):
            objections.rate_evaluators(
                db.session.get(Application, setup.application_ids[0]),
                actor=db.session.get(User, setup.applicants[0].id),
                stars=5,
                comment="",
                now=utcnow(),
            )
        db.session.rollback()
        from nup.reviews.models import EvaluatorRating

        columns = set(EvaluatorRating.__table__.columns.keys())
        assert not columns & {"application_id", "user_id", "created_at"}
        ratings = objections.evaluator_ratings()
        assert all(objections.is_flagged(ratings[r.id]) for r in setup.reviewers)


def test_evaluators_get_one_reminder_a_day_for_reviews_due_within_three_days(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        call = db.session.get(Call, setup.call_id)
        services.open_stage(
            call,
            "document",
            actor=db.session.get(User, setup.officer.id),
            due_at=utcnow() + timedelta(days=2),
            now=utcnow(),
        )
        db.session.commit()
        from nup.reviews.reminders import queue_review_reminders

        assert queue_review_reminders(now=utcnow()) == 5
        db.session.commit()
        assert queue_review_reminders(now=utcnow()) == 0
        score_all(setup)
        assert queue_review_reminders(now=utcnow() + timedelta(days=1)) == 0


def test_officer_digest_shows_review_progress(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        from nup.reports.digest import digest_figures

        figures = digest_figures(now=utcnow())
        entry = next(c for c in figures["calls"] if c.get("reviews_assigned"))
        assert entry["reviews_assigned"] == 10 and entry["reviews_submitted"] == 0
        assert figures["objections_due"] == 0


def test_presentation_round_schedules_the_advanced_and_assigns_its_own_panel(app, review_setup):
    setup = review_setup(applications=4, reviewers=6, per_application=5)
    with app.app_context():
        from nup.notifications.models import Notification
        from nup.reviews import presentations

        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        officer = db.session.get(User, setup.officer.id)
        services.close_stage(call, "document", actor=officer, now=utcnow())
        advanced = setup.application_ids[:3]
        decisions.apply_decisions(
            call,
            "document",
            actor=officer,
            outcomes={a: ("advanced" if a in advanced else "not_selected") for a in setup.application_ids},
            reasons=dict.fromkeys(setup.application_ids, "발표평가 대상 선정 결과"),
            now=utcnow(),
        )
        with pytest.raises(DomainError) as refused:
            presentations.schedule_presentations(
                call,
                actor=officer,
                starts_at=utcnow() - timedelta(hours=1),
                minutes=20,
                gap=10,
                per_day=2,
                location="",
                now=utcnow(),
            )
        assert {"starts_at", "location"} <= set(refused.value.fields)
        start = utcnow() + timedelta(days=7)
        slots = presentations.schedule_presentations(
            call, actor=officer, starts_at=start, minutes=20, gap=10, per_day=2, location="팁스타운", now=utcnow()
        )
        db.session.commit()
        assert slots[0].application_id == setup.application_ids[0]  # Physical AI first
        assert [s.starts_at - start for s in slots] == [timedelta(0), timedelta(minutes=30), timedelta(days=1)]
        assert (
            len(db.session.scalars(select(Notification).where(Notification.kind == "presentation_scheduled")).all())
            == 3
        )
        services.set_panel(
            call,
            actor=officer,
            stage="presentation",
            track="",
            reviewer_ids=[r.id for r in setup.reviewers[:5]],
            now=utcnow(),
        )
        db.session.commit()
        assign_now(setup, stage="presentation")
        presented = {
            a.application_id for a in db.session.scalars(select(Assignment).where(Assignment.stage == "presentation"))
        }
        assert presented == set(advanced)


def test_equal_final_scores_are_separated_by_the_calls_tie_breakers(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    first, second = setup.application_ids
    # Index 0 is a Physical AI application (+2 bonus after trimming): two points less in its sheets.
    sheets = {
        first: {"problem": 20, "solution": 20, "scale_up": 19, "team": 19},  # 78 + 2 bonus = 80
        second: {"problem": 15, "solution": 25, "scale_up": 20, "team": 20},  # 80
    }
    with app.app_context():
        assign_now(setup)
        score_all(setup, lambda assignment: sheets[assignment.application_id])
        from nup.reviews.ranking import compute_ranking

        call = db.session.get(Call, setup.call_id)
        # By default the priority policy puts Physical AI first among equals, before any criterion.
        assert {r.application_id: r.rank for r in compute_ranking(call).rows} == {first: 1, second: 2}
        call.priority_policy = {"tie_breaker": False}
        assert call.tie_breakers == ["solution", "problem"]
        ranks = {r.application_id: r.rank for r in compute_ranking(call).rows}
        assert ranks == {second: 1, first: 2}
        call.tie_breakers = ["problem"]
        ranks = {r.application_id: r.rank for r in compute_ranking(call).rows}
        assert ranks == {first: 1, second: 2}
        call.tie_breakers = []
        assert {r.rank for r in compute_ranking(call).rows} == {1}


def test_the_ranking_is_reused_until_a_score_changes(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        from nup.reviews.ranking import ranking_page

        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        first = ranking_page(call)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            cached = ranking_page(call)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        # Served from the shared cache: the version is the only SQL read.
        assert len(statements) == 1 and "ranking_versions" in statements[0]
        assert cached.version == first.version and cached.rows == first.rows
        sheet = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        scores.save_score(
            sheet,
            actor=db.session.get(User, sheet.reviewer_id),
            points={**RUBRIC_SCORES, "team": 5},
            submit=True,
            now=utcnow(),
        )
        db.session.commit()
        again = ranking_page(call)
        assert again.version > first.version
        changed = next(r for r in again.rows if r.application_id == sheet.application_id)
        assert min(changed.raw_scores) == 70


def test_the_side_by_side_ranking_leaves_out_only_the_physical_ai_bonus(app, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    physical, software = setup.application_ids
    sheets = {
        physical: {"problem": 20, "solution": 24, "scale_up": 20, "team": 20},  # 84 + 2 = 86
        software: RUBRIC_SCORES,  # 85
    }
    with app.app_context():
        from nup.reviews.ranking import compute_ranking

        assign_now(setup)
        score_all(setup, lambda assignment: sheets[assignment.application_id])
        call = db.session.get(Call, setup.call_id)
        with_policy = {r.application_id: (r.rank, r.final_score) for r in compute_ranking(call).rows}
        without = {r.application_id: (r.rank, r.final_score) for r in compute_ranking(call, with_priority=False).rows}
        assert with_policy == {physical: (1, 86), software: (2, 85)}
        assert without == {physical: (2, 84), software: (1, 85)}
        proposals = decisions.propose(call, "document", advance_multiple=1)
        assert {p.application_id for p in proposals} == {physical, software}
