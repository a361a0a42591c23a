"""Evaluation pages and API through the Flask client: who sees what, and each page works."""

from __future__ import annotations

import re

from sqlalchemy import select

from nup.extensions import db
from nup.reviews.models import Assignment, AssignmentRun
from nup.timeutil import utcnow
from tests.conftest import csrf_token, login_as
from tests.reviews.conftest import RUBRIC_SCORES, assign_now, decide_and_release, score_all


def _first_assignment(app):
    with app.app_context():
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        return assignment.id, assignment.reviewer_id, assignment.application_id


def test_evaluator_queue_is_blind_and_scoring_works_in_the_browser_form(app, client, review_setup):
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
    assignment_id, reviewer_id, _application_id = _first_assignment(app)
    reviewer = next(r for r in setup.reviewers if r.id == reviewer_id)
    login_as(client, reviewer)
    queue = client.get("/review/")
    page = queue.get_data(as_text=True)
    assert queue.status_code == 200 and f"R-{assignment_id:05d}" in page
    assert "테스트기업" not in page  # blind: no company names in the document round
    form = client.get(f"/review/assignments/{assignment_id}")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "테스트기업" not in html and "220-" not in html
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    data = {f"points-{k}": str(v) for k, v in RUBRIC_SCORES.items()} | {
        "csrf_token": csrf_token(client, f"/review/assignments/{assignment_id}"),
        "version": version,
        "overall_comment": "좋은 계획",
        "action": "submit",
    }
    bad = client.post(f"/review/assignments/{assignment_id}", data={**data, "points-team": "21"})
    assert bad.status_code == 200 and "20" in bad.get_data(as_text=True)
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)
    saved = client.post(f"/review/assignments/{assignment_id}", data=data)
    assert saved.status_code == 302
    stale = client.post(
        f"/review/assignments/{assignment_id}", data={**data, "points-team": "1"}, follow_redirects=True
    )
    assert stale.status_code == 200
    with app.app_context():
        sheet = db.session.get(Assignment, assignment_id)
        assert sheet.status == "submitted" and sheet.scores["team"] == 20 and sheet.total == 85


def test_evaluator_cannot_open_what_is_not_theirs_by_url_or_api(app, client, review_setup, api_token):
    setup = review_setup(applications=1, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
        assigned = {a.reviewer_id: a.id for a in db.session.scalars(select(Assignment))}
    outsider = next(r for r in setup.reviewers if r.id not in assigned)
    some_assignment = next(iter(assigned.values()))
    login_as(client, outsider)
    assert client.get(f"/review/assignments/{some_assignment}").status_code == 404
    token = api_token(outsider)
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.put(
            f"/api/v1/assignments/{some_assignment}/score", json={"scores": RUBRIC_SCORES}, headers=headers
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/assignments", headers=headers).get_json()
    assert listed == {"items": [], "total": 0}
    assert client.get(f"/api/v1/calls/{setup.call_id}/ranking", headers=headers).status_code == 403
    # A conflict recorded by the officer takes the application away at once.
    insider_id, insider_assignment = next(iter(assigned.items()))
    insider = next(r for r in setup.reviewers if r.id == insider_id)
    officer_headers = {"Authorization": f"Bearer {api_token(setup.officer)}"}
    with app.app_context():
        application_id = db.session.get(Assignment, insider_assignment).application_id
    recorded = client.post(
        f"/api/v1/calls/{setup.call_id}/conflicts",
        json={"reviewer_id": insider_id, "application_id": application_id, "reason": "전 직장 동료"},
        headers=officer_headers,
    )
    assert recorded.status_code == 201, recorded.get_json()
    assert len(recorded.get_json()["replacement_assignment_ids"]) == 1
    insider_headers = {"Authorization": f"Bearer {api_token(insider)}"}
    assert client.get("/api/v1/assignments", headers=insider_headers).get_json()["total"] == 0
    login_as(client, insider)
    assert client.get(f"/review/assignments/{insider_assignment}").status_code == 404
    assert "R-" not in client.get("/review/").get_data(as_text=True)


def test_api_assigns_scores_and_ranks(app, client, review_setup, api_token):
    setup = review_setup(applications=3, reviewers=6, per_application=5)
    officer_headers = {"Authorization": f"Bearer {api_token(setup.officer)}"}
    created = client.post(f"/api/v1/calls/{setup.call_id}/assignments", json={}, headers=officer_headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["committed"] == 15
    again = client.post(f"/api/v1/calls/{setup.call_id}/assignments", json={"seed": 3}, headers=officer_headers)
    assert again.status_code == 201 and again.get_json()["committed"] == 0
    reviewer = setup.reviewers[0]
    headers = {"Authorization": f"Bearer {api_token(reviewer)}"}
    mine = client.get("/api/v1/assignments", headers=headers).get_json()
    assert mine["total"] >= 2 and {"id", "application_id", "reviewer_id", "status"} <= set(mine["items"][0])
    target = mine["items"][0]["id"]
    wrong = client.put(
        f"/api/v1/assignments/{target}/score", json={"scores": {**RUBRIC_SCORES, "vision": 3}}, headers=headers
    )
    assert wrong.status_code == 422 and "vision" in wrong.get_json()["error"]["fields"]
    high = client.put(
        f"/api/v1/assignments/{target}/score", json={"scores": {**RUBRIC_SCORES, "team": 50}}, headers=headers
    )
    assert high.status_code == 422 and "team" in high.get_json()["error"]["fields"]
    ok = client.put(
        f"/api/v1/assignments/{target}/score", json={"scores": RUBRIC_SCORES, "comment": "좋음"}, headers=headers
    )
    assert ok.status_code == 200 and ok.get_json()["status"] == "submitted" and ok.get_json()["total"] == 85
    stale = client.put(
        f"/api/v1/assignments/{target}/score", json={"scores": RUBRIC_SCORES, "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    with app.app_context():
        score_all(setup)
    ranking = client.get(f"/api/v1/calls/{setup.call_id}/ranking", headers=officer_headers).get_json()
    assert ranking["total"] == 3
    item = ranking["items"][0]
    assert {"application_id", "raw_scores", "trimmed_mean", "bonus", "final_score", "rank", "physical_ai"} <= set(item)
    assert item["rank"] == 1 and len(item["raw_scores"]) == 5
    recuse = client.post(
        f"/api/v1/assignments/{mine['items'][1]['id']}/recuse", json={"reason": "지인 회사"}, headers=headers
    )
    assert recuse.status_code == 200 and recuse.get_json()["assignment"]["status"] == "recused"


def test_assignment_api_refuses_an_open_call_and_reports_infeasible_plans(app, client, review_setup, api_token):
    setup = review_setup(applications=1, reviewers=5, per_application=5)
    headers = {"Authorization": f"Bearer {api_token(setup.officer)}"}
    too_many = client.post(f"/api/v1/calls/{setup.call_id}/assignments", json={"per_application": 6}, headers=headers)
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "infeasible"
    from nup.programmes.models import Call

    with app.app_context():
        call = db.session.get(Call, setup.call_id)
        from datetime import timedelta

        call.closes_at = utcnow() + timedelta(days=1)
        db.session.commit()
    assert client.post(f"/api/v1/calls/{setup.call_id}/assignments", json={}, headers=headers).status_code == 409


def test_officer_pages_walk_from_panels_to_letters(app, client, review_setup):
    setup = review_setup(applications=3, reviewers=6, per_application=5)
    login_as(client, setup.officer)
    call_id = setup.call_id
    for path in (
        "/staff/evaluators",
        f"/staff/evaluators/{setup.reviewers[0].id}",
        f"/staff/calls/{call_id}/evaluation",
        f"/staff/calls/{call_id}/conflicts",
        f"/staff/calls/{call_id}/ranking",
        f"/staff/calls/{call_id}/decisions",
        f"/staff/calls/{call_id}/objections",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    token = csrf_token(client, f"/staff/calls/{call_id}/evaluation")
    started = client.post(
        f"/staff/calls/{call_id}/evaluation/runs?stage=document",
        data={"csrf_token": token, "per_application": "5", "seed": "11", "stage": "document"},
    )
    assert started.status_code == 302
    with app.app_context():
        run = db.session.scalars(select(AssignmentRun)).one()
        from nup.reviews import assigning

        assigning.compute_run(run, now=utcnow())
        db.session.commit()
        run_id, plan = run.id, run.plan
    preview = client.get(f"/staff/assignment-runs/{run_id}")
    assert preview.status_code == 200 and "테스트기업" in preview.get_data(as_text=True)
    assert client.get(f"/staff/assignment-runs/{run_id}/status").get_json()["status"] == "ready"
    application_id, remove_id, _matched = plan[0]
    on_it = {r for a, r, _m in plan if a == application_id}
    add_id = next(r.id for r in setup.reviewers if r.id not in on_it)
    edited = client.post(
        f"/staff/assignment-runs/{run_id}/edit",
        data={
            "csrf_token": token,
            "application_id": application_id,
            "remove_reviewer_id": remove_id,
            "add_reviewer_id": add_id,
        },
    )
    assert edited.status_code == 302
    committed = client.post(f"/staff/assignment-runs/{run_id}/commit", data={"csrf_token": token})
    assert committed.status_code == 302
    with app.app_context():
        reviewers_on = {
            a.reviewer_id for a in db.session.scalars(select(Assignment)) if a.application_id == application_id
        }
        assert add_id in reviewers_on and remove_id not in reviewers_on
        score_all(setup)
    assert client.get(f"/staff/calls/{call_id}/ranking").status_code == 200
    closed = client.post(
        f"/staff/calls/{call_id}/evaluation/stage?stage=document", data={"csrf_token": token, "action": "close"}
    )
    assert closed.status_code == 302
    decisions_page = client.get(f"/staff/calls/{call_id}/decisions?stage=document")
    assert decisions_page.status_code == 200
    outcomes = {f"outcome-{a}": "advanced" for a in setup.application_ids}
    recorded = client.post(
        f"/staff/calls/{call_id}/decisions?stage=document", data={"csrf_token": token, "stage": "document", **outcomes}
    )
    assert recorded.status_code == 302
    released = client.post(f"/staff/calls/{call_id}/decisions/release?stage=document", data={"csrf_token": token})
    assert released.status_code == 302
    with app.app_context():
        from nup.notifications.models import Notification

        assert len(db.session.scalars(select(Notification).where(Notification.kind == "review_result")).all()) == 3
    application_page = client.get(f"/staff/applications/{setup.application_ids[0]}/evaluation")
    assert application_page.status_code == 200


def test_applicant_sees_the_result_objects_and_rates(app, client, review_setup):
    setup = review_setup(applications=1, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        decide_and_release(
            setup, {setup.application_ids[0]: "not_selected"}, {setup.application_ids[0]: "시장성 근거 부족"}
        )
    applicant = setup.applicants[0]
    login_as(client, applicant)
    application_id = setup.application_ids[0]
    page = client.get(f"/applications/{application_id}/result?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not selected" in html and "시장성 근거 부족" in html
    token = csrf_token(client, f"/applications/{application_id}/result")
    short = client.post(f"/applications/{application_id}/objection", data={"csrf_token": token, "grounds": "no"})
    assert short.status_code == 422
    filed = client.post(
        f"/applications/{application_id}/objection",
        data={"csrf_token": token, "grounds": "평가 의견이 계획서 내용과 다릅니다."},
    )
    assert filed.status_code == 302
    rated = client.post(
        f"/applications/{application_id}/rating", data={"csrf_token": token, "stars": "4", "comment": ""}
    )
    assert rated.status_code == 302
    other = setup.reviewers[0]
    login_as(client, other)
    assert client.get(f"/applications/{application_id}/result").status_code == 403
