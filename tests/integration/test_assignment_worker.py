"""An assignment run computed by a real Celery worker over the real broker; the API's 202 job path."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.reviews.models import Assignment, AssignmentRun
from nup.timeutil import utcnow
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def test_the_worker_computes_a_run_the_officer_started(app, review_setup, worker):
    from nup.programmes.models import Call
    from nup.reviews import assigning

    setup = review_setup(applications=5, reviewers=6, per_application=5)
    with app.app_context():
        run = assigning.start_run(
            db.session.get(Call, setup.call_id), actor=db.session.get(User, setup.officer.id), now=utcnow()
        )
        db.session.commit()
        run_id = run.id

    def ready():
        with app.app_context():
            found = db.session.get(AssignmentRun, run_id)
            return found.status if found.status not in ("queued", "running") else None

    assert wait_for(ready, what="the worker to compute the run") == "ready"
    with app.app_context():
        run = db.session.get(AssignmentRun, run_id)
        assert run.progress == 1.0 and len(run.plan) == 25 and run.report["balanced"]
        assert db.session.scalar(select(db.func.count()).select_from(Assignment)) == 0  # a preview only


def test_a_large_call_answers_202_and_the_job_commits_itself(app, client, review_setup, api_token, worker, monkeypatch):
    from nup.api import reviews as api_reviews

    monkeypatch.setattr(api_reviews, "INLINE_PLACES", 0)  # treat this small call as a large one
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    headers = {"Authorization": f"Bearer {api_token(setup.officer)}"}
    response = client.post(f"/api/v1/calls/{setup.call_id}/assignments", json={"seed": 5}, headers=headers)
    assert response.status_code == 202, response.get_json()
    poll = response.get_json()["job"]["poll"]

    def committed():
        job = client.get(poll, headers=headers).get_json()
        return job if job["status"] in ("committed", "failed") else None

    job = wait_for(committed, what="the job to commit")
    assert job["status"] == "committed" and job["report"]["committed"] == 15 and job["seed"] == 5
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Assignment)) == 15
