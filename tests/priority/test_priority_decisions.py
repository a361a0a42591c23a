"""Declared versus detected: the worker reads the text, a disagreement is flagged, the officer decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.timeutil import utcnow
from tests.applications.conftest import complete_application
from tests.conftest import csrf_token, login_as, wait_for

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too

RPA = {
    "summary": "RPA 기반 사무 자동화 솔루션",
    "problem": "제조기업 관리부서의 반복적인 엑셀 입력 업무",
    "solution": "소프트웨어 로봇(RPA)이 ERP 데이터 입력과 보고서 작성을 자동화합니다",
    "scale_up": "중견 제조기업 대상 SaaS 판매",
    "team": "RPA 컨설턴트 5명",
}
WELDING = {
    "summary": "용접 로봇 비전 제어 시스템",
    "problem": "조선소 용접 품질 편차",
    "solution": "3D 비전과 강화학습으로 용접 로봇 매니퓰레이터의 경로를 실시간 보정합니다",
    "scale_up": "조선·자동차 부품 공장 도입",
    "team": "로봇공학 박사 2명",
}


def _submitted(app, make_user, call_id, **values) -> int:
    from nup.applications import services

    applicant = make_user("applicant")
    application_id = complete_application(app, applicant, call_id, **values)
    with app.app_context():
        services.submit_application(
            db.session.get(Application, application_id), actor=db.session.get(User, applicant.id), now=utcnow()
        )
        db.session.commit()
    return application_id


def test_the_worker_flags_a_declaration_the_text_does_not_support(app, make_user, open_call, worker):
    gamed = _submitted(app, make_user, open_call, track="physical_ai_robotics", **RPA)
    hidden = _submitted(app, make_user, open_call, track="ai_software", **WELDING)

    def read():
        with app.app_context():
            rows = db.session.scalars(select(Application).where(Application.id.in_([gamed, hidden]))).all()
            return all(a.classified_at for a in rows)

    wait_for(read, what="the worker to classify both applications")
    with app.app_context():
        gamed_row, hidden_row = db.session.get(Application, gamed), db.session.get(Application, hidden)
        assert gamed_row.detected_physical_ai is False and gamed_row.priority_flagged
        assert gamed_row.physical_ai is True  # the declaration stands until an officer decides
        assert hidden_row.detected_physical_ai is True and hidden_row.priority_flagged
        assert hidden_row.priority_subfield == "robotics" and hidden_row.priority_evidence


def test_the_officer_decides_with_a_reason_and_it_is_audited(app, client, make_user, officer, open_call, api_token):
    from nup.priority import services

    gamed = _submitted(app, make_user, open_call, track="physical_ai_robotics", **RPA)
    with app.app_context():
        services.classify_application(db.session.get(Application, gamed), now=utcnow())
        db.session.commit()
    login_as(client, officer)
    page = client.get(f"/staff/applications/{gamed}")
    assert page.status_code == 200 and 'id="priority"' in page.get_data(as_text=True)
    token = csrf_token(client, f"/staff/applications/{gamed}")
    no_reason = client.post(f"/staff/applications/{gamed}/priority", data={"csrf_token": token, "physical_ai": "no"})
    assert no_reason.status_code == 302
    with app.app_context():
        assert db.session.get(Application, gamed).priority_decision is None
    decided = client.post(
        f"/staff/applications/{gamed}/priority",
        data={
            "csrf_token": token,
            "physical_ai": "no",
            "reason": "사무 자동화 소프트웨어로 물리 세계에서 동작하지 않음",
        },
    )
    assert decided.status_code == 302
    with app.app_context():
        row = db.session.get(Application, gamed)
        assert row.physical_ai is False and row.priority_decision is False and not row.priority_flagged
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "priority.decided"))
        assert event.before["physical_ai"] is True and event.after["physical_ai"] is False
    body = client.get(
        f"/api/v1/applications/{gamed}", headers={"Authorization": f"Bearer {api_token(officer)}"}
    ).get_json()
    assert body["priority"]["physical_ai"] is False and body["priority"]["source"] == "officer"
    assert body["priority"]["detected"] is False and 0 <= body["priority"]["score"] <= 1


def test_the_sweeper_finds_applications_the_broker_lost(app, make_user, open_call):
    from nup.priority import services

    lost = _submitted(app, make_user, open_call, **WELDING)
    with app.app_context():
        assert (lost, True) in services.unclassified()
        services.classify_application(db.session.get(Application, lost), now=utcnow() + timedelta(seconds=1))
        db.session.commit()
        assert services.unclassified() == []


def test_the_dashboard_counts_the_field_and_the_waits(app, client, make_user, officer, open_call):
    from nup.priority import queries, services
    from nup.programmes.models import Call

    robot = _submitted(app, make_user, open_call, track="ai_software", **WELDING)
    _submitted(app, make_user, open_call, track="physical_ai_robotics", **RPA)
    with app.app_context():
        services.decide_priority(
            db.session.get(Application, robot),
            actor=db.session.get(User, officer.id),
            physical_ai=True,
            reason="용접 로봇 제어",
            now=utcnow(),
        )
        db.session.commit()
        figures = queries.dashboard(db.session.get(Call, open_call))
        assert (figures.total, figures.physical_ai) == (2, 2)
        assert sum(total for _region, _physical, total in figures.by_region) == 2
    login_as(client, officer)
    page = client.get(f"/staff/calls/{open_call}/physical-ai")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)


def test_a_policy_change_is_a_new_audited_version_that_the_ranking_and_decisions_follow(app, review_setup):
    import pytest

    from nup.errors import DomainError
    from nup.priority import services
    from nup.programmes.models import Call
    from nup.programmes.policy import policy_of
    from nup.reviews import decisions
    from nup.reviews.ranking import compute_ranking
    from tests.reviews.conftest import assign_now, score_all

    tracks = [
        {"key": "physical_ai_robotics", "label_ko": "로봇", "label_en": "Robots", "quota": 0, "physical_ai": True},
        {"key": "ai_software", "label_ko": "SW", "label_en": "Software", "quota": 2, "physical_ai": False},
    ]
    setup = review_setup(applications=3, reviewers=5, per_application=5, tracks=tracks)
    robot, best, second = setup.application_ids  # index 0 is the robotics track, 1 and 2 AI software
    sheets = {
        robot: {"problem": 15, "solution": 20, "scale_up": 15, "team": 15},  # 65
        best: {"problem": 20, "solution": 25, "scale_up": 20, "team": 20},  # 85
        second: {"problem": 20, "solution": 24, "scale_up": 20, "team": 20},  # 84
    }
    with app.app_context():
        assign_now(setup)
        score_all(setup, lambda assignment: sheets[assignment.application_id])
        call = db.session.get(Call, setup.call_id)
        actor = db.session.get(User, setup.officer.id)
        plain = {p.application_id: p.outcome for p in decisions.propose(call, "document", advance_multiple=1)}
        assert plain == {robot: "not_selected", best: "advanced", second: "advanced"}
        version = services.set_policy(
            call,
            actor=actor,
            bonus_points=0,
            min_share=0.5,
            tie_breaker=True,
            processing_priority=True,
            reason="2026 하반기 피지컬 AI 확대",
            now=utcnow(),
        )
        db.session.commit()
        assert version.version == 1 and policy_of(call)["min_share"] == 0.5
        assert not any(r["when"] == "physical_ai" for r in call.bonus_rules)
        assert next(r for r in compute_ranking(call).rows if r.application_id == robot).bonus == 0
        shared = {p.application_id: p.outcome for p in decisions.propose(call, "document", advance_multiple=1)}
        assert shared == {robot: "advanced", best: "advanced", second: "not_selected"}
        without = decisions.propose(call, "document", advance_multiple=1, with_priority=False)
        assert {p.application_id: p.outcome for p in without} == plain
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "priority.policy_changed"))
        assert event.after["min_share"] == 0.5 and event.before["version"] == 0
        with pytest.raises(DomainError) as refused:
            services.set_policy(
                call,
                actor=actor,
                bonus_points=9,
                min_share=2,
                tie_breaker=True,
                processing_priority=True,
                reason="",
                now=utcnow(),
            )
        assert set(refused.value.fields) == {"bonus_points", "min_share", "reason"}


def test_after_results_are_sent_the_policy_and_the_field_are_fixed(app, review_setup):
    import pytest

    from nup.errors import DomainError
    from nup.priority import services
    from nup.programmes.models import Call
    from tests.reviews.conftest import assign_now, decide_and_release, score_all

    setup = review_setup(applications=1, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        decide_and_release(setup, {setup.application_ids[0]: "not_selected"})
        actor = db.session.get(User, setup.officer.id)
        with pytest.raises(DomainError):
            services.set_policy(
                db.session.get(Call, setup.call_id),
                actor=actor,
                bonus_points=3,
                min_share=0,
                tie_breaker=True,
                processing_priority=True,
                reason="after the letters",
                now=utcnow(),
            )
        with pytest.raises(DomainError):
            services.decide_priority(
                db.session.get(Application, setup.application_ids[0]),
                actor=actor,
                physical_ai=False,
                reason="after the letters",
                now=utcnow(),
            )
