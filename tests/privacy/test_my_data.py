"""The person's rights: see and download everything held about them (and nothing of anyone else's),
withdraw an optional consent with its consequence, ask for a correction, ask for deletion."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import time_machine
from sqlalchemy import select

from nup.accounts import services as account_services
from nup.accounts.models import Consent, User
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.extensions import db
from nup.notifications import services as notifications
from nup.notifications.models import Notification, NotificationStatus
from nup.overseas.models import SupportPlan
from nup.privacy import services
from nup.privacy.models import FileDeletion, PrivacyRequest
from nup.programmes.models import Call
from nup.timeutil import to_kst, utcnow
from tests.conftest import csrf_token, login_as
from tests.privacy.world import PDF, build_world

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _read_zip(response) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    sections = {n[:-5]: json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")}
    files = {n: archive.read(n) for n in archive.namelist() if n.startswith("files/")}
    return sections, files


def test_a_download_holds_every_kind_of_record_the_person_owns_and_nothing_of_anyone_elses(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        a, b = build_world("A"), build_world("B")
        founder = db.session.get(User, a.selected_user)
        account_services.record_consent(user=founder, kind="programme_news", granted=True, ip=None, now=utcnow())
        officer = db.session.get(User, a.officer_id)
        audit.record(officer, "personal_data.viewed", db.session.get(Application, a.selected_app), detail="screening")
        audit.record(officer, "personal_data.viewed", db.session.get(Application, b.selected_app), detail="screening")
        audit.record(officer, "document.downloaded", db.session.get(Application, a.selected_app).documents[0])
        audit.record(officer, "document.downloaded", db.session.get(Application, b.selected_app).documents[0])
        services.file_request(actor=founder, kind="correction", details="주소 정정", now=utcnow())
        reviewer = db.session.get(User, a.reviewer_id)
        reviewer_marks = (reviewer.email, reviewer.name)
        other = db.session.get(User, b.selected_user)
        other_marks = ("선정기업B", other.email, "evidence-B", "selected-B", "보고 B", "조언 B")
        founder_email, officer_email = founder.email, officer.email
        db.session.commit()
        login_as(client, founder)
        response = client.get("/my-data/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    sections, files = _read_zip(response)
    assert sections["profile"]["email"] == founder_email
    assert [c["kind"] for c in sections["consents"]] == ["programme_news"]
    assert [x["id"] for x in sections["applications"]] == [a.selected_app]
    assert len(sections["documents"]) == 1
    evaluations = sections["evaluations"][0]
    assert evaluations["decisions"][0]["outcome"] == "selected" and evaluations["score_sheets"][0]["total"] == 88.0
    assert len(sections["mentoring"]["sessions"]) == 1 and sections["mentoring"]["sessions"][0]["advice"] == "조언 A"
    assert len(sections["overseas"]["reports"]) == 1 and len(sections["overseas"]["evidence"]) == 1
    assert {e["kind"] for e in sections["emails"]} >= {"password_changed"}
    assert sorted(e["what"] for e in sections["access_log"]) == ["application", "document"]
    assert {e["by"] for e in sections["access_log"]} == {officer_email}
    assert sections["requests"][0]["details"] == "주소 정정"
    document_id, evidence_id = sections["documents"][0]["id"], sections["overseas"]["evidence"][0]["id"]
    assert sorted(files) == [
        f"files/applications/{a.selected_app}/{document_id}-selected-A.pdf",
        f"files/overseas/{a.plan_id}/{evidence_id}-evidence-A.pdf",
    ]
    assert files[sorted(files)[0]] == PDF + b"selected-A"
    everything = response.data.decode("latin-1") + json.dumps(sections, ensure_ascii=False)
    for mark in (*other_marks, *reviewer_marks):
        assert mark not in everything, mark
    assert all(b"-B" not in content for content in files.values())


def test_the_page_lists_the_records_and_the_readers_in_both_languages(app, client):
    with time_machine.travel(START, tick=False):
        with app.app_context():
            a = build_world("A")
            founder = db.session.get(User, a.selected_user)
            officer = db.session.get(User, a.officer_id)
            audit.record(officer, "personal_data.viewed", db.session.get(Application, a.selected_app))
            officer_email = officer.email
            db.session.commit()
            login_as(client, founder)
        # Requests outside the test's app context: each picks its own language.
        for lang, words in (("en", ("My data", "Who read my data")), ("ko", ("내 개인정보", "내 정보를 열람한 사람"))):
            html = client.get(f"/my-data/?lang={lang}").get_data(as_text=True)
            for word in (*words, officer_email, "선정기업A"):
                assert word in html, word
            assert 'id="count-applications">1<' in html


def test_withdrawing_an_optional_consent_cancels_the_news_waiting_for_the_person(app, client):
    with app.app_context():
        a = build_world("A")
        founder = db.session.get(User, a.unselected_user)
        account_services.record_consent(user=founder, kind="programme_news", granted=True, ip=None, now=utcnow())
        news = notifications.queue("bulk_message", to=founder, key="news-1", essential=False, context={"name": "x"})
        receipt = notifications.queue("password_changed", to=founder, key="essential-1", context={"name": "x"})
        news_id, receipt_id = news.id, receipt.id
        db.session.commit()
        login_as(client, founder)
    token = csrf_token(client, "/my-data/")
    response = client.post("/my-data/consents/withdraw", data={"csrf_token": token, "kind": "programme_news"})
    assert response.status_code == 302
    refused = client.post("/my-data/consents/withdraw", data={"csrf_token": token, "kind": "personal_data_collection"})
    assert refused.status_code == 302
    with app.app_context():
        latest = db.session.scalars(
            select(Consent).where(Consent.user_id == a.unselected_user).order_by(Consent.sequence.desc())
        ).first()
        assert (latest.kind, latest.granted) == ("programme_news", False)
        assert db.session.get(Notification, news_id).status == NotificationStatus.CANCELLED
        assert db.session.get(Notification, receipt_id).status == NotificationStatus.PENDING
        kinds = [c.kind for c in db.session.scalars(select(Consent).where(Consent.user_id == a.unselected_user))]
        assert "personal_data_collection" not in kinds  # the required one is not withdrawn here


def test_a_correction_request_is_due_in_ten_days_and_an_empty_one_is_refused_with_the_form_kept(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        a = build_world("A")
        founder = db.session.get(User, a.unselected_user)
        login_as(client, founder)
        token = csrf_token(client, "/my-data/")
        empty = client.post("/my-data/requests", data={"csrf_token": token, "kind": "correction", "details": ""})
        assert empty.status_code == 422
        done = client.post(
            "/my-data/requests", data={"csrf_token": token, "kind": "correction", "details": "대표자명 오타"}
        )
        assert done.status_code == 302
        row = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.user_id == a.unselected_user))
        assert row.due_at - row.filed_at == timedelta(days=10) and row.status == "open"


def test_deletion_is_refused_with_the_reason_and_the_date_while_records_must_be_kept(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        a = build_world("A")
        unselected = db.session.get(User, a.unselected_user)
        answer = services.assess_deletion(unselected, now=utcnow())
        assert not answer.possible and answer.possible_on is not None
        close_day = to_kst(db.session.get(Call, a.call_id).closes_at).date()
        assert answer.possible_on == close_day + timedelta(days=365)
        selected = services.assess_deletion(db.session.get(User, a.selected_user), now=utcnow())
        plan_end = db.session.get(SupportPlan, a.plan_id).ends_on
        assert not selected.possible and selected.possible_on == plan_end + timedelta(days=5 * 365)
        login_as(client, unselected)
        token = csrf_token(client, "/my-data/")
        response = client.post("/my-data/delete", data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert answer.possible_on.isoformat() in html
        db.session.expire_all()
        still = db.session.get(User, a.unselected_user)
        assert still.anonymised_at is None and still.email.endswith("@example.kr")
        row = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.user_id == a.unselected_user))
        assert row.kind == "deletion" and row.status == "refused"
    # Once the rule's period has passed, the same request is carried out.
    with time_machine.travel(START + timedelta(days=400), tick=False), app.app_context():
        assert services.assess_deletion(db.session.get(User, a.unselected_user), now=utcnow()).possible


def test_deletion_when_nothing_must_be_kept_erases_the_account_and_its_files_and_confirms_by_email(app, client):
    with time_machine.travel(START, tick=False), app.app_context():
        a = build_world("A")
        person = db.session.get(User, a.draft_user)
        address = person.email
        draft_file = a.files["draft_document"]
        assert draft_file.is_file()
        login_as(client, person)
        token = csrf_token(client, "/my-data/")
        response = client.post("/my-data/delete", data={"csrf_token": token, "confirm": "y"})
        assert response.status_code == 302
        db.session.expire_all()
        gone = db.session.get(User, a.draft_user)
        assert gone.anonymised_at and gone.name == "" and gone.password_hash is None and not gone.active
        assert address not in gone.email
        draft = db.session.get(Application, a.draft_app)
        assert draft.company_name == "" and draft.status == ApplicationStatus.WITHDRAWN
        assert not draft_file.exists() and db.session.scalar(select(FileDeletion.id)) is None
        mail = db.session.scalar(select(Notification).where(Notification.kind == "account_deleted"))
        assert mail.to_address == address
        assert client.get("/my-data/").status_code == 302  # signed out


def test_an_evaluators_data_holds_their_own_score_sheets_without_the_firms(app):
    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world("A")
        reviewer = db.session.get(User, world.reviewer_id)
        data = services_gather(reviewer)
        assert len(data["evaluations_given"]) == 2
        assert {s["total"] for s in data["evaluations_given"]} == {88.0, 61.5}
        assert "선정기업A" not in json.dumps(data, ensure_ascii=False, default=str)
        assert data["applications"] == [] and data["evaluations"] == []


def services_gather(user):
    from nup.privacy import mydata

    return mydata.gather(user, now=utcnow())


def test_deletion_after_the_period_keeps_the_statistics_of_its_rule_and_empties_a_mentor_profile(app):
    from nup.mentoring.models import Mentor

    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world("A")
        mentor_user = account_services.create_user(
            actor=None, email="mentor-del@example.kr", role="mentor", name="멘토", password=None, now=utcnow()
        )
        db.session.add(Mentor(user_id=mentor_user.id, name="멘토", email="mentor-del@example.kr", bio="경력"))
        db.session.commit()
        mentor_id = mentor_user.id
    with time_machine.travel(START + timedelta(days=400), tick=False), app.app_context():
        person = db.session.get(User, world.unselected_user)
        assert services.request_deletion(actor=person, now=utcnow()).possible
        db.session.commit()
        row = db.session.get(Application, world.unselected_app)
        assert row.purge_rule == "unselected_application" and row.company_name == ""
        assert (row.industry, row.employees, row.region) == ("제조", 12, "부산")
        assert services.request_deletion(actor=db.session.get(User, mentor_id), now=utcnow()).possible
        db.session.commit()
        profile = db.session.scalar(select(Mentor).where(Mentor.user_id == mentor_id))
        assert (profile.name, profile.bio, profile.active) == ("", "", False)
        assert "mentor-del" not in profile.email


def test_the_api_gives_the_same_record_of_ones_own_data_and_nothing_of_anyone_elses(app, client, api_token):
    with time_machine.travel(START, tick=False), app.app_context():
        a, b = build_world("A"), build_world("B")
        founder = db.session.get(User, a.selected_user)
        reviewer = db.session.get(User, a.reviewer_id)
        other = db.session.get(User, b.selected_user)
        marks = ("선정기업B", other.email, "조언 B", reviewer.email, reviewer.name)
        founder_email, founder_id = founder.email, founder.id
        db.session.commit()
    assert client.get("/api/v1/me/data").status_code == 401
    token = api_token(SimpleNamespace(id=founder_id))
    response = client.get("/api/v1/me/data", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["profile"]["email"] == founder_email
    assert [x["id"] for x in body["applications"]] == [a.selected_app]
    assert body["mentoring"]["sessions"][0]["advice"] == "조언 A"
    text = json.dumps(body, ensure_ascii=False)
    for mark in marks:
        assert mark not in text, mark
