"""A registration number another company already gave: the founder is told nothing, officers see it.

Founder A submits with a number; founder B uses the same number and founder C a fresh
one. Everything B sees (pages and API) is what C sees, once the values that naturally
differ (ids, names, numbers, tokens) are replaced by placeholders. Officers see A and B
flagged, each linking to the other, and the flag is in the audit log.
"""

import re

import time_machine
from sqlalchemy import select

from nup.applications import services
from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.timeutil import utcnow
from tests.applications.conftest import COMPANY, brn_for, complete_application, founded_years_ago
from tests.conftest import sign_in, submit

HINTS = ("already uses", "another application", "duplicate registration", "other applications to this call")


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _normalise(text: str, replacements: dict[str, str]) -> str:
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1TOKEN"', text)
    text = re.sub(r'(<meta name="csrf-token" content=")[^"]+"', r'\1TOKEN"', text)
    for value, placeholder in sorted(replacements.items(), key=lambda item: -len(item[0])):
        text = text.replace(value, placeholder)
    # Row ids sit in URLs and data attributes; they differ by one between B and C.
    return re.sub(r"/(applications|documents)/\d+", r"/\1/ID", text)


def _dashed(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def _submit_as(app, user, application_id: int):
    from nup.accounts.models import User

    with app.app_context():
        application = db.session.get(Application, application_id)
        services.submit_application(application, actor=db.session.get(User, user.id), now=utcnow())
        db.session.commit()
        return application.receipt_number


def _json_without(body: dict, *keys: str) -> dict:
    body = {k: v for k, v in body.items() if k not in keys}
    body["company"] = {k: v for k, v in body["company"].items() if k != "business_registration_number"}
    body["documents"] = [{k: v for k, v in d.items() if k not in ("id", "uploaded_at")} for d in body["documents"]]
    return body


def test_the_second_founder_sees_nothing_and_officers_see_both_flagged(app, make_user, officer, open_call, api_token):
    first = make_user("applicant", name="첫째 대표")
    second = make_user("applicant", name="같은 이름")
    fresh = make_user("applicant", name="같은 이름")
    number = brn_for(first.id)
    other_number = brn_for(fresh.id)
    first_id = complete_application(app, first, open_call)
    _submit_as(app, first, first_id)

    with time_machine.travel(utcnow(), tick=False):
        # The company page: B gives A's number, C a fresh one; both get the same answer.
        pages = {}
        for user, given in ((second, number), (fresh, other_number)):
            client = app.test_client()
            sign_in(client, user.email)
            started = submit(client, f"/calls/{open_call}", {}, action=f"/calls/{open_call}/apply")
            application_id = int(started.headers["Location"].split("/applications/")[1].split("/")[0])
            page = f"/applications/{application_id}/edit/company?lang=en"
            values = {**COMPANY, "business_registration_number": _dashed(given), "founded_on": founded_years_ago(5)}
            saved = submit(client, page, {**values, "save": "1"})
            again = client.get(page)
            pages[user.id] = (client, application_id, saved, again)
        (b_client, b_id, b_saved, b_page), (c_client, c_id, c_saved, c_page) = pages[second.id], pages[fresh.id]
        assert b_saved.status_code == c_saved.status_code == 302
        assert b_saved.headers["Location"].replace(str(b_id), "ID") == c_saved.headers["Location"].replace(
            str(c_id), "ID"
        )
        b_html = b_page.get_data(as_text=True)
        c_html = c_page.get_data(as_text=True)
        assert _normalise(b_html, {second.email: "EMAIL", _dashed(number): "NUM", number: "NUM"}) == _normalise(
            c_html, {fresh.email: "EMAIL", _dashed(other_number): "NUM", other_number: "NUM"}
        )
        assert not any(hint in b_html.lower() for hint in HINTS)
        with app.app_context():
            assert db.session.get(Application, b_id).business_registration_number == number

        # The API: a draft created with the number, by two more founders.
        api_answers = []
        for given in (number, brn_for(first.id + 1000)):
            founder = make_user("applicant")
            created = app.test_client().post(
                f"/api/v1/calls/{open_call}/applications",
                headers=_auth(api_token(founder)),
                json={"company": {"name": "Same Co", "business_registration_number": given}},
            )
            api_answers.append(created)
        assert [r.status_code for r in api_answers] == [201, 201]
        assert _json_without(api_answers[0].get_json(), "id", "created_at", "updated_at") == _json_without(
            api_answers[1].get_json(), "id", "created_at", "updated_at"
        )
        assert "duplicate_registration_number" not in api_answers[0].get_json()

        # Submission: B and C complete and submit through the API; the answers match.
        complete_application(app, second, open_call, business_registration_number=number)
        complete_application(app, fresh, open_call, business_registration_number=other_number)
        answers = {}
        for user, application_id in ((second, b_id), (fresh, c_id)):
            response = app.test_client().post(
                f"/api/v1/applications/{application_id}/submit", headers=_auth(api_token(user))
            )
            assert response.status_code == 200, response.get_json()
            answers[user.id] = response.get_json()
        b_body, c_body = answers[second.id], answers[fresh.id]
        assert "duplicate_registration_number" not in b_body
        ignored = ("id", "receipt_number", "created_at", "updated_at", "submitted_at")
        assert _json_without(b_body, *ignored) == _json_without(c_body, *ignored)
        owner_view = app.test_client().get(f"/api/v1/applications/{b_id}", headers=_auth(api_token(second)))
        assert "duplicate_registration_number" not in owner_view.get_json()
        # B's own pages after submission: the same as C's.
        receipts = {second.id: b_body["receipt_number"], fresh.id: c_body["receipt_number"]}
        for path in ("/applications/{id}?lang=en", "/applications/{id}/receipt?lang=en", "/dashboard?lang=en"):
            b_text = b_client.get(path.format(id=b_id)).get_data(as_text=True)
            c_text = c_client.get(path.format(id=c_id)).get_data(as_text=True)
            assert not any(hint in b_text.lower() for hint in HINTS), path
            b_norm = _normalise(
                b_text, {second.email: "EMAIL", _dashed(number): "NUM", number: "NUM", receipts[second.id]: "RCPT"}
            )
            c_norm = _normalise(
                c_text,
                {fresh.email: "EMAIL", _dashed(other_number): "NUM", other_number: "NUM", receipts[fresh.id]: "RCPT"},
            )
            assert b_norm == c_norm, path

    # Officers: A and B flagged, each linking to the other; C not.
    staff = app.test_client()
    sign_in(staff, officer.email)
    listing = staff.get(f"/staff/calls/{open_call}/applications?lang=en").get_data(as_text=True)
    rows = {
        row_id: next(row for row in listing.split("<tr>") if f'<td><a href="/staff/applications/{row_id}">' in row)
        for row_id in (first_id, b_id, c_id)
    }
    assert "duplicate registration number" in rows[first_id] and f"/staff/applications/{b_id}" in rows[first_id]
    assert "duplicate registration number" in rows[b_id] and f"/staff/applications/{first_id}" in rows[b_id]
    assert "duplicate registration number" not in rows[c_id]
    detail = staff.get(f"/staff/applications/{b_id}?lang=en").get_data(as_text=True)
    assert "Duplicate registration number" in detail and f'href="/staff/applications/{first_id}"' in detail
    assert "Duplicate registration number" not in staff.get(f"/staff/applications/{c_id}?lang=en").get_data(
        as_text=True
    )
    officer_api = _auth(api_token(officer))
    flags = {
        application_id: app.test_client()
        .get(f"/api/v1/applications/{application_id}", headers=officer_api)
        .get_json()["duplicate_registration_number"]
        for application_id in (first_id, b_id, c_id)
    }
    assert flags[first_id] == {"flagged": True, "application_ids": [b_id]}
    assert flags[b_id] == {"flagged": True, "application_ids": [first_id]}
    assert flags[c_id] == {"flagged": False, "application_ids": []}
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "application.duplicate_registration_number")
        ).all()
        assert [(e.object_id, e.after["shared_with"]) for e in events] == [(str(b_id), [first_id])]


def test_drafts_and_withdrawn_applications_are_not_counted(app, make_user, open_call):
    from nup.accounts.models import User
    from nup.applications import queries

    first, second = make_user("applicant"), make_user("applicant")
    number = brn_for(first.id)
    first_id = complete_application(app, first, open_call)
    second_id = complete_application(app, second, open_call, business_registration_number=number)
    with app.app_context():
        assert queries.shared_registration_numbers(open_call, [first_id, second_id]) == {}
    _submit_as(app, first, first_id)
    with app.app_context():
        assert queries.shared_registration_numbers(open_call, [first_id, second_id]) == {}  # B still a draft
    _submit_as(app, second, second_id)
    with app.app_context():
        shared = queries.shared_registration_numbers(open_call, [first_id, second_id])
        assert {k: [a.id for a in v] for k, v in shared.items()} == {first_id: [second_id], second_id: [first_id]}
        services.withdraw_application(
            db.session.get(Application, first_id), actor=db.session.get(User, first.id), now=utcnow()
        )
        db.session.commit()
        assert queries.shared_registration_numbers(open_call, [first_id, second_id]) == {}
