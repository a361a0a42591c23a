"""Mentoring services on the real database: pool, needs, matches, sessions, logs, approvals, money."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.errors import Conflict, DomainError, PermissionDenied
from nup.extensions import db
from nup.mentoring import logs, matches, pool, queries, runs, sessions
from nup.mentoring.models import MatchStatus, Mentor, MentoringSession, MentorMatch, MentorStatus, SessionStatus
from nup.notifications.models import Notification
from nup.reports.digest import digest_figures
from nup.reviews.models import Assignment
from nup.timeutil import utcnow
from tests.cohort import make_cohort_call
from tests.mentoring.conftest import accepted_match, profile, slot

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _application(setup, index: int = 0) -> Application:
    return db.session.get(Application, setup.startups[index].application_id)


def _held_session(setup, match, *, minutes: int = 60) -> MentoringSession:
    """A session that took place yesterday (booked then moved into the past, as time would)."""
    session = sessions.book_session(match, actor=_user(setup.officer.id), values=slot(1, minutes), now=utcnow())
    session.starts_at -= timedelta(days=1)
    session.ends_at -= timedelta(days=1)
    db.session.commit()
    return session


# -------------------------------------------------------------------------------------- pool


def test_joining_is_vetted_and_approval_invites_a_mentor_account(app, mentoring):
    with app.app_context():
        values = profile("오하늘", ["export_sales"], ["VN"], ["ko", "vi"], 8, 90_000)
        applied = pool.apply_to_join(email="Sky@Mentor.example.kr", values=values, now=utcnow())
        db.session.commit()
        assert applied.status == MentorStatus.APPLIED and not applied.active and applied.user_id is None
        with pytest.raises(Conflict):
            pool.apply_to_join(email="sky@mentor.example.kr", values=values, now=utcnow())
        db.session.rollback()
        with pytest.raises(DomainError) as refused:
            pool.vet_mentor(applied, actor=_user(mentoring.officer.id), approve=False, note=" ", now=utcnow())
        assert "note" in refused.value.fields
        pool.vet_mentor(applied, actor=_user(mentoring.officer.id), approve=True, note="10년 경력 확인", now=utcnow())
        db.session.commit()
        user = db.session.get(User, applied.user_id)
        assert user.role == "mentor" and user.email == "sky@mentor.example.kr" and applied.active
        invitation = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
        assert invitation.kind == "staff_invitation"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentor.vetted"))


def test_a_negative_fee_or_capacity_and_unknown_vocabulary_are_refused_and_nothing_changes(app, mentoring):
    with app.app_context():
        mentor = db.session.get(Mentor, mentoring.mentor_ids[0])
        bad = profile("이서연", ["robotics", "astrology"], ["JP", "XX"], [], -5, -1)
        with pytest.raises(DomainError) as refused:
            pool.update_mentor_profile(mentor, actor=_user(mentoring.officer.id), values=bad, now=utcnow())
        assert set(refused.value.fields) == {
            "expertise",
            "countries",
            "languages",
            "monthly_capacity_hours",
            "fee_per_hour",
        }
        db.session.rollback()
        mentor = db.session.get(Mentor, mentoring.mentor_ids[0])
        assert mentor.fee_per_hour == 100_000 and mentor.monthly_capacity_hours == 20
        # A mentor may edit their profile but not their fee: the fee is agreed with the office.
        own = profile("이서연", ["robotics"], ["JP"], ["ko"], 12, 2_000_000)
        pool.update_mentor_profile(mentor, actor=_user(mentoring.mentor_users[0].id), values=own, now=utcnow())
        db.session.commit()
        assert mentor.fee_per_hour == 100_000 and mentor.monthly_capacity_hours == 12
        other = _user(mentoring.mentor_users[1].id)
        with pytest.raises(PermissionDenied):
            pool.update_mentor_profile(
                mentor, actor=other, values=profile("x", ["robotics"], [], ["ko"], 1, 1), now=utcnow()
            )


# -------------------------------------------------------------------------- needs and matching


def test_needs_are_prefilled_from_the_application_and_only_for_selected_startups(app, mentoring, make_user):
    with app.app_context():
        need = matches.need_for(_application(mentoring), now=utcnow())
        assert need.topics == ["robotics", "go_to_market", "export_sales"]
        assert need.markets == ["JP", "US"] and need.languages == ["ko", "en", "ja"] and need.stated_at is None
        founder = _user(mentoring.startups[0].user_id)
        with pytest.raises(DomainError) as refused:
            matches.state_need(
                need, actor=founder, values={"topics": [], "languages": ["xx"], "hours_wanted": 0}, now=utcnow()
            )
        assert set(refused.value.fields) == {"topics", "languages", "hours_wanted"}
        db.session.rollback()
        other_call = make_cohort_call(mentoring.officer.id, title="다른 공고")
        unselected = Application(call_id=other_call, user_id=founder.id, company_name="미선정", status="result")
        db.session.add(unselected)
        db.session.flush()
        with pytest.raises(matches.NotSelected):
            matches.need_for(unselected, now=utcnow())


def test_suggestions_explain_every_point_and_leave_out_conflicts_and_evaluators(app, mentoring, make_user):
    with app.app_context():
        application = _application(mentoring)
        # 정민재 once worked for the company; 박준호 evaluated it (same email as an evaluator account).
        tied = db.session.get(Mentor, mentoring.mentor_ids[3])
        tied.past_employers = ["(주)한빛로보틱스"]
        evaluator = make_user("reviewer", email="junho@mentor.example.kr.eval")
        db.session.get(Mentor, mentoring.mentor_ids[1]).email = evaluator.email
        db.session.add(
            Assignment(
                call_id=mentoring.call_id,
                application_id=application.id,
                reviewer_id=evaluator.id,
                stage="document",
                status="submitted",
            )
        )
        db.session.commit()
        _need, suggestions, conflicted = matches.suggestions_for(application, now=utcnow())
        suggested = [mentor.name for mentor, _s in suggestions]
        assert suggested[0] == "이서연"  # robotics + go-to-market, JP and US, speaks ko and ja
        assert "정민재" not in suggested and "박준호" not in suggested
        reasons = {m.name: why for m, why in conflicted.items()}
        assert reasons["정민재"] == ["past_employer: (주)한빛로보틱스"]
        assert reasons["박준호"] == ["evaluator: evaluated this startup"]
        best = suggestions[0][1]
        assert {r.code for r in best.reasons} >= {"expertise", "market", "language", "capacity", "balance"}
        assert best.score == pytest.approx(sum(r.points for r in best.reasons))
        with pytest.raises(Conflict):
            matches.propose_match(application, tied, actor=_user(mentoring.officer.id), now=utcnow())


def test_a_match_needs_capacity_and_a_double_click_makes_one_match(app, mentoring):
    with app.app_context():
        officer = _user(mentoring.officer.id)
        application = _application(mentoring)
        need = matches.need_for(application, now=utcnow())
        need.hours_wanted = 11
        grace = db.session.get(Mentor, mentoring.mentor_ids[2])  # 10 hours a month
        with pytest.raises(Conflict) as refused:
            matches.propose_match(application, grace, actor=officer, now=utcnow())
        assert "10" in refused.value.message and "11" in refused.value.message
        need.hours_wanted = 4
        first = matches.propose_match(application, grace, actor=officer, now=utcnow())
        again = matches.propose_match(application, grace, actor=officer, now=utcnow())
        db.session.commit()
        assert first.id == again.id and first.status == MatchStatus.PROPOSED
        assert first.reasons and first.score > 0
        mail = db.session.scalar(select(Notification).where(Notification.kind == "mentor_match_proposed"))
        assert mail.to_address == "grace@mentor.example.com"
        with pytest.raises(DomainError):
            matches.respond_match(first, actor=_user(mentoring.mentor_users[2].id), accept=False, note="", now=utcnow())
        with pytest.raises(PermissionDenied):
            matches.respond_match(first, actor=_user(mentoring.mentor_users[0].id), accept=True, note="", now=utcnow())
        matches.respond_match(
            first, actor=_user(mentoring.mentor_users[2].id), accept=False, note="일정 불가", now=utcnow()
        )
        db.session.commit()
        kinds = [
            n.to_address
            for n in db.session.scalars(select(Notification).where(Notification.kind == "mentor_match_answered"))
        ]
        assert sorted(kinds) == sorted([mentoring.startups[0].email, "officer@mss.example.kr"])


# ----------------------------------------------------------------------------------- sessions


def test_booking_sends_both_sides_an_ics_invitation(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = _user(mentoring.startups[0].user_id)
        session = sessions.book_session(match, actor=founder, values=slot(48), now=utcnow())
        db.session.commit()
        mails = db.session.scalars(select(Notification).where(Notification.kind == "mentoring_session_booked")).all()
        assert sorted(m.to_address for m in mails) == sorted([mentoring.startups[0].email, "seoyeon@mentor.example.kr"])
        ics = mails[0].attachments[0]
        assert ics["content_type"] == "text/calendar" and ics["filename"].endswith(".ics")
        assert "METHOD:REQUEST" in ics["content"] and f"mentoring-session-{session.id}@" in ics["content"]
        assert "SEQUENCE:0" in ics["content"]
        sessions.cancel_session(session, actor=founder, reason="일정 변경", now=utcnow())
        db.session.commit()
        cancelled = db.session.scalar(select(Notification).where(Notification.kind == "mentoring_session_cancelled"))
        assert "METHOD:CANCEL" in cancelled.attachments[0]["content"]
        assert "SEQUENCE:1" in cancelled.attachments[0]["content"]


def test_bad_sessions_are_refused_with_the_reason(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = _user(mentoring.startups[0].user_id)
        with pytest.raises(DomainError) as past:
            sessions.book_session(match, actor=founder, values=slot(-2), now=utcnow())
        assert "starts_at" in past.value.fields
        with pytest.raises(DomainError) as place:
            sessions.book_session(match, actor=founder, values=slot(5, mode="in_person", location=""), now=utcnow())
        assert "location" in place.value.fields
        sessions.book_session(match, actor=founder, values=slot(24, 60), now=utcnow())
        db.session.commit()
        # The mentor is busy with another startup at an overlapping time.
        other = accepted_match(mentoring, startup_index=1, mentor_index=0)
        with pytest.raises(sessions.SessionRefused) as overlap:
            sessions.book_session(
                other, actor=_user(mentoring.startups[1].user_id), values=slot(24.5, 60), now=utcnow()
            )
        assert "멘토가 이 시간에 이미 예약" in overlap.value.message  # busy, without saying with whom or when
        # Back to back is fine.
        sessions.book_session(other, actor=_user(mentoring.startups[1].user_id), values=slot(25, 60), now=utcnow())
        db.session.commit()


def test_a_session_that_would_pass_the_cap_is_refused_and_one_that_reaches_it_is_not(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        need = matches.need_for(_application(mentoring), now=utcnow())
        matches.set_allowance(
            need, actor=_user(mentoring.officer.id), hour_cap="2.5", budget_won="10000000", now=utcnow()
        )
        founder = _user(mentoring.startups[0].user_id)
        sessions.book_session(match, actor=founder, values=slot(24, 90), now=utcnow())
        with pytest.raises(sessions.SessionRefused) as over:
            sessions.book_session(match, actor=founder, values=slot(48, 90), now=utcnow())
        assert "1" in over.value.message and "2.5" in over.value.message
        exactly = sessions.book_session(match, actor=founder, values=slot(48, 60), now=utcnow())
        db.session.commit()
        assert queries.usage_of(need.application_id).committed_hours == pytest.approx(2.5)
        assert exactly.status == SessionStatus.SCHEDULED


def test_the_budget_and_the_cap_cannot_be_negative(app, mentoring):
    with app.app_context():
        need = matches.need_for(_application(mentoring), now=utcnow())
        with pytest.raises(DomainError) as refused:
            matches.set_allowance(
                need, actor=_user(mentoring.officer.id), hour_cap="-1", budget_won="-10", now=utcnow()
            )
        assert set(refused.value.fields) == {"hour_cap", "budget_won"}
        db.session.rollback()
        need = matches.need_for(_application(mentoring), now=utcnow())
        assert need.hour_cap == 40 and need.budget_won == 10_000_000


def test_reminders_go_once_a_day_before(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        soon = sessions.book_session(match, actor=_user(mentoring.officer.id), values=slot(20), now=utcnow())
        sessions.book_session(match, actor=_user(mentoring.officer.id), values=slot(60), now=utcnow())
        db.session.commit()
        assert sessions.send_due_reminders(now=utcnow()) == 1
        db.session.commit()
        assert sessions.send_due_reminders(now=utcnow()) == 0
        reminders = db.session.scalars(select(Notification).where(Notification.kind == "mentoring_session_reminder"))
        assert sorted(n.context["session_id"] for n in reminders) == [soon.id, soon.id]


# ---------------------------------------------------------------------------- logs and money


def test_log_confirm_approve_counts_hours_and_fixes_the_fee(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        session = _held_session(mentoring, match, minutes=90)
        mentor_user = _user(mentoring.mentor_users[0].id)
        founder = _user(mentoring.startups[0].user_id)
        with pytest.raises(DomainError) as too_long:
            logs.file_log(
                session, actor=mentor_user, values={"topic": "일본", "advice": "유통", "minutes": 91}, now=utcnow()
            )
        assert "90" in too_long.value.fields["minutes"][0]
        db.session.rollback()
        logs.file_log(
            session,
            actor=mentor_user,
            values={"topic": "일본 유통", "advice": "파트너 3곳 소개", "follow_up": "견적 요청", "minutes": 80},
            now=utcnow(),
        )
        db.session.commit()
        with pytest.raises(Conflict):
            logs.approve_log(session, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        db.session.rollback()
        logs.confirm_log(session, actor=founder, agree=False, note="80분이 아니라 60분이었습니다.", now=utcnow())
        db.session.commit()
        assert session.status == SessionStatus.DISPUTED
        logs.file_log(
            session,
            actor=mentor_user,
            values={"topic": "일본 유통", "advice": "파트너 3곳 소개", "minutes": 60},
            now=utcnow(),
        )
        logs.confirm_log(session, actor=founder, agree=True, note="", now=utcnow())
        db.session.commit()
        assert digest_figures(now=utcnow())["mentoring_logs_to_approve"] == 1  # in the officers' daily digest
        logs.approve_log(session, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        db.session.commit()
        assert session.status == SessionStatus.APPROVED and session.approved_hours == 1.0
        assert session.fee_won == 100_000
        usage = queries.usage_of(session.application_id)
        assert usage.approved_hours == 1.0 and usage.approved_won == 100_000 and usage.pending_hours == 0
        assert queries.approved_hours_by_application() == {session.application_id: 1.0}
        # Raising the fee later does not change what was approved.
        db.session.get(Mentor, mentoring.mentor_ids[0]).fee_per_hour = 200_000
        db.session.commit()
        assert queries.usage_of(session.application_id).approved_won == 100_000


def test_approval_past_the_cap_is_refused_at_the_boundary(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        first = _held_session(mentoring, match, minutes=60)
        second = _held_session(mentoring, match, minutes=60)
        second.starts_at -= timedelta(hours=3)
        second.ends_at -= timedelta(hours=3)
        mentor_user, founder = _user(mentoring.mentor_users[0].id), _user(mentoring.startups[0].user_id)
        for s in (first, second):
            logs.file_log(s, actor=mentor_user, values={"topic": "IR", "advice": "피치", "minutes": 60}, now=utcnow())
            logs.confirm_log(s, actor=founder, agree=True, note="", now=utcnow())
        need = matches.need_for(_application(mentoring), now=utcnow())
        need.hour_cap = 1.5
        db.session.commit()
        logs.approve_log(first, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        db.session.commit()
        with pytest.raises(sessions.SessionRefused) as refused:
            logs.approve_log(second, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        assert "0.5" in refused.value.message and "1.5" in refused.value.message
        db.session.rollback()
        need = matches.need_for(_application(mentoring), now=utcnow())
        need.hour_cap = 2.0  # exactly enough now
        second = db.session.get(MentoringSession, second.id)
        logs.approve_log(second, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        db.session.commit()
        assert queries.usage_of(need.application_id).approved_hours == 2.0


def test_stale_log_window_is_refused_and_ratings_come_once_from_each_side(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        session = _held_session(mentoring, match)
        mentor_user, founder = _user(mentoring.mentor_users[0].id), _user(mentoring.startups[0].user_id)
        old_version = session.version
        logs.file_log(session, actor=mentor_user, values={"topic": "A", "advice": "B", "minutes": 30}, now=utcnow())
        db.session.commit()
        with pytest.raises(logs.StaleLog):
            logs.file_log(
                session,
                actor=mentor_user,
                values={"topic": "C", "advice": "D", "minutes": 30},
                now=utcnow(),
                expected_version=old_version,
            )
        db.session.rollback()
        logs.rate_session(session, actor=founder, stars=5, comment="큰 도움", now=utcnow())
        logs.rate_session(session, actor=mentor_user, stars=4, comment="", now=utcnow())
        db.session.commit()
        with pytest.raises(Conflict):
            logs.rate_session(session, actor=founder, stars=1, comment="", now=utcnow())
        with pytest.raises(DomainError):
            logs.rate_session(session, actor=founder, stars=9, comment="", now=utcnow())


# ------------------------------------------------------------------------------------- runs


def test_bulk_run_previews_then_proposes_and_skips_what_the_officer_leaves_out(app, mentoring):
    with app.app_context():
        officer = _user(mentoring.officer.id)
        run = runs.start_match_run(actor=officer, call_id=None, per_startup=1, now=utcnow())
        db.session.commit()
        assert runs.start_match_run(actor=officer, call_id=None, per_startup=1, now=utcnow()).id == run.id
        runs.compute_match_run(run.id, now=utcnow())
        db.session.commit()
        assert run.status == "ready" and len(run.proposals) == 2
        assert db.session.scalar(select(MentorMatch.id)) is None  # a preview proposes nothing
        skipped = (run.proposals[1]["application_id"], run.proposals[1]["mentor_id"])
        made, refused = runs.commit_match_run(run, actor=officer, skip={skipped}, now=utcnow())
        db.session.commit()
        assert (made, refused) == (1, [])
        match = db.session.scalar(select(MentorMatch))
        assert match.run_id == run.id and match.reasons
        assert runs.commit_match_run(run, actor=officer, skip=set(), now=utcnow()) == (0, [])


# ------------------------------------------------------------------- hardening after review


def test_the_fee_agreed_at_booking_is_what_approval_pays(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        session = _held_session(mentoring, match)
        db.session.get(Mentor, mentoring.mentor_ids[0]).fee_per_hour = 900_000  # changed after booking
        mentor_user, founder = _user(mentoring.mentor_users[0].id), _user(mentoring.startups[0].user_id)
        logs.file_log(session, actor=mentor_user, values={"topic": "A", "advice": "B", "minutes": 60}, now=utcnow())
        logs.confirm_log(session, actor=founder, agree=True, note="", now=utcnow())
        logs.approve_log(session, actor=_user(mentoring.officer.id), approve=True, note="", now=utcnow())
        db.session.commit()
        assert session.fee_per_hour == 100_000 and session.fee_won == 100_000


def test_a_founder_cannot_cancel_a_session_that_started_and_ending_a_match_cancels_what_is_to_come(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = _user(mentoring.startups[0].user_id)
        held = _held_session(mentoring, match)
        with pytest.raises(Conflict):
            sessions.cancel_session(held, actor=founder, reason="안 했어요", now=utcnow())
        db.session.rollback()
        upcoming = sessions.book_session(match, actor=founder, values=slot(72), now=utcnow())
        db.session.commit()
        sessions.end_match(match, actor=_user(mentoring.officer.id), reason="멘토 사정", now=utcnow())
        db.session.commit()
        assert upcoming.status == SessionStatus.CANCELLED
        assert db.session.get(MentoringSession, held.id).status == SessionStatus.SCHEDULED  # the past one stays
        with pytest.raises(Conflict):
            logs.file_log(
                db.session.get(MentoringSession, upcoming.id),
                actor=_user(mentoring.mentor_users[0].id),
                values={"topic": "A", "advice": "B", "minutes": 30},
                now=utcnow(),
            )


def test_self_pick_is_limited_to_suggestions_one_request_at_a_time_and_never_says_why(app, mentoring, make_user):
    with app.app_context():
        application = _application(mentoring)
        application.call.mentoring_self_pick = True
        tied = db.session.get(Mentor, mentoring.mentor_ids[3])
        tied.past_employers = ["한빛로보틱스"]
        db.session.commit()
        founder = _user(mentoring.startups[0].user_id)
        with pytest.raises(Conflict) as refused:
            matches.propose_match(application, tied, actor=founder, now=utcnow())
        assert "한빛로보틱스" not in refused.value.message and "past_employer" not in refused.value.message
        db.session.rollback()
        first = matches.propose_match(
            application, db.session.get(Mentor, mentoring.mentor_ids[0]), actor=founder, now=utcnow()
        )
        db.session.commit()
        assert first.proposed_by_id == founder.id
        with pytest.raises(Conflict):  # wait for the first answer
            matches.propose_match(
                application, db.session.get(Mentor, mentoring.mentor_ids[2]), actor=founder, now=utcnow()
            )


def test_the_calendar_method_comes_from_the_session_not_from_its_text(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = _user(mentoring.startups[0].user_id)
        sessions.book_session(match, actor=founder, values=slot(30, agenda="METHOD:CANCEL"), now=utcnow())
        db.session.commit()
        mail = db.session.scalar(select(Notification).where(Notification.kind == "mentoring_session_booked"))
        assert mail.attachments[0]["method"] == "REQUEST"
        from nup.notifications.delivery import render

        [part] = [p for p in render(mail).walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"


def test_invitations_are_in_utc_even_when_the_form_gave_korean_time(app, mentoring):
    from nup.timeutil import KST

    with app.app_context():
        match = accepted_match(mentoring)
        start = (utcnow() + timedelta(days=2)).astimezone(KST).replace(hour=10, minute=0, second=0, microsecond=0)
        values = {**slot(0), "starts_at": start}
        sessions.book_session(match, actor=_user(mentoring.startups[0].user_id), values=values, now=utcnow())
        db.session.commit()
        ics = db.session.scalar(
            select(Notification).where(Notification.kind == "mentoring_session_booked")
        ).attachments[0]["content"]
        assert "TZID" not in ics  # no VTIMEZONE is sent, so no local time may be either
        assert f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%S}Z" in ics


def test_moving_a_session_sends_an_updated_invitation_and_keeps_the_rules(app, mentoring):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = _user(mentoring.startups[0].user_id)
        session = sessions.book_session(match, actor=founder, values=slot(48), now=utcnow())
        db.session.commit()
        with pytest.raises(DomainError) as no_reason:
            sessions.reschedule_session(session, actor=founder, values=slot(72), reason=" ", now=utcnow())
        assert "reason" in no_reason.value.fields
        db.session.rollback()
        session = db.session.get(MentoringSession, session.id)
        with pytest.raises(DomainError):  # not into the past either
            sessions.reschedule_session(session, actor=founder, values=slot(-1), reason="일정 충돌", now=utcnow())
        db.session.rollback()
        session = db.session.get(MentoringSession, session.id)
        sessions.reschedule_session(session, actor=founder, values=slot(72, 90), reason="일정 충돌", now=utcnow())
        db.session.commit()
        assert session.sequence == 1 and session.scheduled_minutes == 90
        moved = db.session.scalars(select(Notification).where(Notification.kind == "mentoring_session_changed")).all()
        assert len(moved) == 2 and all("SEQUENCE:1" in m.attachments[0]["content"] for m in moved)
        assert {m.context["reason"] for m in moved} == {"일정 충돌"}
