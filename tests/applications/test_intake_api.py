"""The calls and applications endpoints of the API (CONTRACT.md), end to end."""

from datetime import timedelta

import pytest

from nup.timeutil import utcnow
from tests.applications.conftest import PDF

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too

ERROR_KEYS = {"code", "message", "fields"}


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _call_body(**extra):
    now = utcnow()
    return {
        "title": "N-Up 2026 API call",
        "announced_on": (now - timedelta(days=2)).date().isoformat(),
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "tracks": ["physical_ai_robotics", "ai_software"],
        "rubric": [
            {"key": "problem", "label": "Problem", "max_points": 30, "weight": 1},
            {"key": "solution", "label": "Solution", "max_points": 40, "weight": 1.5},
        ],
        "reviewers_per_application": 5,
        "trim_min_reviews": 5,
        "bonus_rules": [{"when": "physical_ai", "points": 2}],
        "eligibility": {"min_business_years": 3, "max_business_years": 7},
        "required_documents": ["business_plan"],
        **extra,
    }


def test_officer_creates_a_call_and_applicant_applies_submits_and_reads_it(client, make_user, api_token):
    officer, founder = make_user("officer"), make_user("applicant")
    staff, applicant = _auth(api_token(officer)), _auth(api_token(founder))
    created = client.post("/api/v1/calls", json=_call_body(), headers=staff)
    assert created.status_code == 201, created.get_json()
    call = created.get_json()
    assert call["id"] and call["status"] == "published" and call["rubric"][1]["weight"] == 1.5
    assert call["opens_at"].endswith("+00:00") or call["opens_at"][-6] in "+-"
    listed = client.get("/api/v1/calls", headers=applicant).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == call["id"]

    founded = (utcnow() - timedelta(days=5 * 365)).date().isoformat()
    draft = client.post(
        f"/api/v1/calls/{call['id']}/applications",
        headers=applicant,
        json={
            "track": "physical_ai_robotics",
            "summary": "Warehouse robots",
            "company": {
                "name": "Hanbit Robotics",
                "business_registration_number": "220-81-62517",
                "founded_on": founded,
                "ceo_name": "Kim Haneul",
                "region": "대전",
            },
            "plan": {"problem": "p", "solution": "s", "scale_up": "u", "team": "t"},
        },
    )
    assert draft.status_code == 201, draft.get_json()
    body = draft.get_json()
    assert body["status"] == "draft" and body["eligibility"]["eligible"] is True
    assert body["priority"]["physical_ai"] is True
    application_id = body["id"]

    patched = client.patch(
        f"/api/v1/applications/{application_id}",
        headers=applicant,
        json={
            "company": {
                "tax_arrears": False,
                "loan_default": False,
                "participation_ban": False,
                "duplicate_support": False,
            }
        },
    )
    assert patched.status_code == 200 and patched.get_json()["missing"]["fields"] == []

    uploaded = client.post(
        f"/api/v1/applications/{application_id}/documents",
        headers=applicant,
        data={"kind": "business_plan", "file": (__import__("io").BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_json()

    submitted = client.post(f"/api/v1/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "submitted" and submitted.get_json()["receipt_number"].startswith("NUP-")
    again = client.post(f"/api/v1/applications/{application_id}/submit", headers=applicant)
    assert again.get_json()["receipt_number"] == submitted.get_json()["receipt_number"]

    read = client.get(f"/api/v1/applications/{application_id}", headers=applicant).get_json()
    assert read["documents"][0]["filename"] == "plan.pdf" and read["documents"][0]["size"] == len(PDF)
    assert set(read["eligibility"]) >= {"eligible", "reasons"}
    assert set(read["priority"]) >= {"physical_ai", "score", "evidence"}
    assert client.get(f"/api/v1/applications/{application_id}", headers=staff).status_code == 200
    locked = client.patch(f"/api/v1/applications/{application_id}", headers=applicant, json={"summary": "x"})
    assert locked.status_code == 409 and set(locked.get_json()["error"]) == ERROR_KEYS


def test_api_validation_errors_name_the_fields_and_save_nothing(client, make_user, api_token):
    officer, founder = make_user("officer"), make_user("applicant")
    staff, applicant = _auth(api_token(officer)), _auth(api_token(founder))
    bad_call = client.post("/api/v1/calls", headers=staff, json={"title": "x", "opens_at": "not a date"})
    assert bad_call.status_code == 422 and "opens_at" in bad_call.get_json()["error"]["fields"]
    reversed_dates = _call_body(closes_at=(utcnow() - timedelta(days=5)).isoformat())
    refused = client.post("/api/v1/calls", headers=staff, json=reversed_dates)
    assert refused.status_code == 422 and "closes_at" in refused.get_json()["error"]["fields"]
    assert client.post("/api/v1/calls", headers=applicant, json=_call_body()).status_code == 403

    call = client.post("/api/v1/calls", headers=staff, json=_call_body()).get_json()
    draft = client.post(
        f"/api/v1/calls/{call['id']}/applications",
        headers=applicant,
        json={"company": {"name": "Good name", "business_registration_number": "220-81-62518"}},
    )
    assert draft.status_code == 422
    assert "business_registration_number" in draft.get_json()["error"]["fields"]
    mine = client.post(f"/api/v1/calls/{call['id']}/applications", headers=applicant, json={}).get_json()
    assert mine["company"]["name"] == ""  # the refused request saved nothing
    missing = client.post(f"/api/v1/applications/{mine['id']}/submit", headers=applicant)
    assert missing.status_code == 422 and "document:business_plan" in missing.get_json()["error"]["fields"]
    wrong_file = client.post(
        f"/api/v1/applications/{mine['id']}/documents",
        headers=applicant,
        data={"kind": "business_plan", "file": (__import__("io").BytesIO(b"MZ\x90"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong_file.status_code == 422 and "file" in wrong_file.get_json()["error"]["fields"]
    assert (
        client.post(
            f"/api/v1/applications/{mine['id']}/documents",
            headers=applicant,
            data={"kind": "business_plan"},
            content_type="multipart/form-data",
        ).status_code
        == 422
    )


def test_api_upload_over_the_limit_is_413(app, client, make_user, api_token):
    officer, founder = make_user("officer"), make_user("applicant")
    staff, applicant = _auth(api_token(officer)), _auth(api_token(founder))
    call = client.post("/api/v1/calls", headers=staff, json=_call_body()).get_json()
    mine = client.post(f"/api/v1/calls/{call['id']}/applications", headers=applicant, json={}).get_json()
    app.config["UPLOAD_MAX_BYTES"] = 100
    try:
        response = client.post(
            f"/api/v1/applications/{mine['id']}/documents",
            headers=applicant,
            data={"kind": "business_plan", "file": (__import__("io").BytesIO(PDF * 10), "a.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config.pop("UPLOAD_MAX_BYTES")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_closed_call_refuses_new_applications(client, make_user, api_token):
    officer, founder = make_user("officer"), make_user("applicant")
    staff, applicant = _auth(api_token(officer)), _auth(api_token(founder))
    past = _call_body(
        opens_at=(utcnow() - timedelta(days=9)).isoformat(),
        closes_at=(utcnow() - timedelta(days=1)).isoformat(),
    )
    call = client.post("/api/v1/calls", headers=staff, json=past).get_json()
    response = client.post(f"/api/v1/calls/{call['id']}/applications", headers=applicant, json={})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "call_closed"
