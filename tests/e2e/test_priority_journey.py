"""Physical AI in a real browser: the officer sees a declaration the text does not support,
overrides it with a reason, and the ranking with and without the priority policy follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from nup.applications.models import Application
from nup.extensions import db
from tests.e2e.review_fixtures import assign_now, make_call, officer, review_setup, say, score_all
from tests.e2e.test_application_journeys import ON_A_DESKTOP, choose, click, message, signed_in, snap

pytestmark = pytest.mark.e2e
FIXTURES = (review_setup, make_call, officer)  # pytest finds fixtures among a module's names

RPA_TEXT = {
    "summary": "RPA 기반 사무 자동화",
    "problem": "제조기업 관리부서의 반복 입력 업무",
    "solution": "소프트웨어 로봇(RPA)이 ERP 입력과 보고서 작성을 자동화합니다",
    "scale_up": "중견 제조기업 대상 SaaS",
    "team": "RPA 컨설턴트 5명",
}


@ON_A_DESKTOP
def test_officer_overrides_a_gamed_declaration_and_the_ranking_follows(
    page: Page, live_server, app, review_setup, artifacts
):
    from nup.priority import services

    _ = say("ko")
    setup = review_setup(applications=4, reviewers=5, per_application=5)
    gamed, _software, _other, robot = setup.application_ids  # 0 and 3 declared on the robotics track
    with app.app_context():
        application = db.session.get(Application, gamed)
        for name, value in RPA_TEXT.items():
            setattr(application, name, value)
        for application_id in setup.application_ids:
            services.classify_application(db.session.get(Application, application_id), now=application.submitted_at)
        db.session.commit()
        assert db.session.get(Application, gamed).priority_flagged
        assign_now(setup)
        score_all(setup)  # equal sheets: only the bonus and the ties separate them

    signed_in(page, live_server, _, "ko", setup.officer)
    page.goto(live_server.url(f"/staff/calls/{setup.call_id}/applications?physical_ai=flagged"))
    with app.app_context():
        receipts = {a.id: a.receipt_number for a in db.session.scalars(select(Application))}
    # Three disagree: this one, and two that declared AI software but describe a logistics robot.
    rows = page.get_by_role("main").get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=receipts[robot])).to_have_count(0)
    click(rows.filter(has_text=receipts[gamed]).get_by_role("link").first)

    panel = page.get_by_role("region", name=_("Physical AI field"), exact=True)
    expect(panel.get_by_role("alert")).to_contain_text(_("The declaration and the text disagree."))
    expect(panel).to_contain_text("RPA")
    snap(page, artifacts / "priority-flagged-ko.png")
    choose(panel.get_by_role("group", name=_("Physical AI field"), exact=True), "radio", _("Not Physical AI"))
    click(panel.get_by_role("button", name=_("Record the decision"), exact=True))
    expect(message(page, "alert", _("Give the reason."))).to_be_visible()
    choose(panel.get_by_role("group", name=_("Physical AI field"), exact=True), "radio", _("Not Physical AI"))
    panel.get_by_role("textbox", name=_("Reason"), exact=True).fill(
        "사무 자동화 소프트웨어로 물리 세계에서 작동하지 않음"
    )
    click(panel.get_by_role("button", name=_("Record the decision"), exact=True))
    expect(message(page, "status", _("The Physical AI field is decided."))).to_be_visible()
    expect(panel).to_contain_text(_("officer's decision"))
    expect(panel.get_by_role("alert")).to_have_count(0)
    snap(page, artifacts / "priority-decided-ko.png")
    with app.app_context():
        row = db.session.scalar(select(Application).where(Application.id == gamed))
        assert row.physical_ai is False and row.priority_decision is False

    # The ranking: the other robotics application still carries the bonus; the overridden one does not.
    page.goto(live_server.url(f"/staff/calls/{setup.call_id}/ranking"))
    table = page.get_by_role("main").get_by_role("table")
    header = table.locator("thead th")
    expect(header.last).to_have_text(_("Rank without the Physical AI bonus"))
    with app.app_context():
        physical = [a.id for a in db.session.scalars(select(Application)) if a.physical_ai]
    assert physical == [robot]
    gamed_row = table.locator("tbody tr").filter(has_text=receipts[gamed])
    expect(gamed_row.locator("td").nth(5)).to_have_text("—")  # no bonus any more
    boosted = table.locator("tbody tr").filter(has_text=receipts[robot])
    expect(boosted.locator("td").nth(5)).to_have_text("+2.0")
    expect(boosted.locator("td").first).to_have_text("1")
    # Without the bonus all four are equal (ties share rank 1): the robot application is the one it moved.
    expect(boosted.locator("td").last).to_have_text("1")
    expect(gamed_row.locator("td").first).to_have_text("2")
    expect(gamed_row.locator("td").last).to_contain_text("1")
    effect = page.get_by_role("main").locator("dt", has_text=_("Effect of the Physical AI bonus"))
    expect(effect.locator("xpath=following-sibling::dd[1]")).to_contain_text("3")
    snap(page, artifacts / "priority-ranking-ko.png")
