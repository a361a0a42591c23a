"""Officers' tools: the request queue with its legal deadline and digest reminders, the purge preview and
holds, and the access-log report per reader and per person, exportable for an audit."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.extensions import db
from nup.privacy import access_log, services
from nup.privacy.models import LegalHold, PrivacyRequest
from nup.reports.digest import digest_figures
from nup.timeutil import utcnow
from tests.conftest import csrf_token, login_as
from tests.privacy.world import build_world

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_requests_are_queued_with_their_ten_day_deadline_reminded_in_the_digest_and_answered(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world()
        founder = db.session.get(User, world.unselected_user)
        services.file_request(actor=founder, kind="correction", details="업종 정정", now=utcnow())
        db.session.commit()
        assert digest_figures(now=utcnow())["privacy_requests_due"] == 0
    with time_machine.travel(START + timedelta(days=8), tick=False), app.app_context():
        figures = digest_figures(now=utcnow())
        assert figures["privacy_requests_due"] == 1 and figures["privacy_requests_overdue"] == 0
    with time_machine.travel(START + timedelta(days=11), tick=False):
        with app.app_context():
            assert digest_figures(now=utcnow())["privacy_requests_overdue"] == 1
            officer = db.session.get(User, world.officer_id)
            login_as(client, officer)
            row_id = db.session.scalar(select(PrivacyRequest.id))
        html = client.get("/staff/privacy/?lang=en").get_data(as_text=True)
        assert "업종 정정" in html and "overdue" in html
        token = csrf_token(client, "/staff/privacy/")
        empty = client.post(f"/staff/privacy/requests/{row_id}/answer", data={"csrf_token": token, "outcome": "done"})
        assert empty.status_code == 302
        with app.app_context():
            assert db.session.get(PrivacyRequest, row_id).status == "open"
        client.post(
            f"/staff/privacy/requests/{row_id}/answer",
            data={"csrf_token": token, "outcome": "done", "answer": "정정했습니다"},
        )
        with app.app_context():
            row = db.session.get(PrivacyRequest, row_id)
            assert row.status == "done" and row.answer == "정정했습니다"
            assert digest_figures(now=utcnow())["privacy_requests_overdue"] == 0
        html = client.get("/staff/privacy/?lang=en").get_data(as_text=True)
        assert "No open requests." in html and "정정했습니다" in html


def test_an_officer_answers_an_access_request_with_the_persons_data_and_the_read_is_recorded(app, client):
    import zipfile

    from nup.audit.models import AuditEvent

    with app.app_context():
        world = build_world()
        founder = db.session.get(User, world.selected_user)
        services.file_request(actor=founder, kind="access", details="사본 요청", now=utcnow())
        db.session.commit()
        login_as(client, db.session.get(User, world.officer_id))
    html = client.get("/staff/privacy/").get_data(as_text=True)
    assert f"/staff/privacy/people/{world.selected_user}/data.zip" in html
    response = client.get(f"/staff/privacy/people/{world.selected_user}/data.zip")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "applications.json" in names and any(n.startswith("files/applications/") for n in names)
    with app.app_context():
        read = db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "access request export"))
        assert read.action == "personal_data.viewed" and read.object_id == str(world.selected_user)
        mine = [e.object_type for e in access_log.accesses_about(world.selected_user, now=utcnow())]
        assert mine == ["user"]


def test_the_purge_preview_page_and_a_hold_placed_from_it(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world()
    with time_machine.travel(START + timedelta(days=400), tick=False):
        with app.app_context():
            login_as(client, db.session.get(User, world.officer_id))
        html = client.get("/staff/privacy/purge?lang=en").get_data(as_text=True)
        assert f"application #{world.unselected_app}" in html
        token = csrf_token(client, "/staff/privacy/purge")
        client.post(
            "/staff/privacy/holds",
            data={"csrf_token": token, "application_id": str(world.unselected_app), "reason": "행정심판"},
        )
        html = client.get("/staff/privacy/purge?lang=en").get_data(as_text=True)
        assert f"application #{world.unselected_app}" not in html and "행정심판" in html
        with app.app_context():
            assert db.session.scalar(select(LegalHold.application_id)) == world.unselected_app


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=15))
def test_a_reader_is_flagged_exactly_when_they_read_far_more_records_than_the_median(counts):
    import statistics

    rows = [(i, f"officer{i}@example.kr", c * 2, c) for i, c in enumerate(counts)]
    flagged = access_log.flag_unusual(rows)
    threshold = max(access_log.UNUSUAL_MINIMUM, access_log.UNUSUAL_FACTOR * statistics.median(counts))
    assert len(flagged) == len(rows)
    for figure in flagged:
        assert figure.unusual == (figure.records > threshold)
    assert [f.records for f in flagged] == sorted(counts, reverse=True)


def test_the_access_report_counts_reads_per_reader_and_person_and_exports_for_an_audit(app, client, make_user):
    with time_machine.travel(START, tick=False):
        with app.app_context():
            world = build_world()
            busy = db.session.get(User, make_user("officer", email="busy@example.kr").id)
            calm = db.session.get(User, world.officer_id)
            extra = [make_user("officer", email=f"o{i}@example.kr").id for i in range(3)]
            applications = list(db.session.scalars(select(Application)))
            founder_app = db.session.get(Application, world.selected_app)
            for _ in range(30):
                for application in applications:
                    audit.record(busy, "personal_data.viewed", application)
            audit.record(calm, "personal_data.viewed", founder_app)
            for officer_id in extra:
                audit.record(db.session.get(User, officer_id), "personal_data.viewed", founder_app)
            audit.record(calm, "application.submitted", founder_app)  # not a read
            db.session.commit()
            readers = {
                r.actor_label: r
                for r in access_log.by_officer(since=START - timedelta(days=1), until=START + timedelta(days=1))
            }
            assert readers["busy@example.kr"].reads == 30 * len(applications)
            assert readers["busy@example.kr"].records == len(applications)
            assert readers[calm.email].reads == 1 and not readers[calm.email].unusual
            per_person = {p.reader: p.reads for p in access_log.by_person(world.selected_user, now=utcnow())}
            assert per_person == {"busy@example.kr": 30, calm.email: 1, **{f"o{i}@example.kr": 1 for i in range(3)}}
            login_as(client, calm)
        html = client.get(f"/staff/privacy/access?lang=en&user_id={world.selected_user}").get_data(as_text=True)
        assert "busy@example.kr" in html and "Reads of this person" in html
        csv_response = client.get(f"/staff/privacy/access.csv?user_id={world.selected_user}")
        assert csv_response.status_code == 200 and csv_response.headers["Cache-Control"] == "no-store"
        text = csv_response.get_data(as_text=True)
        assert "busy@example.kr" in text and f"#{world.selected_user}" in text
        assert "busy@example.kr,30," in text  # the reads of this person's data
        xlsx = client.get("/staff/privacy/access.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        values = [row[0].value for row in sheet.iter_rows()]
        assert "busy@example.kr" in values


def test_only_officers_reach_the_officer_tools(app, client, make_user):
    applicant = make_user("applicant")
    login_as(client, applicant)
    for url in (
        "/staff/privacy/",
        "/staff/privacy/purge",
        "/staff/privacy/access",
        "/staff/privacy/access.csv",
        f"/staff/privacy/people/{applicant.id}/data.zip",
    ):
        assert client.get(url).status_code == 403
    assert client.get("/my-data/").status_code == 200
