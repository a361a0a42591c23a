"""Submission at the deadline, during an upload, and twice at once."""

import io
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications import services
from nup.applications.models import Application, Document
from nup.extensions import db
from nup.notifications.models import Notification
from nup.programmes.models import Call
from nup.timeutil import utcnow
from tests.applications.conftest import PDF, complete_application
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def _load(application_id: int, user_id: int):
    application = db.session.get(Application, application_id)
    return application, db.session.get(User, user_id)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul"])
def test_the_closing_second_is_refused_and_the_one_before_accepted(app, make_user, open_call, monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        late, on_time = make_user("applicant"), make_user("applicant")
        late_id, on_time_id = (
            complete_application(app, late, open_call),
            complete_application(app, on_time, open_call),
        )
        with app.app_context():
            closes_at = db.session.get(Call, open_call).closes_at
            application, actor = _load(late_id, late.id)
            with pytest.raises(services.CallClosed):
                services.submit_application(application, actor=actor, now=closes_at)
            db.session.rollback()
            application, actor = _load(on_time_id, on_time.id)
            services.submit_application(application, actor=actor, now=closes_at - timedelta(microseconds=1))
            db.session.commit()
            assert db.session.get(Application, on_time_id).status == "submitted"
            assert db.session.get(Application, late_id).status == "draft"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_server_clock_decides_through_the_page(app, client, make_user, open_call):
    founder = make_user("applicant")
    application_id = complete_application(app, founder, open_call)
    with app.app_context():
        closes_at = db.session.get(Call, open_call).closes_at
    with time_machine.travel(closes_at, tick=False):
        sign_in(client, founder.email)
        token = csrf_token(client, f"/applications/{application_id}/edit/review")
        response = client.post(
            f"/applications/{application_id}/submit",
            data={"csrf_token": token},
            follow_redirects=True,
            query_string={"lang": "en"},
        )
    assert "not open for applications" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"


def test_an_upload_finishing_after_the_deadline_is_refused_and_says_why(app, make_user, open_call):
    founder = make_user("applicant")
    application_id = complete_application(app, founder, open_call)
    with app.app_context():
        closes_at = db.session.get(Call, open_call).closes_at
        application, actor = _load(application_id, founder.id)
        before = {d.kind: d.sha256 for d in application.documents}
        with pytest.raises(services.CallClosed) as refused:
            services.upload_document(
                application,
                actor=actor,
                kind="business_plan",
                stream=io.BytesIO(PDF + b"v2"),
                filename="plan.pdf",
                issued_on=None,
                started_at=closes_at - timedelta(seconds=3),
                clock=lambda: closes_at + timedelta(seconds=2),
            )
        db.session.rollback()
        assert "파일을 올리는 중에 마감" in refused.value.message  # Korean outside a request
        application, _ = _load(application_id, founder.id)
        assert {d.kind: d.sha256 for d in application.documents} == before  # the draft is intact


def test_two_simultaneous_submissions_make_one(app, make_user, open_call):
    founder = make_user("applicant")
    application_id = complete_application(app, founder, open_call)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit_once():
        with app.app_context():
            application, actor = _load(application_id, founder.id)
            services.checklist(application)  # both have read the draft before either writes
            barrier.wait()
            try:
                submitted = services.submit_application(application, actor=actor, now=utcnow())
                db.session.commit()
                results.append(submitted.receipt_number)
            except Exception as error:
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(results) == 2 and results[0] == results[1]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Application).where(Application.status == "submitted"))
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "application_received")
            )
            == 1
        )


def test_receipt_numbers_count_up_within_the_year(app, make_user, open_call):
    founders = [make_user("applicant") for _ in range(3)]
    ids = [complete_application(app, f, open_call) for f in founders]
    numbers = []
    with app.app_context():
        for founder, application_id in zip(founders, ids, strict=True):
            application, actor = _load(application_id, founder.id)
            numbers.append(services.submit_application(application, actor=actor, now=utcnow()).receipt_number)
            db.session.commit()
    serials = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]
    assert all(n.startswith("NUP-20") and len(n) == len("NUP-2026-000001") for n in numbers)


def test_a_replaced_document_file_is_removed_after_commit_only(app, make_user, open_call):
    from pathlib import Path

    founder = make_user("applicant")
    application_id = complete_application(app, founder, open_call)
    with app.app_context():
        application, actor = _load(application_id, founder.id)
        old = next(d for d in application.documents if d.kind == "business_plan")
        old_path = services.upload_folder(application) / old.stored_name
        services.upload_document(
            application,
            actor=actor,
            kind="business_plan",
            stream=io.BytesIO(PDF + b"2"),
            filename="v2.pdf",
            issued_on=None,
            started_at=utcnow(),
            clock=utcnow,
        )
        assert Path(old_path).exists()  # not before the commit
        db.session.rollback()
        assert Path(old_path).exists()  # a rollback keeps the old file
        application, actor = _load(application_id, founder.id)
        services.upload_document(
            application,
            actor=actor,
            kind="business_plan",
            stream=io.BytesIO(PDF + b"3"),
            filename="v3.pdf",
            issued_on=None,
            started_at=utcnow(),
            clock=utcnow,
        )
        db.session.commit()
        assert not Path(old_path).exists()
        assert (
            db.session.scalar(select(func.count()).select_from(Document).where(Document.kind == "business_plan")) == 1
        )
