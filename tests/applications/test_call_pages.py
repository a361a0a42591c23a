"""Officers create, edit, publish and close a call through the pages."""

import re

from sqlalchemy import select

from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.programmes.models import Call
from tests.conftest import csrf_token, sign_in, submit


def _form_fields(html: str) -> dict:
    """The prefilled values of the new-call form, as a browser would send them back."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        fields[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?([^<]*)</textarea>', html):
        fields[name] = value.replace("&#39;", "'").replace("&amp;", "&")
    fields["allowed_applicant_types"] = ["sole_trader", "company"]
    fields["check_declarations"] = "y"
    fields["check_duplicate_support"] = "y"
    return fields


def test_an_officer_creates_publishes_and_closes_a_call(app, client, officer):
    sign_in(client, officer.email)
    html = client.get("/staff/calls/new").get_data(as_text=True)
    assert "physical_ai_robotics" in html and "problem" in html  # the PSST defaults are there
    fields = _form_fields(html)
    fields.update(
        {
            "title_ko": "2027 N-Up 모집공고",
            "title_en": "N-Up 2027",
            "announced_on": "2027-01-05",
            "opens_at": "2027-01-10T09:00",
            "closes_at": "2027-02-10T18:00",
        }
    )
    created = client.post("/staff/calls/new", data={**fields, "csrf_token": csrf_token(client, "/staff/calls/new")})
    assert created.status_code == 302, created.get_data(as_text=True)[-3000:]
    with app.app_context():
        call = db.session.scalar(select(Call))
        assert call.status == "draft" and call.closes_at.hour == 9  # 18:00 KST is 09:00 UTC
        assert [c["key"] for c in call.rubric] == ["problem", "solution", "scale_up", "team"]
        call_id = call.id
    assert client.get(f"/calls/{call_id}").status_code == 200  # officers preview drafts
    assert app.test_client().get(f"/calls/{call_id}").status_code == 404  # the public cannot see them yet
    submit(client, f"/staff/calls/{call_id}/edit", {}, action=f"/staff/calls/{call_id}/publish")
    submit(client, f"/staff/calls/{call_id}/edit", {}, action=f"/staff/calls/{call_id}/close")
    with app.app_context():
        assert db.session.get(Call, call_id).status == "closed"
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("call.%")).order_by(AuditEvent.id)
        ).all()
        assert actions == ["call.created", "call.published", "call.closed"]
    edit = submit(client, f"/staff/calls/{call_id}/edit?lang=en", {**fields, "title_ko": "바뀜"})
    assert "A closed call cannot be edited" in edit.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Call, call_id).title_ko == "2027 N-Up 모집공고"  # a closed call does not change


def test_call_form_errors_are_shown_and_keep_the_input(app, client, officer):
    sign_in(client, officer.email)
    fields = _form_fields(client.get("/staff/calls/new").get_data(as_text=True))
    fields.update(
        {
            "title_ko": "잘못된 공고",
            "announced_on": "2027-01-05",
            "opens_at": "2027-02-10T09:00",
            "closes_at": "2027-01-10T18:00",
            "rubric": "problem | 문제 | Problem | lots | 1",
        }
    )
    response = submit(client, "/staff/calls/new?lang=en", fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Line 1 is not in the expected form" in html
    assert 'value="잘못된 공고"' in html
    fields["rubric"] = "problem | 문제 | Problem | 30 | 1"
    response = submit(client, "/staff/calls/new?lang=en", fields)
    assert "The call must close after it opens" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Call)).all() == []
