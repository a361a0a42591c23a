"""Mentoring pages and API through the Flask client: who sees what, forms with CSRF, statements, OpenAPI."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.mentoring import logs, sessions
from nup.mentoring.models import Mentor, MentoringSession, MentorStatus, SessionStatus
from nup.timeutil import KST, utcnow
from tests.conftest import assert_not_stored, login_as, submit
from tests.mentoring.conftest import accepted_match, slot


def _approved_session(app, setup) -> int:
    """A session held yesterday, logged, confirmed and approved; returns its id."""
    with app.app_context():
        match = accepted_match(setup)
        officer = db.session.get(User, setup.officer.id)
        session = sessions.book_session(match, actor=officer, values=slot(1, 60), now=utcnow())
        session.starts_at -= timedelta(days=1)
        session.ends_at -= timedelta(days=1)
        mentor_user = db.session.get(User, setup.mentor_users[0].id)
        founder = db.session.get(User, setup.startups[0].user_id)
        logs.file_log(
            session,
            actor=mentor_user,
            values={"topic": '=HYPERLINK("x")', "advice": "파트너 소개", "minutes": 60},
            now=utcnow(),
        )
        logs.confirm_log(session, actor=founder, agree=True, note="", now=utcnow())
        logs.approve_log(session, actor=officer, approve=True, note="", now=utcnow())
        db.session.commit()
        return session.id


def test_officer_pages_render_in_both_languages(app, client, mentoring):
    session_id = _approved_session(app, mentoring)
    login_as(client, mentoring.officer)
    application_id = mentoring.startups[0].application_id
    pages = [
        "/staff/mentoring/",
        "/staff/mentoring/pool",
        "/staff/mentoring/pool?status=applied",
        f"/staff/mentoring/pool/{mentoring.mentor_ids[0]}",
        f"/staff/mentoring/startups/{application_id}",
        "/staff/mentoring/approvals",
        "/staff/mentoring/review",
        "/staff/mentoring/statements",
        f"/mentoring/sessions/{session_id}",
    ]
    for language in ("ko", "en"):
        for page in pages:
            response = client.get(page + ("&" if "?" in page else "?") + f"lang={language}")
            assert response.status_code == 200, page
    english = client.get(f"/staff/mentoring/startups/{application_id}?lang=en").get_data(as_text=True)
    assert "Suggested mentors" in english and "이서연" in english and "Expertise" in english
    korean = client.get(f"/staff/mentoring/startups/{application_id}?lang=ko").get_data(as_text=True)
    assert "추천 멘토" in korean
    assert "분야를 다룹니다" in korean and "go_to_market" not in korean  # reasons in the reader's language
    assert "Covers " in english and "Go-to-market" in english


def test_statement_xlsx_has_the_month_and_is_formula_safe(app, client, mentoring):
    _approved_session(app, mentoring)
    login_as(client, mentoring.officer)
    month = utcnow().astimezone(KST).strftime("%Y-%m")  # the month of approval, when the fee is paid
    response = client.get(f"/staff/mentoring/statements.xlsx?month={month}")
    assert response.status_code == 200
    assert_not_stored(response)
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["By mentor", "By startup", "Sessions", "Hours vs cap"]
    by_mentor = list(workbook["By mentor"].values)
    assert by_mentor[1] == ("이서연", 1, 1, 100000)
    sessions_sheet = list(workbook["Sessions"].values)
    assert sessions_sheet[1][3].startswith("'=")  # a log's text never runs as a formula


def test_startup_and_mentor_see_only_their_own(app, client, mentoring, make_user):
    with app.app_context():
        match = accepted_match(mentoring)
        session = sessions.book_session(
            match, actor=db.session.get(User, mentoring.officer.id), values=slot(30), now=utcnow()
        )
        db.session.commit()
        session_id = session.id
    with app.app_context():
        other_founder = db.session.get(User, mentoring.startups[1].user_id)
        db.session.expunge(other_founder)
    login_as(client, other_founder)
    # Another's session or startup is as good as not there (404), not a refusal that tells it exists.
    assert client.get(f"/mentoring/sessions/{session_id}").status_code == 404
    assert client.get(f"/mentoring/startup/{mentoring.startups[0].application_id}").status_code == 404
    assert client.get(f"/mentoring/startup/{mentoring.startups[1].application_id}").status_code == 200
    login_as(client, mentoring.mentor_users[1])
    assert client.get(f"/mentoring/sessions/{session_id}").status_code == 404
    assert client.get("/staff/mentoring/").status_code == 403
    login_as(client, mentoring.mentor_users[0])
    page = client.get("/mentoring/").get_data(as_text=True)
    assert "한빛로보틱스" in page and "모빌리티랩" not in page


def test_join_form_validates_and_records_the_request(app, client, mentoring):
    page = "/mentoring/join?lang=en"
    values = {
        "email": "new@mentor.example.kr",
        "name": "새 멘토",
        "expertise": "robotics",
        "languages": "ko",
        "years_experience": "12",
        "monthly_capacity_hours": "8",
        "fee_per_hour": "100000",
        "consent": "y",
    }
    bad = submit(client, page, {**values, "fee_per_hour": "-100"})
    assert bad.status_code == 200 and "cannot be negative" in bad.get_data(as_text=True)
    no_consent = submit(client, page, {k: v for k, v in values.items() if k != "consent"})
    assert "This consent is required." in no_consent.get_data(as_text=True)
    good = submit(client, page, values)
    assert "Request received" in good.get_data(as_text=True)
    with app.app_context():
        mentor = db.session.scalar(select(Mentor).where(Mentor.email == "new@mentor.example.kr"))
        assert mentor.status == MentorStatus.APPLIED and mentor.fee_per_hour == 100_000 and mentor.consented_at
    # Asking again with a known address looks the same: the form never tells who is in the pool.
    again = submit(client, page, {**values, "email": "seoyeon@mentor.example.kr"})
    assert "Request received" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Mentor)) == 5


def test_the_whole_flow_through_forms(app, client, mentoring):
    application_id = mentoring.startups[0].application_id
    login_as(client, mentoring.officer)
    page = f"/staff/mentoring/startups/{application_id}"
    response = submit(
        client,
        page,
        {"mentor_id": str(mentoring.mentor_ids[0])},
        action=f"/staff/mentoring/startups/{application_id}/match",
    )
    assert response.status_code == 302
    login_as(client, mentoring.mentor_users[0])
    with app.app_context():
        from nup.mentoring.models import MentorMatch

        match_id = db.session.scalar(select(MentorMatch.id))
    assert (
        submit(
            client, "/mentoring/", {"decision": "accept"}, action=f"/mentoring/matches/{match_id}/respond"
        ).status_code
        == 302
    )
    founder = mentoring.startups[0]
    with app.app_context():
        founder_user = db.session.get(User, founder.user_id)
        db.session.expunge(founder_user)
    login_as(client, founder_user)
    start = (utcnow() + timedelta(days=2)).astimezone(KST).strftime("%Y-%m-%dT10:00")
    booked = submit(
        client,
        f"/mentoring/matches/{match_id}/book",
        {"starts_at": start, "minutes": "60", "mode": "online", "location": "", "agenda": "IR 피칭"},
    )
    assert booked.status_code == 302, booked.get_data(as_text=True)[:2000]
    past = (utcnow() - timedelta(days=2)).astimezone(KST).strftime("%Y-%m-%dT10:00")
    refused = submit(
        client, f"/mentoring/matches/{match_id}/book?lang=en", {"starts_at": past, "minutes": "60", "mode": "online"}
    )
    assert refused.status_code == 422 and "cannot be booked in the past" in refused.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(select(MentoringSession))
        assert session.status == SessionStatus.SCHEDULED and session.starts_at.astimezone(KST).hour == 10
        ics = client.get(f"/mentoring/sessions/{session.id}/invite.ics")
        assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
        assert "attachment" in ics.headers["Content-Disposition"]
        assert_not_stored(ics)


def test_api_covers_mentors_matches_sessions_and_logs(app, client, mentoring, api_token):
    officer = {"Authorization": f"Bearer {api_token(mentoring.officer)}"}
    mentor = {"Authorization": f"Bearer {api_token(mentoring.mentor_users[0])}"}
    with app.app_context():
        founder_user = db.session.get(User, mentoring.startups[0].user_id)
        db.session.expunge(founder_user)
    founder = {"Authorization": f"Bearer {api_token(founder_user)}"}
    application_id = mentoring.startups[0].application_id

    listing = client.get("/api/v1/mentors?status=approved", headers=officer).get_json()
    assert listing["total"] == 4
    assert client.get("/api/v1/mentors", headers=founder).status_code == 403
    negative = client.post(
        "/api/v1/mentors",
        headers=officer,
        json={
            "email": "x@mentor.example.kr",
            "name": "X",
            "expertise": ["robotics"],
            "languages": ["ko"],
            "fee_per_hour": -1,
        },
    )
    assert negative.status_code == 422 and "fee_per_hour" in negative.get_json()["error"]["fields"]

    suggestions = client.get(f"/api/v1/applications/{application_id}/mentor-suggestions", headers=officer).get_json()
    best = suggestions["items"][0]
    assert best["name"] == "이서연" and {r["code"] for r in best["reasons"]} >= {"expertise", "market"}
    match = client.post(
        "/api/v1/matches", headers=officer, json={"application_id": application_id, "mentor_id": best["mentor_id"]}
    )
    assert match.status_code == 201
    match_id = match.get_json()["id"]
    assert client.post(f"/api/v1/matches/{match_id}/respond", headers=mentor, json={"accept": True}).status_code == 200
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0).isoformat()
    booked = client.post(
        "/api/v1/sessions", headers=founder, json={"match_id": match_id, "starts_at": starts, "minutes": 60}
    )
    assert booked.status_code == 201, booked.get_json()
    session_id = booked.get_json()["id"]
    overlap = client.post(
        "/api/v1/sessions", headers=founder, json={"match_id": match_id, "starts_at": starts, "minutes": 30}
    )
    assert overlap.status_code == 409 and overlap.get_json()["error"]["code"] == "session_refused"
    early = client.put(
        f"/api/v1/sessions/{session_id}/log", headers=mentor, json={"topic": "A", "advice": "B", "minutes": 30}
    )
    assert early.status_code == 409
    assert client.get(f"/api/v1/sessions/{session_id}", headers=mentor).get_json()["status"] == "scheduled"
    assert client.get("/api/v1/sessions", headers=founder).get_json()["total"] == 1
    other = {"Authorization": f"Bearer {api_token(mentoring.mentor_users[1])}"}
    assert client.get("/api/v1/sessions", headers=other).get_json()["total"] == 0
    assert client.get(f"/api/v1/sessions/{session_id}", headers=other).status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/mentors",
        "/matches",
        "/sessions",
        "/sessions/{session_id}/log",
        "/sessions/{session_id}/approve",
        "/mentoring/runs",
    ):
        assert "/api/v1" + path in spec["paths"], path


def test_startups_pick_their_own_mentor_only_where_the_call_allows_it(app, client, mentoring):
    application_id = mentoring.startups[0].application_id
    with app.app_context():
        founder = db.session.get(User, mentoring.startups[0].user_id)
        db.session.expunge(founder)
    login_as(client, founder)
    pick = f"/mentoring/startup/{application_id}/pick/{mentoring.mentor_ids[0]}"
    home = f"/mentoring/startup/{application_id}"
    assert "/pick/" not in client.get(home).get_data(as_text=True)
    submit(client, home, {}, action=pick)
    with app.app_context():
        from nup.mentoring.models import MentorMatch

        assert db.session.scalar(select(MentorMatch.id)) is None  # refused: officers pick for this call
    login_as(client, mentoring.officer)
    assert (
        submit(
            client, "/staff/mentoring/", {"active": "1"}, action=f"/staff/mentoring/calls/{mentoring.call_id}/self-pick"
        ).status_code
        == 302
    )
    login_as(client, founder)
    page = client.get(home + "?lang=en").get_data(as_text=True)
    assert "Ask this mentor" in page
    assert submit(client, home, {}, action=pick).status_code == 302
    with app.app_context():
        match = db.session.scalar(select(MentorMatch))
        assert match.mentor_id == mentoring.mentor_ids[0] and match.proposed_by_id == founder.id


def test_a_patch_changes_only_what_it_sends_and_a_mentor_cannot_set_their_fee(app, client, mentoring, api_token):
    with app.app_context():
        mentor = db.session.get(Mentor, mentoring.mentor_ids[0])
        mentor.past_employers, mentor.investments = ["(주)한빛로보틱스"], ["모빌리티랩"]
        db.session.commit()
    own = {"Authorization": f"Bearer {api_token(mentoring.mentor_users[0])}"}
    response = client.patch(
        f"/api/v1/mentors/{mentoring.mentor_ids[0]}",
        headers=own,
        json={"monthly_capacity_hours": 12, "fee_per_hour": 2_000_000},
    )
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        mentor = db.session.get(Mentor, mentoring.mentor_ids[0])
        assert mentor.past_employers == ["(주)한빛로보틱스"] and mentor.investments == ["모빌리티랩"]
        assert mentor.monthly_capacity_hours == 12 and mentor.fee_per_hour == 100_000
        assert mentor.countries == ["JP", "US"]
    other = {"Authorization": f"Bearer {api_token(mentoring.mentor_users[1])}"}
    assert (
        client.patch(f"/api/v1/mentors/{mentoring.mentor_ids[0]}", headers=other, json={"name": "x"}).status_code == 403
    )


def test_allowance_errors_stay_on_the_form_and_a_stuck_run_can_be_discarded_or_is_given_up(app, client, mentoring):
    from nup.mentoring import runs
    from nup.mentoring.models import MatchRun

    login_as(client, mentoring.officer)
    page = f"/staff/mentoring/startups/{mentoring.startups[0].application_id}?lang=en"
    refused = submit(
        client,
        page,
        {"hour_cap": "-3", "budget_won": "-500000"},
        action=f"/staff/mentoring/startups/{mentoring.startups[0].application_id}/allowance?lang=en",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="-3"' in html and "cannot be negative" in html
    with app.app_context():
        officer = db.session.get(User, mentoring.officer.id)
        stuck = runs.start_match_run(actor=officer, call_id=None, per_startup=1, now=utcnow() - timedelta(minutes=30))
        db.session.commit()
        fresh = runs.start_match_run(actor=officer, call_id=None, per_startup=1, now=utcnow())
        db.session.commit()
        assert fresh.id != stuck.id and db.session.get(MatchRun, stuck.id).status == "failed"
        fresh_id = fresh.id
    assert "Discard" in client.get(f"/staff/mentoring/runs/{fresh_id}?lang=en").get_data(as_text=True)
    assert (
        submit(
            client, f"/staff/mentoring/runs/{fresh_id}", {}, action=f"/staff/mentoring/runs/{fresh_id}/discard"
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(MatchRun, fresh_id).status == "discarded"


def test_the_founders_menu_leads_to_their_mentoring(app, client, mentoring):
    with app.app_context():
        founder = db.session.get(User, mentoring.startups[0].user_id)
        db.session.expunge(founder)
    login_as(client, founder)
    response = client.get("/mentoring/mine")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mentoring/startup/{mentoring.startups[0].application_id}")
    assert 'href="/mentoring/mine"' in client.get("/dashboard").get_data(as_text=True)


def test_the_mentors_page_reads_the_same_number_of_statements_for_one_session_or_six(app, client, mentoring):
    from sqlalchemy import event

    login_as(client, mentoring.mentor_users[0])

    def statements() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(1)  # noqa: E731 - a counter for this test only
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/mentoring/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    with app.app_context():
        match = accepted_match(mentoring)
        sessions.book_session(match, actor=db.session.get(User, mentoring.officer.id), values=slot(30), now=utcnow())
        db.session.commit()
        match_id = match.id
    one = statements()
    with app.app_context():
        other = accepted_match(mentoring, startup_index=1)
        for hours in (50, 70, 90, 110):
            sessions.book_session(
                other, actor=db.session.get(User, mentoring.officer.id), values=slot(hours), now=utcnow()
            )
        sessions.book_session(
            db.session.get(type(match), match_id),
            actor=db.session.get(User, mentoring.officer.id),
            values=slot(130),
            now=utcnow(),
        )
        db.session.commit()
    assert statements() == one


def test_api_moves_and_cancels_a_session(app, client, mentoring, api_token):
    with app.app_context():
        match = accepted_match(mentoring)
        session = sessions.book_session(
            match, actor=db.session.get(User, mentoring.officer.id), values=slot(48), now=utcnow()
        )
        db.session.commit()
        session_id = session.id
    mentor = {"Authorization": f"Bearer {api_token(mentoring.mentor_users[0])}"}
    later = (utcnow() + timedelta(days=4)).replace(microsecond=0).isoformat()
    moved = client.post(
        f"/api/v1/sessions/{session_id}/reschedule",
        headers=mentor,
        json={"starts_at": later, "minutes": 60, "reason": "출장"},
    )
    assert moved.status_code == 200 and moved.get_json()["starts_at"].startswith(later[:16])
    assert client.post(f"/api/v1/sessions/{session_id}/cancel", headers=mentor, json={}).status_code == 422
    cancelled = client.post(f"/api/v1/sessions/{session_id}/cancel", headers=mentor, json={"reason": "취소"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
