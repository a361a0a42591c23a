"""Mentoring on the real worker, broker and SMTP server: a bulk match run, and invitations with an .ics."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.mentoring import runs, sessions
from nup.mentoring.models import MatchRun, MentorMatch
from nup.timeutil import utcnow
from tests.conftest import wait_for
from tests.mentoring.conftest import accepted_match, slot

pytestmark = pytest.mark.integration


def test_the_worker_computes_a_bulk_match_run_and_nothing_is_proposed_before_commit(
    app,
    mentoring,
    smtp_worker,
):
    with app.app_context():
        run = runs.start_match_run(
            actor=db.session.get(User, mentoring.officer.id), call_id=None, per_startup=1, now=utcnow()
        )
        db.session.commit()
        run_id = run.id

    def finished():
        with app.app_context():
            found = db.session.get(MatchRun, run_id)
            return found.status if found.status not in ("queued", "running") else None

    assert wait_for(finished, what="the worker to compute the match run") == "ready"
    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        assert len(run.proposals) == 2 and all(p["reasons"] for p in run.proposals)
        assert db.session.scalar(select(MentorMatch.id)) is None


def test_a_booked_session_reaches_both_sides_by_smtp_with_a_calendar_invitation(
    app,
    mentoring,
    smtp_sink,
    smtp_worker,
):
    with app.app_context():
        match = accepted_match(mentoring)
        founder = db.session.get(User, mentoring.startups[0].user_id)
        session = sessions.book_session(match, actor=founder, values=slot(48), now=utcnow())
        db.session.commit()
        session_id = session.id

    def invitations():
        found = [m for m in smtp_sink.messages if any(p.get_content_type() == "text/calendar" for p in m.walk())]
        return found if len(found) >= 2 else None

    received = wait_for(invitations, what="two invitations with an .ics at the SMTP server")
    assert sorted(m["To"] for m in received) == sorted([mentoring.startups[0].email, "seoyeon@mentor.example.kr"])
    for message in received:
        [calendar] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert calendar.get_filename() == f"mentoring-{session_id}.ics"
        assert calendar.get_param("method") == "REQUEST"
        body = calendar.get_content()
        assert "BEGIN:VEVENT" in body and f"UID:mentoring-session-{session_id}@nup.mss.go.kr" in body
