"""The applicant's journey through the pages, and the officer's list and requirements check."""

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from nup.applications.models import Application, Document
from nup.extensions import db
from nup.notifications.models import Notification
from tests.applications.conftest import COMPANY, PDF, PLAN, complete_application, founded_years_ago
from tests.conftest import assert_not_stored, csrf_token, sign_in, submit


def _start(client, call_id):
    response = submit(client, f"/calls/{call_id}", {}, action=f"/calls/{call_id}/apply")
    assert response.status_code == 302
    return int(response.headers["Location"].split("/applications/")[1].split("/")[0])


def test_public_call_page_shows_deadline_documents_and_apply_button(client, open_call):
    html = client.get(f"/calls/{open_call}?lang=en").get_data(as_text=True)
    assert "N-Up 2026 call" in html and "data-deadline" in html
    assert "Corporate register extract" in html and "Sign in to apply" in html
    assert open_call and f"/calls/{open_call}" in client.get("/calls").get_data(as_text=True)


def test_a_founder_fills_the_form_in_steps_and_gets_a_receipt(app, client, make_user, open_call):
    founder = make_user("applicant", email="ceo@hanbit.example.kr", name="김하늘")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    page = f"/applications/{application_id}/edit/company"
    saved = submit(client, page, {**COMPANY, "founded_on": founded_years_ago(5), "next": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/edit/plan")
    plan_page = f"/applications/{application_id}/edit/plan"
    assert submit(client, plan_page, {**PLAN, "save": "1"}).status_code == 302
    documents = f"/applications/{application_id}/edit/documents"
    with app.app_context():
        from nup.programmes.models import Call

        kinds = [d["kind"] for d in db.session.get(Call, open_call).documents_for("company")]
    for kind in kinds:
        response = submit(
            client,
            documents,
            {"kind": kind, "issued_on": "", "file": (io.BytesIO(PDF), f"{kind}.pdf")},
            action=f"/applications/{application_id}/documents",
            content_type="multipart/form-data",
        )
        if "register" in kind or "tax" in kind or "registration" in kind:
            assert response.status_code == 303  # refused: issue date required
            from nup.timeutil import to_kst, utcnow

            response = submit(
                client,
                documents,
                {
                    "kind": kind,
                    "issued_on": to_kst(utcnow()).date().isoformat(),
                    "file": (io.BytesIO(PDF), f"{kind}.pdf"),
                },
                action=f"/applications/{application_id}/documents",
                content_type="multipart/form-data",
            )
        assert response.status_code == 303
    review = client.get(f"/applications/{application_id}/edit/review?lang=en").get_data(as_text=True)
    assert "Everything required is there" in review and "한빛로보틱스" in review
    done = submit(
        client,
        f"/applications/{application_id}/edit/review",
        {},
        action=f"/applications/{application_id}/submit",
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/receipt")
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "submitted" and application.receipt_number.startswith("NUP-")
        assert application.receipt_number in receipt
        mail = db.session.scalar(select(Notification).where(Notification.kind == "application_received"))
        assert mail.context["receipt_number"] == application.receipt_number and mail.queue == "priority"
    # Read-only from now on.
    again = submit(
        client,
        f"/applications/{application_id}",
        {"company_name": "바뀐 이름"},
        action=f"/applications/{application_id}/edit/company",
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/applications/{application_id}")
    with app.app_context():
        assert db.session.get(Application, application_id).company_name == "한빛로보틱스"


def test_an_invalid_field_keeps_the_rest_saved_and_the_typed_value_shown(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    response = submit(
        client,
        f"/applications/{application_id}/edit/company?lang=en",
        {**COMPANY, "business_registration_number": "220-81-62518", "save": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "not valid" in html and 'value="220-81-62518"' in html
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.company_name == "한빛로보틱스" and application.business_registration_number is None


def test_autosave_saves_json_and_detects_a_stale_version(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    token = csrf_token(client, f"/applications/{application_id}/edit/company")
    url = f"/applications/{application_id}/autosave"
    first = client.post(url, json={"company_name": "오토웨이브", "version": 1}, headers={"X-CSRFToken": token})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = client.post(url, json={"company_name": "다른 탭", "version": 1}, headers={"X-CSRFToken": token})
    assert stale.status_code == 409
    assert client.post(url, json={"company_name": "x"}).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Application, application_id).company_name == "오토웨이브"


def _upload(client, application_id, content: bytes, name: str, kind="business_plan"):
    return submit(
        client,
        f"/applications/{application_id}/edit/documents",
        {"kind": kind, "file": (io.BytesIO(content), name)},
        action=f"/applications/{application_id}/documents",
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_uploads_are_checked_by_content_not_by_name(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    executable = _upload(client, application_id, b"MZ\x90\x00" + b"\x00" * 100, "plan.pdf")
    html_file = _upload(client, application_id, b"<!doctype html><script>alert(1)</script>", "plan.pdf")
    for response in (executable, html_file):
        assert "content of this file" in response.get_data(as_text=True) or "형식" in response.get_data(as_text=True)
    good = _upload(client, application_id, PDF, "../../etc/사업계획서.PDF")
    assert good.status_code == 200
    with app.app_context():
        [document] = db.session.scalars(select(Document)).all()
        assert document.filename == "사업계획서.pdf" and document.content_type == "application/pdf"
        assert len(document.sha256) == 64 and document.size == len(PDF)
        stored = Path(app.config["UPLOAD_DIR"]) / str(open_call) / str(application_id) / document.stored_name
        assert stored.read_bytes() == PDF and document.stored_name not in document.filename


def test_an_oversize_file_gets_413_and_the_draft_stays(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    submit(client, f"/applications/{application_id}/edit/company", {**COMPANY, "save": "1"})
    app.config["UPLOAD_MAX_BYTES"] = 1024
    try:
        response = _upload(client, application_id, PDF + b"0" * 2048, "big.pdf")
    finally:
        app.config.pop("UPLOAD_MAX_BYTES")
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).company_name == "한빛로보틱스"
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    folder = Path(app.config["UPLOAD_DIR"]) / str(open_call) / str(application_id)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_request_over_the_whole_size_limit_is_413(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = _upload(client, application_id, big, "huge.pdf")
    assert response.status_code == 413


def test_submission_is_refused_while_things_are_missing(app, client, make_user, open_call):
    founder = make_user("applicant")
    sign_in(client, founder.email)
    application_id = _start(client, open_call)
    response = submit(
        client,
        f"/applications/{application_id}/edit/review",
        {},
        action=f"/applications/{application_id}/submit",
        follow_redirects=True,
    )
    assert "checklist" in response.get_data(as_text=True).lower() or "체크리스트" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"


def test_withdraw_and_reopen_before_the_deadline(app, client, make_user, open_call):
    founder = make_user("applicant")
    application_id = complete_application(app, founder, open_call)
    sign_in(client, founder.email)
    submit(client, f"/applications/{application_id}", {}, action=f"/applications/{application_id}/submit")
    submit(client, f"/applications/{application_id}", {}, action=f"/applications/{application_id}/withdraw")
    with app.app_context():
        assert db.session.get(Application, application_id).status == "withdrawn"
    submit(client, f"/applications/{application_id}", {}, action=f"/applications/{application_id}/reopen")
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"


def test_another_applicants_application_and_documents_are_unreachable(app, client, make_user, open_call, api_token):
    owner = make_user("applicant")
    intruder = make_user("applicant")
    application_id = complete_application(app, owner, open_call)
    with app.app_context():
        document_id = db.session.scalar(select(Document.id))
    sign_in(client, intruder.email)
    for path in (
        f"/applications/{application_id}",
        f"/applications/{application_id}/edit/company",
        f"/applications/{application_id}/receipt",
        f"/documents/{document_id}",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/dashboard")
    for path in (
        f"/applications/{application_id}/submit",
        f"/applications/{application_id}/withdraw",
        f"/applications/{application_id}/documents/{document_id}/delete",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    headers = {"Authorization": f"Bearer {api_token(intruder)}"}
    assert client.get(f"/api/v1/applications/{application_id}", headers=headers).status_code == 404
    assert (
        client.patch(f"/api/v1/applications/{application_id}", json={"summary": "x"}, headers=headers).status_code
        == 404
    )
    assert client.post(f"/api/v1/applications/{application_id}/submit", headers=headers).status_code == 404


def test_documents_download_as_attachments_for_owner_and_officers(app, client, make_user, officer, open_call):
    owner = make_user("applicant")
    application_id = complete_application(app, owner, open_call)
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.application_id == application_id))
    sign_in(client, owner.email)
    response = client.get(f"/documents/{document_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert_not_stored(response)
    conditional = client.get(
        f"/documents/{document_id}", headers={"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    assert_not_stored(conditional)
    staff = app.test_client()
    sign_in(staff, officer.email)
    by_officer = staff.get(f"/documents/{document_id}")
    assert by_officer.status_code == 200
    assert_not_stored(by_officer)
    reviewer = app.test_client()
    sign_in(reviewer, make_user("reviewer").email)
    assert reviewer.get(f"/documents/{document_id}").status_code == 404


def test_officer_list_filters_and_requirements_check(app, client, make_user, officer, open_call):
    owners = [make_user("applicant") for _ in range(3)]
    ids = [complete_application(app, owner, open_call) for owner in owners]
    from nup.applications import services
    from nup.timeutil import utcnow

    with app.app_context():
        for owner, application_id in zip(owners, ids, strict=True):
            from nup.accounts.models import User

            services.submit_application(
                db.session.get(Application, application_id),
                actor=db.session.get(User, owner.id),
                now=utcnow(),
            )
        db.session.get(Application, ids[1]).region = "부산"
        db.session.commit()
    sign_in(client, officer.email)
    listing = client.get(f"/staff/calls/{open_call}/applications?lang=en").get_data(as_text=True)
    assert listing.count("한빛로보틱스") == 3 and "3 applications" in listing
    busan = client.get(f"/staff/calls/{open_call}/applications?region=부산").get_data(as_text=True)
    assert busan.count("한빛로보틱스") == 1
    none = client.get(f"/staff/calls/{open_call}/applications?physical_ai=no&lang=en").get_data(as_text=True)
    assert "No application matches" in none
    with app.app_context():
        document_id = db.session.scalar(select(Document.id).where(Document.application_id == ids[0]))
    response = submit(
        client,
        f"/staff/applications/{ids[0]}",
        {"decision": "correct", "message": "3개월 이내 발급본을 올려 주세요."},
        action=f"/staff/documents/{document_id}/review",
    )
    assert response.status_code == 302
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.review_status == "correction_requested"
        assert db.session.scalar(select(Notification).where(Notification.kind == "document_correction"))
    # The list marks that one application (its documents are summed up in one query for the page).
    badge = '<span class="nup-warn">correction</span>'
    assert badge not in listing
    listing = client.get(f"/staff/calls/{open_call}/applications?lang=en").get_data(as_text=True)
    assert listing.count(badge) == 1
    counts = re.findall(r"<td>(\d+)/(\d+)", listing)
    assert len(counts) == 3 and all(have == need and need != "0" for have, need in counts)
    # The applicant can now replace that document, even though the application is submitted.
    owner_client = app.test_client()
    sign_in(owner_client, owners[0].email)
    with app.app_context():
        kind = db.session.get(Document, document_id).kind
        from nup.timeutil import to_kst

        today = to_kst(utcnow()).date().isoformat()
    replaced = submit(
        owner_client,
        f"/applications/{ids[0]}",
        {"kind": kind, "issued_on": today, "file": (io.BytesIO(PDF), "new.pdf")},
        action=f"/applications/{ids[0]}/documents",
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(select(Document).where(Document.application_id == ids[0], Document.kind == kind)).filename
            == "new.pdf"
        )


def test_the_officer_list_paginates_with_the_same_queries_per_page(app, client, make_user, officer, open_call):
    from nup.applications import services
    from nup.timeutil import utcnow

    owners = [make_user("applicant") for _ in range(7)]
    with app.app_context():
        from nup.accounts.models import User

        for owner in owners:
            application_id = complete_application(app, owner, open_call)
            services.submit_application(
                db.session.get(Application, application_id), actor=db.session.get(User, owner.id), now=utcnow()
            )
            db.session.commit()
    sign_in(client, officer.email)
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = client.get(f"/staff/calls/{open_call}/applications?per_page=3&lang=en")
        small = len(statements)
        statements.clear()
        client.get(f"/staff/calls/{open_call}/applications?per_page=7")
        large = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and f"/staff/calls/{open_call}/applications?" in html and "page=2" in html
    assert small == large, (small, large)
    assert client.get(f"/staff/calls/{open_call}/applications?per_page=3&page=3").status_code == 200
