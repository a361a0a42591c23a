"""The evaluator's API does what the evaluator's pages do: sign the pledge, read the blind view, score."""

from __future__ import annotations

import html
import unicodedata

from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.reviews.blind import normalise
from nup.reviews.models import Assignment, Pledge
from tests.conftest import login_as
from tests.reviews.conftest import RUBRIC_SCORES, assign_now


def _bearer(api_token, user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}"}


def _letters(text: str) -> str:
    return "".join(c for c in normalise(text).text if c.isalnum())


def test_an_evaluator_signs_the_pledge_by_api_once_and_then_scores(app, client, review_setup, api_token):
    setup = review_setup(applications=1, reviewers=5, per_application=5, pledge=False)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assignment_id, reviewer_id = assignment.id, assignment.reviewer_id
    reviewer = next(r for r in setup.reviewers if r.id == reviewer_id)
    headers = _bearer(api_token, reviewer)
    score_url = f"/api/v1/assignments/{assignment_id}/score"

    # Input before state: a score over the maximum is named even before the pledge.
    too_high = client.put(score_url, json={"scores": {**RUBRIC_SCORES, "team": 99}}, headers=headers)
    assert too_high.status_code == 422, too_high.get_json()
    assert list(too_high.get_json()["error"]["fields"]) == ["team"]
    unknown = client.put(score_url, json={"scores": {**RUBRIC_SCORES, "vision": 3}}, headers=headers)
    assert unknown.status_code == 422 and "vision" in unknown.get_json()["error"]["fields"]
    no_pledge = client.put(score_url, json={"scores": RUBRIC_SCORES}, headers=headers)
    assert no_pledge.status_code == 409 and no_pledge.get_json()["error"]["code"] == "pledge_required"

    signed = client.post(f"/api/v1/calls/{setup.call_id}/pledge", headers=headers)
    assert signed.status_code == 201, signed.get_json()
    pledge = signed.get_json()
    assert pledge["call_id"] == setup.call_id and pledge["reviewer_id"] == reviewer.id and pledge["statement_version"]
    again = client.post(f"/api/v1/calls/{setup.call_id}/pledge", headers=headers)
    assert again.status_code == 200 and again.get_json() == pledge
    with app.app_context():
        assert len(db.session.scalars(select(Pledge).where(Pledge.reviewer_id == reviewer.id)).all()) == 1
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pledge.signed")) is not None

    scored = client.put(score_url, json={"scores": RUBRIC_SCORES}, headers=headers)
    assert scored.status_code == 200 and scored.get_json()["total"] == 85
    # Only evaluators sign, and only calls that exist.
    assert client.post("/api/v1/calls/999999/pledge", headers=headers).status_code == 404
    officer = client.post(f"/api/v1/calls/{setup.call_id}/pledge", headers=_bearer(api_token, setup.officer))
    assert officer.status_code == 403
    founder = client.post(f"/api/v1/calls/{setup.call_id}/pledge", headers=_bearer(api_token, setup.applicants[0]))
    assert founder.status_code == 403


def test_an_assigned_evaluator_reads_by_api_the_same_blind_view_as_the_page(app, client, review_setup, api_token):
    setup = review_setup(applications=1, reviewers=6, per_application=5)
    application_id = setup.application_ids[0]
    with app.app_context():
        application = db.session.get(Application, application_id)
        company, ceo, number = application.company_name, application.ceo_name, application.business_registration_number
        full_width_number = "".join(chr(ord(d) + 0xFEE0) for d in number)
        # How a careless or clever applicant may name themselves: decomposed Hangul (macOS copy and
        # paste), a zero-width space, a full-width and a spaced-out registration number.
        application.summary = unicodedata.normalize("NFD", f"{company}는 {ceo} 대표가 세운 회사입니다.")
        application.problem = f"사업자등록번호 {full_width_number[:3]}-{full_width_number[3:5]}-{full_width_number[5:]}"
        application.solution = f"{company[:2]}\u200b{company[2:]}의 해법, 문의 {' '.join(number)}"
        application.team = f"대표 {ceo[0]} {ceo[1:]}, 연락 ceo@example.kr, 010-1234-5678"
        db.session.commit()
        assign_now(setup)
        assigned = {a.reviewer_id: a.id for a in db.session.scalars(select(Assignment))}
    reviewer = next(r for r in setup.reviewers if r.id in assigned)
    outsider = next(r for r in setup.reviewers if r.id not in assigned)

    response = client.get(f"/api/v1/applications/{application_id}", headers=_bearer(api_token, reviewer))
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert view["blind"] is True and view["company_name"] is None and view["stage"] == "document"
    assert view["id"] == application_id and view["review_code"] == f"R-{assigned[reviewer.id]:05d}"
    assert not {"company", "documents", "receipt_number", "eligibility", "priority"} & set(view)
    assert view["document_kinds"]  # which documents were provided, never the files
    everything = _letters(str(view))
    for secret in (company, ceo, number, "ceo@example", "12345678"):
        assert _letters(secret) not in everything, secret
    assert view["texts"]["summary"].startswith("○○○") and "대표가" in unicodedata.normalize(
        "NFC", view["texts"]["summary"]
    )

    # The page shows exactly the same texts.
    login_as(client, reviewer)
    page = client.get(f"/review/assignments/{assigned[reviewer.id]}").get_data(as_text=True)
    for text in view["texts"].values():
        assert html.escape(text, quote=True) in page or text in page
    assert company not in page and number not in page

    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "review.application_viewed", AuditEvent.actor_id == reviewer.id
            )
        ).all()
        assert len(reads) == 2  # the API read and the page read are both on record

    # Not assigned: as good as not there. Officers and the owner keep the whole application.
    assert client.get(f"/api/v1/applications/{application_id}", headers=_bearer(api_token, outsider)).status_code == 404
    full = client.get(f"/api/v1/applications/{application_id}", headers=_bearer(api_token, setup.officer)).get_json()
    assert full["company"]["name"] == company and full["documents"]
    owned = client.get(f"/api/v1/applications/{application_id}", headers=_bearer(api_token, setup.applicants[0]))
    assert owned.status_code == 200 and owned.get_json()["company"]["business_registration_number"] == number

    # A conflict recorded by the officer ends the evaluator's reading at once.
    recorded = client.post(
        f"/api/v1/calls/{setup.call_id}/conflicts",
        json={"reviewer_id": reviewer.id, "application_id": application_id, "reason": "전 직장 동료"},
        headers=_bearer(api_token, setup.officer),
    )
    assert recorded.status_code == 201, recorded.get_json()
    gone = client.get(f"/api/v1/applications/{application_id}", headers=_bearer(api_token, reviewer))
    assert gone.status_code == 404


def test_the_presentation_round_is_not_blind_and_still_gives_no_files(app, client, review_setup, api_token):
    setup = review_setup(applications=1, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assignment.stage = "presentation"  # the applicant presents in person: the company is known
        db.session.commit()
        reviewer = db.session.get(User, assignment.reviewer_id)
        company = assignment.application.company_name
    view = client.get(f"/api/v1/applications/{setup.application_ids[0]}", headers=_bearer(api_token, reviewer))
    body = view.get_json()
    assert view.status_code == 200 and body["blind"] is False and body["company_name"] == company
    assert "documents" not in body and "company" not in body


def test_the_openapi_document_describes_the_pledge_and_the_evaluator_view(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    pledge = spec["paths"]["/api/v1/calls/{call_id}/pledge"]["post"]
    assert {"200", "201"} <= set(pledge["responses"])
    read = spec["paths"]["/api/v1/applications/{application_id}"]["get"]["responses"]["200"]
    refs = {s["$ref"].rsplit("/", 1)[-1] for s in read["content"]["application/json"]["schema"]["anyOf"]}
    assert refs == {"ApplicationOut", "EvaluatorApplication"}
    assert "blind" in spec["components"]["schemas"]["EvaluatorApplication"]["properties"]


def test_emails_to_evaluators_carry_nothing_that_identifies_an_applicant(app, review_setup):
    from datetime import timedelta

    from nup.notifications.delivery import render_parts
    from nup.notifications.models import Notification
    from nup.reviews import reminders, replacements
    from nup.reviews.models import ReviewStage
    from nup.timeutil import utcnow

    setup = review_setup(applications=2, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
        for stage in db.session.scalars(select(ReviewStage)):
            stage.due_at = utcnow() + timedelta(days=1)
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        replacements.recuse(assignment, actor=reviewer, reason="예전 동료", now=utcnow())
        assert reminders.queue_review_reminders(now=utcnow()) >= 1
        db.session.commit()
        secrets = set()
        for application in db.session.scalars(select(Application)):
            secrets |= {application.company_name, application.ceo_name, application.business_registration_number}
        reviewer_ids = {r.id for r in setup.reviewers}
        emails = db.session.scalars(select(Notification).where(Notification.user_id.in_(reviewer_ids))).all()
        assert {"review_assigned", "review_reminder"} <= {e.kind for e in emails}
        with app.test_request_context():
            for email in emails:
                subject, text, body = render_parts(email.kind, email.language, email.context)
                seen = _letters(" ".join([str(email.context), subject, text, body]))
                for secret in secrets:
                    assert _letters(secret) not in seen, (email.kind, secret)
