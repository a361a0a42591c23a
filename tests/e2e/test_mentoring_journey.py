"""The mentoring journey in a real browser, in Korean and English: an officer matches a selected
startup with a mentor, the mentor accepts, the founder books a session (a time in the past is
refused first), both get a calendar invitation, the mentor files the log, the founder confirms it,
the officer approves it and the approved hour shows on the founder's and the officer's pages.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from nup.extensions import db
from nup.mentoring.models import MentoringSession
from nup.timeutil import to_kst, utcnow
from tests.conftest import mail_messages, wait_for
from tests.e2e.conftest import translator
from tests.e2e.test_application_journeys import ON_A_DESKTOP, choose, click, message, sign_in, snap, text_of
from tests.mentoring.conftest import mentoring  # noqa: F401 - selected startups and a mentor pool

pytestmark = pytest.mark.e2e

LANGUAGES = ["ko", "en"]
MENTOR = "이서연"  # the fixture's first mentor: robotics and go-to-market, knows JP and US, 100,000 won an hour
COMPANY = "한빛로보틱스"  # the fixture's first startup: robotics, targets JP and US


def signed_in_as(new_context, live_server, _, lang: str, email: str, lands_on: str) -> Page:
    """A browser of its own for one person, signed in through the sign-in page."""
    page = new_context().new_page()
    page.goto(live_server.url(f"/login?lang={lang}"))
    sign_in(page, _, email)
    expect(page).to_have_url(re.compile(lands_on))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    return page


def main(page: Page):
    return page.get_by_role("main")


def heading(page: Page, text: str):
    return main(page).get_by_role("heading", name=text, exact=True)


def labelled(scope, text: str):
    """The control a label names (the label of a required field ends in an asterisk)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}( \*)?$"))


def approved_hours(page: Page):
    return main(page).locator("#hours-used [data-approved-hours]")


def sessions_saved(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MentoringSession))


def invitations(session_id: int) -> dict[str, tuple]:
    """Recipient -> (mail, .ics text) of each delivered invitation for the session."""
    found = {}
    for mail in mail_messages():
        for part in mail.walk():
            if part.get_content_type() == "text/calendar" and part.get_filename() == f"mentoring-{session_id}.ics":
                found[str(mail["To"])] = (mail, part.get_content())
    return found


def expect_korean(page: Page, lang: str, *msgids: str) -> None:
    """On a Korean page none of these English msgids may show through untranslated."""
    if lang == "ko":
        text = main(page).inner_text()
        assert not [m for m in msgids if m in text], f"untranslated on {page.url}"
        assert re.search(r"[가-힣]", text)


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", LANGUAGES)
def test_officer_matches_mentor_accepts_founder_books_and_the_approved_hour_counts(
    new_context,
    live_server,
    e2e_worker,
    app,
    mentoring,  # noqa: F811 - the fixture imported above
    artifacts,
    lang,
):
    _ = translator(lang)
    startup = mentoring.startups[0]
    mentor_id, mentor_user = mentoring.mentor_ids[0], mentoring.mentor_users[0]

    # 1. The officer opens the startup's mentoring page: suggestions with their reasons.
    officer = signed_in_as(new_context, live_server, _, lang, mentoring.officer.email, r"/dashboard$")
    officer.goto(live_server.url(f"/staff/mentoring/startups/{startup.application_id}"))
    expect(heading(officer, COMPANY)).to_be_visible()
    expect(heading(officer, _("Suggested mentors"))).to_be_visible()
    suggestion = main(officer).locator(f"#suggestion-{mentor_id}")
    expect(suggestion.get_by_role("heading")).to_contain_text(MENTOR)
    expect(suggestion.locator(".nup-reasons li").first).to_be_visible()
    assert suggestion.locator(".nup-reasons li").count() >= 3, "a suggestion explains its score"
    expect(main(officer).locator("#hours-used")).to_be_visible()
    expect_korean(officer, lang, "Suggested mentors", "Hours and budget", "won an hour")
    snap(officer, artifacts / f"mentoring-1-officer-suggestions-{lang}.png")
    click(suggestion.get_by_role("button", name=_("Ask %(name)s to mentor", name=MENTOR), exact=True))
    expect(
        message(officer, "status", _("%(mentor)s is asked to mentor %(company)s.", mentor=MENTOR, company=COMPANY))
    ).to_be_visible()
    expect(main(officer).locator(".nup-card").filter(has_text=_("Waiting for the mentor"))).to_contain_text(MENTOR)

    # 2. The mentor signs in, lands on their mentoring page and accepts the request.
    mentor = signed_in_as(new_context, live_server, _, lang, mentor_user.email, r"/mentoring/$")
    expect(heading(mentor, _("Requests to answer"))).to_be_visible()
    request_card = main(mentor).locator(".nup-card").filter(has_text=COMPANY)
    expect(request_card).to_have_count(1)
    snap(mentor, artifacts / f"mentoring-2-mentor-request-{lang}.png")
    click(request_card.get_by_role("button", name=_("Accept the match"), exact=True))
    expect(message(mentor, "status", _("You accepted the match."))).to_be_visible()
    expect(main(mentor).get_by_text(_("No requests waiting for your answer."))).to_be_visible()

    # 3. The founder finds "My mentoring" on the dashboard and opens the booking form.
    founder = signed_in_as(new_context, live_server, _, lang, startup.email, r"/dashboard$")
    click(main(founder).get_by_role("link", name=_("My mentoring"), exact=True))
    expect(founder).to_have_url(re.compile(rf"/mentoring/startup/{startup.application_id}$"))
    my_mentor = main(founder).locator(".nup-card").filter(has_text=MENTOR)
    expect(my_mentor).to_contain_text(_("Accepted by the mentor"))
    click(my_mentor.get_by_role("link", name=_("Book a session"), exact=True))
    expect(heading(founder, _("Book a session"))).to_be_visible()
    form = main(founder).locator("form.nup-form")
    when = labelled(form, _("Date and time (KST)"))

    # Bad input: a time yesterday is refused on the form and nothing is saved.
    yesterday = to_kst(utcnow() - timedelta(days=1)).replace(hour=10, minute=0)
    when.fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    labelled(form, _("Meeting link or place")).fill("https://meet.example.kr/nup")
    click(form.get_by_role("button", name=_("Book and send invitations"), exact=True))
    refused = _("A session cannot be booked in the past (it is now %(now)s KST).", now="@").split("@")[0]
    summary = main(founder).get_by_role("alert")
    expect(summary).to_contain_text(_("Please correct the following"))
    expect(summary.get_by_role("link")).to_contain_text(refused)
    expect(when).to_have_attribute("aria-invalid", "true")
    expect(founder.locator("#starts_at-error")).to_contain_text(refused)
    assert sessions_saved(app) == 0, "a refused booking saves nothing"
    snap(founder, artifacts / f"mentoring-3-founder-past-time-refused-{lang}.png")

    # A good time: tomorrow, about a day from now (so that moving it back two days puts it in the past).
    starts = to_kst(utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    when.fill(starts.strftime("%Y-%m-%dT%H:%M"))
    expect(labelled(form, _("Length"))).to_have_value("60")
    choose(form, "radio", _("Online"))
    labelled(form, _("Meeting link or place")).fill("https://meet.example.kr/nup")
    labelled(form, _("What you want to discuss")).fill("일본 물류 시장 진출 전략")
    click(form.get_by_role("button", name=_("Book and send invitations"), exact=True))
    expect(
        message(founder, "status", _("The session is booked. Both of you will get a calendar invitation by email."))
    ).to_be_visible()
    expect(founder).to_have_url(re.compile(r"/mentoring/sessions/\d+$"))
    session_id = int(founder.url.rsplit("/", 1)[1])
    expect(founder.locator("#session-status")).to_have_text(_("Scheduled"))
    expect(main(founder)).to_contain_text(starts.strftime("%Y-%m-%d %H:%M"))
    expect_korean(founder, lang, "Mentoring session", "When", "Where", "Agenda")
    snap(founder, artifacts / f"mentoring-4-founder-session-booked-{lang}.png")

    # 4. The worker mails each side an invitation with the .ics.
    sent = wait_for(lambda: len(invitations(session_id)) >= 2 and invitations(session_id), what="both invitations")
    assert sorted(sent) == sorted([startup.email, mentor_user.email])
    for mail, ics in sent.values():
        assert starts.strftime("%Y-%m-%d %H:%M") in mail["Subject"]
        assert live_server.url(f"/mentoring/sessions/{session_id}") in text_of(mail)
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert "METHOD:REQUEST" in ics and str(event["uid"]) == f"mentoring-session-{session_id}@nup.mss.go.kr"
        assert event.decoded("dtstart") == starts and event.decoded("dtend") == starts + timedelta(hours=1)
        assert sorted(str(a) for a in event["attendee"]) == sorted(f"mailto:{e}" for e in sent)

    # 5. A log can only be filed once the session has started: move it two days back in the
    # database, as if those days had passed (the only step not done through the browser).
    with app.app_context():
        held = db.session.get(MentoringSession, session_id)
        held.starts_at -= timedelta(days=2)
        held.ends_at -= timedelta(days=2)
        db.session.commit()
        paid_month = to_kst(utcnow()).strftime("%Y-%m")  # statements list what was approved (paid) that month

    # 6. The mentor finds it under "Logs to file" and files the log.
    mentor.reload()
    to_log = main(mentor).get_by_role("table", name=_("Logs to file"), exact=True)
    expect(to_log.get_by_role("row").filter(has_text=COMPANY)).to_have_count(1)
    click(to_log.get_by_role("link").first)
    expect(mentor).to_have_url(re.compile(rf"/mentoring/sessions/{session_id}$"))
    log = main(mentor).locator("form.nup-form").filter(has=labelled(mentor, _("Topic")))
    labelled(log, _("Topic")).fill("일본 진출 전략")
    labelled(log, _("Advice given")).fill("현지 물류 파트너 두 곳을 소개하고 PoC 조건을 정리했습니다.")
    labelled(log, _("Follow-up actions")).fill("다음 달까지 PoC 제안서 작성")
    expect(labelled(log, _("Duration (minutes)"))).to_have_value("60")
    snap(mentor, artifacts / f"mentoring-5-mentor-files-log-{lang}.png")
    click(log.get_by_role("button", name=_("File the log"), exact=True))
    expect(message(mentor, "status", _("The log is filed; the startup is asked to confirm it."))).to_be_visible()
    expect(mentor.locator("#session-status")).to_have_text(_("Log filed"))

    # 7. The founder follows the emailed link, reads the log and confirms it.
    link = live_server.url(f"/mentoring/sessions/{session_id}")
    [asked] = wait_for(
        lambda: [m for m in mail_messages() if startup.email in str(m["To"]) and "일본 진출 전략" in text_of(m)],
        what="the mail asking the founder to confirm the log",
    )
    assert link in text_of(asked)
    founder.goto(link)
    expect(main(founder).locator("#log")).to_contain_text("현지 물류 파트너")
    snap(founder, artifacts / f"mentoring-6-founder-confirms-{lang}.png")
    click(main(founder).get_by_role("button", name=_("Confirm the log"), exact=True))
    expect(message(founder, "status", _("Thank you: your answer is recorded."))).to_be_visible()
    expect(founder.locator("#session-status")).to_have_text(_("Confirmed by the startup"))

    # 8. The officer approves it on "Pending approvals".
    officer.goto(live_server.url("/staff/mentoring/"))
    click(officer.get_by_role("navigation", name=_("Mentoring")).get_by_role("link", name=_("Pending approvals")))
    due = main(officer).locator(f"#approval-{session_id}")
    expect(due).to_contain_text(COMPANY)
    expect(due).to_contain_text("100,000")  # one hour at the mentor's 100,000 won
    expect_korean(officer, lang, "Pending approvals", "Approved so far", "Return to the mentor")
    snap(officer, artifacts / f"mentoring-7-officer-approvals-{lang}.png")
    click(due.get_by_role("button", name=_("Approve"), exact=True))
    expect(message(officer, "status", _("Approved: the hours now count."))).to_be_visible()
    expect(main(officer).get_by_text(_("No logs are waiting for approval."))).to_be_visible()

    # 9. The hour counts: on the founder's page and the officer's statements.
    founder.goto(live_server.url(f"/mentoring/startup/{startup.application_id}"))
    expect(approved_hours(founder)).to_have_text("1")
    expect(main(founder).get_by_role("table", name=_("My mentoring sessions"), exact=True)).to_contain_text(
        _("Approved")
    )
    expect_korean(founder, lang, "My hours", "Approved hours", "Budget used")
    snap(founder, artifacts / f"mentoring-8-founder-hours-{lang}.png")
    officer.goto(live_server.url(f"/staff/mentoring/startups/{startup.application_id}"))
    expect(approved_hours(officer)).to_have_text("1")
    click(main(officer).get_by_role("link", name=_("Mentoring"), exact=True))  # back to the overview
    click(officer.get_by_role("navigation", name=_("Mentoring")).get_by_role("link", name=_("Hours and statements")))
    labelled(officer, _("Month")).fill(paid_month)
    click(main(officer).get_by_role("button", name=_("Show"), exact=True))
    fees = main(officer).get_by_role("table", name=_("Fees by mentor"), exact=True)
    expect(fees.get_by_role("row").filter(has_text=MENTOR).get_by_role("cell")).to_have_text(
        [MENTOR, "1", "1", "100,000"]
    )
    caps = main(officer).get_by_role("table", name=_("Hours used against each startup's cap"), exact=True)
    expect(caps.get_by_role("row").filter(has_text=COMPANY).get_by_role("cell").nth(2)).to_have_text("1")
    expect_korean(officer, lang, "Hours and statements", "Fees by mentor", "Approved hours")
    snap(officer, artifacts / f"mentoring-9-officer-statements-{lang}.png")
