"""Pages, exports and the API of overseas support: who may see what, forms through the client, error shapes."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.overseas import kpi_reports, services
from nup.overseas.models import EvidenceFile, KpiReport
from nup.timeutil import utcnow
from tests.cohort import make_cohort_call, make_selected_startup
from tests.conftest import assert_not_stored, csrf_token, login_as
from tests.overseas.conftest import PDF, founder, months_ago, report_values

OVERSEAS = (
    "overseas.",
    "overseas_admin.",
    "portfolio.",
    "api.list_plans",
    "api.create_plan",
    "api.get_plan",
    "api.list_milestones",
    "api.list_reports",
    "api.file_report",
    "api.get_report",
    "api.correct_report",
    "api.decide_report",
)


def label(months_back: int) -> str:
    return months_ago(months_back).strftime("%Y-%m")


@pytest.fixture()
def world(app, make_user):
    """A plan with one submitted report, and one user of every role.

    Built in an app context of its own that is gone before the test: a request made while a
    test holds an app context would share `g` (and the signed-in user) with the next request.
    """
    officer = make_user("officer", name="담당자")
    with app.app_context():
        call_id = make_cohort_call(officer.id)
        startup = make_selected_startup(call_id)
        plan = services.create_plan(
            db.session.get(Application, startup.application_id),
            actor=db.session.get(User, officer.id),
            starts_on=months_ago(3),
            months=10,
            budget_won=200_000_000,
            target_countries=["US", "JP"],
            now=utcnow(),
        )
        report = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
        db.session.commit()
        ids = {"plan_id": plan.id, "report_id": report.id, "call_id": call_id}
        owner = founder(startup)
        db.session.expunge(owner)
    users = {role: make_user(role) for role in ("reviewer", "mentor", "applicant")}
    users["officer"] = officer
    users["founder"] = owner
    return {**ids, "users": users}


def _urls(app, ids: dict) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(OVERSEAS):
            continue
        values = {a: ids.get(a, "kpis" if a == "sheet" else "midterm" if a == "kind" else 1) for a in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


@pytest.mark.parametrize("role", ["reviewer", "mentor"])
def test_reviewers_and_mentors_see_nothing_of_overseas_support(app, world, api_token, role):
    client = app.test_client()
    user = world["users"][role]
    login_as(client, user)
    token = api_token(user)
    ids = {
        "plan_id": world["plan_id"],
        "report_id": world["report_id"],
        "application_id": 1,
        "item_id": 1,
        "milestone_id": 1,
        "check_id": 1,
        "evidence_id": 1,
        "call_id": 1,
    }
    routes = _urls(app, ids)
    assert len(routes) >= 30
    app.config["WTF_CSRF_ENABLED"] = False  # this walk is about the policy, not CSRF
    try:
        for endpoint, method, url in routes:
            headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
            response = client.open(url, method=method, headers=headers)
            assert response.status_code == 403, f"{method} {url} ({endpoint}) as {role} -> {response.status_code}"
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_a_founder_sees_only_their_own_plan_and_report(app, world, make_user):
    client = app.test_client()
    login_as(client, world["users"]["founder"])
    assert client.get(f"/overseas/plans/{world['plan_id']}").status_code == 200
    assert client.get(f"/overseas/reports/{world['report_id']}").status_code == 200
    assert client.get("/overseas").status_code == 302  # one plan: straight to it
    other = app.test_client()
    login_as(other, world["users"]["applicant"])
    assert other.get(f"/overseas/plans/{world['plan_id']}").status_code == 404
    assert other.get(f"/overseas/reports/{world['report_id']}").status_code == 404
    assert "no support plan yet" in other.get("/overseas?lang=en").get_data(as_text=True)
    assert other.get(f"/staff/overseas/plans/{world['plan_id']}").status_code == 403


def test_officer_pages_render_in_both_languages(app, world):
    client = app.test_client()
    login_as(client, world["users"]["officer"])
    pages = [
        "/staff/overseas/",
        "/staff/overseas/plans",
        f"/staff/overseas/plans/{world['plan_id']}",
        "/staff/overseas/reports",
        f"/staff/overseas/reports/{world['report_id']}",
        f"/staff/overseas/plans/{world['plan_id']}/checks/midterm",
        f"/staff/overseas/calls/{world['call_id']}/reporting",
    ]
    for lang in ("ko", "en"):
        for page in pages:
            response = client.get(f"{page}?lang={lang}")
            assert response.status_code == 200, page
            assert "style=" not in response.get_data(as_text=True).split("<main", 1)[1], page  # the CSP forbids it


def test_the_founder_files_a_report_with_evidence_through_the_form(app, world):
    client = app.test_client()
    login_as(client, world["users"]["founder"])
    page = f"/overseas/plans/{world['plan_id']}/reports/new"
    data = {"csrf_token": csrf_token(client, page), **report_values(label(2), export_value="-5")}
    refused = client.post(page, data=data)
    assert refused.status_code == 422
    assert "Amounts cannot be negative." in client.post(page + "?lang=en", data=data).get_data(as_text=True)
    data["export_value"] = "5000"
    data["file"] = (io.BytesIO(PDF), "계약서.pdf")
    response = client.post(page, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(select(KpiReport).where(KpiReport.period_label == label(2)))
        assert report.export_value_won == 6_926_000 and len(report.evidence) == 1
        evidence_id, report_id = report.evidence[0].id, report.id
    download = client.get(f"/overseas/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert_not_stored(download)
    data = {"csrf_token": csrf_token(client, page), **report_values(label(2))}
    duplicate = client.post(page, data=data)
    assert duplicate.status_code == 302 and duplicate.headers["Location"].endswith(f"/overseas/reports/{report_id}")


def test_evidence_is_checked_by_content(app, world):
    client = app.test_client()
    login_as(client, world["users"]["founder"])
    page = f"/overseas/reports/{world['report_id']}"
    data = {"csrf_token": csrf_token(client, page), "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "evil.pdf")}
    client.post(f"{page}/evidence", data=data, content_type="multipart/form-data")
    with app.app_context():
        assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_the_officer_creates_a_plan_and_returns_a_report_through_the_forms(app, world):
    with app.app_context():
        newcomer = make_selected_startup(world["call_id"], company="새기업")
    client = app.test_client()
    login_as(client, world["users"]["officer"])
    page = f"/staff/overseas/plans/new/{newcomer.application_id}"
    form = {
        "csrf_token": csrf_token(client, page),
        "starts_on": months_ago(0).isoformat(),
        "months": "10",
        "budget_won": "-1",
        "target_countries": ["US"],
    }
    assert client.post(page, data=form).status_code == 422
    form["budget_won"] = "150000000"
    assert client.post(page, data=form).status_code == 302
    page = f"/staff/overseas/reports/{world['report_id']}"
    token = csrf_token(client, page)
    assert client.post(page, data={"csrf_token": token, "decision": "return", "comment": ""}).status_code == 422
    response = client.post(page, data={"csrf_token": token, "decision": "return", "comment": "증빙을 추가해 주세요."})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(KpiReport, world["report_id"]).status == "returned"


def test_exports_are_xlsx_and_csv_with_a_bom_and_no_formulas(app, world):
    with app.app_context():
        report = db.session.get(KpiReport, world["report_id"])
        report.narrative = '=HYPERLINK("http://evil")'
        report.officer_comment = "=1+1"
        db.session.commit()
    client = app.test_client()
    login_as(client, world["users"]["officer"])
    portfolio = client.get("/staff/overseas/exports/portfolio.xlsx")
    assert_not_stored(portfolio)
    workbook = load_workbook(io.BytesIO(portfolio.data))
    assert workbook.sheetnames == ["지원계획", "지원항목·집행", "마일스톤", "성과보고", "점검"]
    kpis = list(workbook["성과보고"].values)
    assert kpis[1][9] == 138_520_000 and kpis[1][-1] == "'=1+1"
    kpis_csv = client.get("/staff/overseas/exports/kpis.csv")
    assert_not_stored(kpis_csv)
    body = kpis_csv.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "기업명" and rows[1][-1] == "'=1+1"
    assert client.get("/staff/overseas/exports/unknown.csv").status_code == 404


def test_the_api_files_lists_and_decides_reports_with_clear_errors(app, world, api_token):
    founder_token = api_token(world["users"]["founder"])
    officer_token = api_token(world["users"]["officer"])
    client = app.test_client()
    as_founder = {"Authorization": f"Bearer {founder_token}"}
    as_officer = {"Authorization": f"Bearer {officer_token}"}
    plans = client.get("/api/v1/overseas/plans", headers=as_founder).get_json()
    assert plans["total"] == 1 and plans["items"][0]["id"] == world["plan_id"]
    url = f"/api/v1/overseas/plans/{world['plan_id']}/reports"
    bad = client.post(url, json=report_values(label(2), currency="XYZ", export_value="-1"), headers=as_founder)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) >= {"currency"}
    outside = client.post(url, json=report_values(months_ago(-2).strftime("%Y-%m")), headers=as_founder)
    assert outside.status_code == 422 and "period" in outside.get_json()["error"]["fields"]
    duplicate = client.post(url, json=report_values(label(1), jobs_overseas=9), headers=as_founder)
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["code"] == "duplicate_report"
    created = client.post(url, json=report_values(label(2)), headers=as_founder)
    assert created.status_code == 201
    body = created.get_json()
    assert body["export_value"] == {"amount": "100000.00", "won": 138_520_000} and body["status"] == "submitted"
    assert client.post(url, json=report_values(label(3)), headers=as_officer).status_code == 403
    decision = f"/api/v1/overseas/reports/{body['id']}/decision"
    assert client.post(decision, json={"decision": "accept"}, headers=as_founder).status_code == 403
    stale = client.post(decision, json={"decision": "accept", "version": body["version"] + 5}, headers=as_officer)
    assert stale.status_code == 409
    done = client.post(decision, json={"decision": "accept", "version": body["version"]}, headers=as_officer)
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    listed = client.get(f"{url}?per_page=1&page=1", headers=as_officer).get_json()
    assert listed["total"] == 2 and len(listed["items"]) == 1
    milestones = client.get(f"/api/v1/overseas/plans/{world['plan_id']}/milestones", headers=as_founder).get_json()
    assert {m["kind"] for m in milestones["items"]} == {"kickoff", "midterm", "final"}


def test_the_openapi_document_lists_the_overseas_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/overseas/plans",
        "/overseas/plans/{plan_id}",
        "/overseas/plans/{plan_id}/milestones",
        "/overseas/plans/{plan_id}/reports",
        "/overseas/reports/{report_id}",
        "/overseas/reports/{report_id}/decision",
    ):
        assert f"/api/v1{path}" in paths, path


def test_every_overseas_route_is_in_the_policy_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(OVERSEAS)}
    assert endpoints <= set(security.ROUTE_PERMISSIONS)
    assert len(endpoints) == 32
