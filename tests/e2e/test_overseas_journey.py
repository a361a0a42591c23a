"""Overseas-market support in a real browser: the officer sets up the plan, the startup files a KPI report
with evidence, the officer returns it, the startup corrects it, the officer accepts it, the dashboard shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db
from nup.overseas import kpis
from nup.overseas.models import KpiReport, SupportPlan
from nup.timeutil import to_kst, utcnow
from tests.cohort import make_cohort_call, make_selected_startup
from tests.e2e.review_fixtures import say
from tests.e2e.test_application_journeys import ON_A_DESKTOP, PDF, choose, click, signed_in, snap

pytestmark = pytest.mark.e2e


def _as(page: Page, live_server, lang: str, user) -> None:
    page.context.clear_cookies()
    signed_in(page, live_server, say(lang), lang, user)


def _fill_report(page: Page, *, export_value: str, evidence) -> None:
    form = page.locator("#report-form")
    form.locator("#currency").select_option("USD")
    form.locator("#exchange_rate").fill("1385.20")
    form.locator("#rate_source").fill("서울외국환중개 매매기준율")
    form.locator("#export_contracts").fill("1")
    form.locator("#export_value").fill(export_value)
    form.locator("#overseas_sales").fill("2500.50")
    form.locator("#jobs_overseas").fill("1")
    form.locator("#narrative").fill("Boston 물류센터와 AMR 공급계약 체결")
    if evidence is not None:
        form.locator("#file").set_input_files(str(evidence))
    click(form.locator("#submit-report"))


@ON_A_DESKTOP
def test_plan_report_return_correct_accept_and_dashboard(page: Page, live_server, app, make_user, artifacts, tmp_path):
    officer = make_user("officer", name="김민정")
    with app.app_context():
        call_id = make_cohort_call(officer.id)
        startup = make_selected_startup(call_id, company="한빛로보틱스", final_score=91.5)
        founder = db.session.get(User, startup.user_id)
        db.session.expunge(founder)
    today = to_kst(utcnow()).date()
    starts_on = kpis.add_months(today.replace(day=1), -2)
    period = kpis.add_months(starts_on, 1).strftime("%Y-%m")
    evidence = tmp_path / "export-contract.pdf"
    evidence.write_bytes(PDF)

    # 1. The officer creates the agreement and plan (English) and adds a support item.
    _ = say("en")
    _as(page, live_server, "en", officer)
    page.goto(live_server.url("/staff/overseas/plans?lang=en"))
    click(page.locator(f"a[data-application='{startup.application_id}']"))
    form = page.locator("#plan-form")
    form.get_by_label(_("Agreement number")).fill("2026-NUP-001")
    form.get_by_label(_("Agreement start")).fill(starts_on.isoformat())
    form.get_by_label(_("Budget (won)")).fill("-5")
    form.locator("input[name=target_countries][value=US]").check()
    click(form.locator("#create-plan"))
    expect(page.locator("#error-summary")).to_contain_text(_("Amounts cannot be negative."))
    page.locator("#plan-form").get_by_label(_("Budget (won)")).fill("200000000")
    click(page.locator("#create-plan"))
    expect(page.get_by_role("status").filter(has_text=_("The agreement and support plan are saved."))).to_be_visible()
    item = page.locator("#item-form")
    item.locator("#kind").select_option("exhibition")
    item.locator("#partner").select_option("KOTRA")
    item.locator("#country").select_option("US")
    item.locator("#budget_won").fill("50000000")
    item.locator("#starts_on").fill(starts_on.isoformat())
    item.locator("#ends_on").fill(kpis.add_months(starts_on, 2).isoformat())
    click(item.locator("#add-item-button"))
    expect(page.locator("#items table")).to_contain_text("KOTRA")
    snap(page, artifacts / "overseas-plan-officer-en.png")
    with app.app_context():
        plan_id = db.session.scalar(select(SupportPlan.id))

    # 2. The startup files a KPI report in dollars with evidence (Korean, the default).
    _as(page, live_server, "ko", founder)
    page.goto(live_server.url("/overseas"))
    expect(page).to_have_url(re.compile(rf"/overseas/plans/{plan_id}$"))
    expect(page.locator("#plan-budget")).to_contain_text("200,000,000")
    snap(page, artifacts / "overseas-my-plan-ko.png")
    click(page.locator("#file-report"))
    page.locator("#period").select_option(period)
    _fill_report(page, export_value="-100", evidence=None)
    expect(page.locator("#export_value-error")).to_be_visible()  # refused, nothing saved, values kept
    expect(page.locator("#narrative")).to_have_value("Boston 물류센터와 AMR 공급계약 체결")
    _fill_report(page, export_value="100000", evidence=evidence)
    expect(page.locator("#report-figures [data-kpi=export_value]")).to_contain_text("138,520,000")
    expect(page.locator("#report-evidence")).to_contain_text("export-contract.pdf")
    snap(page, artifacts / "overseas-report-submitted-ko.png")
    with app.app_context():
        report_id = db.session.scalar(select(KpiReport.id))

    # 3. The officer returns it with a comment.
    _as(page, live_server, "en", officer)
    page.goto(live_server.url(f"/staff/overseas/reports/{report_id}?lang=en"))
    choose(page.locator("#decide"), "radio", _("Return it for correction"))
    page.get_by_label(_("Comment to the startup")).fill("Attach the signed contract; the value looks like 10,000 USD.")
    click(page.locator("#decide-button"))
    expect(page.locator("#history")).to_contain_text("Attach the signed contract")
    snap(page, artifacts / "overseas-report-returned-en.png")

    # 4. The startup corrects and resubmits.
    _as(page, live_server, "ko", founder)
    page.goto(live_server.url(f"/overseas/reports/{report_id}"))
    expect(page.locator("#officer-comment")).to_contain_text("Attach the signed contract")
    snap(page, artifacts / "overseas-report-correct-ko.png")
    _fill_report(page, export_value="10000", evidence=None)
    expect(page.locator("#report-figures [data-kpi=export_value]")).to_contain_text("13,852,000")

    # 5. The officer accepts; the dashboard counts it, in both languages.
    _as(page, live_server, "en", officer)
    page.goto(live_server.url(f"/staff/overseas/reports/{report_id}?lang=en"))
    choose(page.locator("#decide"), "radio", _("Accept the report"))
    click(page.locator("#decide-button"))
    expect(page.locator("#history [data-decision=accepted]")).to_have_count(1)
    page.goto(live_server.url("/staff/overseas/?lang=en"))
    expect(page.locator("#kpi-totals [data-kpi=export_value_won]")).to_contain_text("13,852,000")
    expect(page.locator("#kpi-totals [data-kpi=overseas_sales_won]")).to_contain_text("3,463,693")
    expect(page.locator("#by-country tr[data-group=US]")).to_contain_text("13,852,000")
    snap(page, artifacts / "overseas-dashboard-en.png")
    page.goto(live_server.url("/staff/overseas/?lang=ko"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#kpi-totals [data-kpi=export_value_won]")).to_contain_text("13,852,000")
    snap(page, artifacts / "overseas-dashboard-ko.png")
    with app.app_context():
        report = db.session.get(KpiReport, report_id)
        assert (report.status, report.revision, report.export_value_won) == ("accepted", 2, 13_852_000)
        assert [r.decision for r in report.reviews] == ["returned", "accepted"]
