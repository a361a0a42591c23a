"""Plans, items, spend, KPI reports and their review through the services, on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.errors import Conflict, DomainError, PermissionDenied
from nup.extensions import db
from nup.notifications.models import Notification
from nup.overseas import checks, kpi_reports, kpis, services
from nup.overseas.models import KpiReport, Milestone, PlanCheck, ReportStatus, SupportPlan
from nup.timeutil import utcnow
from tests.cohort import make_selected_startup
from tests.overseas.conftest import founder, months_ago, report_values

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def label(months_back: int) -> str:
    return months_ago(months_back).strftime("%Y-%m")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_plan_gets_the_agreement_milestones_a_notice_and_an_audit_row(startup, make_plan):
    plan = make_plan(startup, started_months_ago=1, months=10)
    kinds = {m.kind: m.due_on for m in db.session.scalars(select(Milestone).where(Milestone.plan_id == plan.id))}
    assert set(kinds) == {"kickoff", "midterm", "final"}
    assert kinds["midterm"] == kpis.add_months(plan.starts_on, 5)  # month 5 of 10
    assert kinds["final"] == plan.ends_on == kpis.agreement_end(plan.starts_on, 10)
    mail = db.session.scalar(select(Notification).where(Notification.kind == "overseas_plan_created"))
    assert mail.user_id == startup.user_id and mail.context["plan_id"] == plan.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "overseas.plan_created")).object_id == str(
        plan.id
    )


def test_only_a_selected_startup_gets_one_plan(cohort, startup, make_plan, make_user):
    make_plan(startup)
    with pytest.raises(Conflict):
        make_plan(startup)
    db.session.rollback()
    other = make_selected_startup(cohort.call_id, company="다른기업")
    application = db.session.get(Application, other.application_id)
    from nup.reviews.models import Decision

    for decision in db.session.scalars(select(Decision).where(Decision.application_id == application.id)):
        decision.released_at = None  # decided but not told: not selected yet
    db.session.commit()
    with pytest.raises(Conflict):
        make_plan(other)
    db.session.rollback()
    assert count(SupportPlan) == 1


def test_refused_plan_values_save_nothing(cohort, startup):
    application = db.session.get(Application, startup.application_id)
    for bad in ({"budget_won": -1}, {"target_countries": ["XX"]}, {"months": 0}):
        values = {"starts_on": months_ago(0), "months": 10, "budget_won": 100, "target_countries": ["US"], **bad}
        with pytest.raises(DomainError):
            services.create_plan(application, actor=cohort.officer, now=utcnow(), **values)
        db.session.rollback()
    assert count(SupportPlan) == 0


def test_an_applicant_cannot_create_or_change_a_plan(startup, make_plan):
    plan = make_plan(startup)
    with pytest.raises(PermissionDenied):
        services.update_plan(plan, actor=founder(startup), values={"budget_won": 1}, version=plan.version, now=utcnow())


def test_a_stale_copy_of_the_plan_is_refused_and_changes_are_audited(cohort, startup, make_plan):
    plan = make_plan(startup)
    old_version = plan.version
    services.update_plan(
        plan, actor=cohort.officer, values={"budget_won": 250_000_000}, version=old_version, now=utcnow()
    )
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_plan(plan, actor=cohort.officer, values={"budget_won": 1}, version=old_version, now=utcnow())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "overseas.plan_changed"))
    assert event.before["budget_won"] == 200_000_000 and event.after["budget_won"] == 250_000_000


def test_items_stay_within_the_budget_and_spend_keeps_currency_rate_and_won(cohort, startup, make_plan):
    plan = make_plan(startup, budget=100_000_000)
    values = {
        "kind": "exhibition",
        "partner": "KOTRA",
        "country": "US",
        "budget_won": 60_000_000,
        "starts_on": plan.starts_on,
        "ends_on": plan.starts_on + timedelta(days=30),
    }
    item = services.add_item(plan, actor=cohort.officer, values=values, request_key="k1", now=utcnow())
    db.session.commit()
    assert services.add_item(plan, actor=cohort.officer, values=values, request_key="k1", now=utcnow()) is item
    with pytest.raises(DomainError) as refused:
        services.add_item(plan, actor=cohort.officer, values=values, request_key="k2", now=utcnow())
    assert "budget_won" in refused.value.fields
    db.session.rollback()
    item = db.session.get(type(item), item.id)
    entry = services.record_spend(
        item,
        actor=cohort.officer,
        spent_on=plan.starts_on,
        currency_code="usd",
        amount="1,000.50",
        rate="1385.2",
        request_key="s1",
        now=utcnow(),
    )
    assert (entry.currency, entry.amount_minor, entry.exchange_rate, entry.amount_won) == (
        "USD",
        100050,
        "1385.2",
        1_385_893,
    )
    assert item.spent_won == 1_385_893
    for bad in ({"amount": "-5"}, {"currency_code": "ABC"}, {"rate": "0"}):
        args = {"spent_on": plan.starts_on, "currency_code": "USD", "amount": "10", "rate": "1300", **bad}
        with pytest.raises(DomainError):
            services.record_spend(item, actor=cohort.officer, now=utcnow(), **args)


def test_a_report_converts_foreign_amounts_to_won(startup, make_plan):
    plan = make_plan(startup)
    report = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
    db.session.commit()
    assert report.period_start == months_ago(1)
    assert (report.currency, report.exchange_rate) == ("USD", "1385.20")
    assert report.export_value_minor == 10_000_000 and report.export_value_won == 138_520_000
    assert report.overseas_sales_won == 17_315_693
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"export_value": "-100"}, "export_value"),
        ({"currency": "XYZ"}, "currency"),
        ({"jobs_overseas": "-1"}, "jobs_overseas"),
        ({"exchange_rate": "0"}, "exchange_rate"),
        ({"currency": "JPY", "exchange_rate": "9.1", "investment": "10.5"}, "investment"),
        ({"entity_established": "y", "entity_country": ""}, "entity_country"),
    ],
)
def test_bad_report_values_are_refused_with_the_field_named_and_nothing_saved(startup, make_plan, override, field):
    plan = make_plan(startup)
    with pytest.raises(DomainError) as refused:
        kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1), **override), now=utcnow())
    db.session.rollback()
    assert field in refused.value.fields
    assert count(KpiReport) == 0


def test_a_period_outside_the_agreement_or_not_yet_begun_is_refused(startup, make_plan):
    plan = make_plan(startup, started_months_ago=3)
    for period in (label(4), label(-1), "2026-13"):
        with pytest.raises(DomainError) as refused:
            kpi_reports.file_report(plan, actor=founder(startup), values=report_values(period), now=utcnow())
        assert "period" in refused.value.fields
        db.session.rollback()
    assert count(KpiReport) == 0


def test_a_second_report_for_a_period_is_refused_but_a_double_click_files_once(startup, make_plan):
    plan = make_plan(startup)
    first = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
    db.session.commit()
    again = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
    assert again.id == first.id
    with pytest.raises(kpi_reports.DuplicateReport) as refused:
        kpi_reports.file_report(
            plan, actor=founder(startup), values=report_values(label(1), jobs_overseas="5"), now=utcnow()
        )
    assert refused.value.existing_id == first.id and refused.value.status == 409
    db.session.rollback()
    assert count(KpiReport) == 1
    assert db.session.get(KpiReport, first.id).jobs_overseas == 1  # the first report is untouched


def test_another_founder_cannot_file_for_this_plan(cohort, startup, make_plan):
    plan = make_plan(startup)
    stranger = make_selected_startup(cohort.call_id, company="남의회사")
    with pytest.raises(PermissionDenied):
        kpi_reports.file_report(plan, actor=founder(stranger), values=report_values(label(1)), now=utcnow())


def test_return_correct_and_accept(cohort, startup, make_plan):
    plan = make_plan(startup)
    report = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
    db.session.commit()
    with pytest.raises(DomainError):
        kpi_reports.decide_report(report, actor=cohort.officer, accept=False, comment="", version=None, now=utcnow())
    kpi_reports.decide_report(
        report,
        actor=cohort.officer,
        accept=False,
        comment="계약서 사본을 첨부해 주세요.",
        version=report.version,
        now=utcnow(),
    )
    db.session.commit()
    assert report.status == ReportStatus.RETURNED
    returned = db.session.scalar(select(Notification).where(Notification.kind == "overseas_report_returned"))
    assert returned.context["comment"] == "계약서 사본을 첨부해 주세요."
    with pytest.raises(Conflict):  # an officer cannot decide twice
        kpi_reports.decide_report(report, actor=cohort.officer, accept=True, comment="", version=None, now=utcnow())
    stale = report.version - 1
    with pytest.raises(Conflict):
        kpi_reports.correct_report(
            report, actor=founder(startup), values=report_values(label(1)), version=stale, now=utcnow()
        )
    kpi_reports.correct_report(
        report,
        actor=founder(startup),
        values=report_values(label(1), export_contracts="3"),
        version=report.version,
        now=utcnow(),
    )
    db.session.commit()
    assert (report.status, report.revision, report.export_contracts) == ("submitted", 2, 3)
    kpi_reports.decide_report(
        report, actor=cohort.officer, accept=True, comment="", version=report.version, now=utcnow()
    )
    db.session.commit()
    assert [r.decision for r in report.reviews] == ["returned", "accepted"]
    with pytest.raises(Conflict):
        kpi_reports.correct_report(
            report, actor=founder(startup), values=report_values(label(1)), version=None, now=utcnow()
        )
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("overseas.report%"))))
    assert actions == {
        "overseas.report_filed",
        "overseas.report_returned",
        "overseas.report_corrected",
        "overseas.report_accepted",
    }


def test_a_check_with_reclaim_grounds_opens_a_follow_up_and_flags_the_plan(cohort, startup, make_plan):
    plan = make_plan(startup)
    values = {
        "progress_rating": "2",
        "spend_rating": "1",
        "outcome_rating": "2",
        "result": "unsatisfactory",
        "findings": "",
        "actions": "집행 증빙 재제출",
        "reclaim_grounds": ["other_use"],
        "reclaim_amount_won": 5_000_000,
    }
    with pytest.raises(DomainError) as refused:  # reclaim grounds need findings
        checks.record_check(plan, actor=cohort.officer, kind="midterm", values=values, version=None, now=utcnow())
    assert "findings" in refused.value.fields
    db.session.rollback()
    values["findings"] = "지원금 일부를 국내 인건비로 사용함"
    check = checks.record_check(plan, actor=cohort.officer, kind="midterm", values=values, version=None, now=utcnow())
    db.session.commit()
    assert check.follow_up_status == "open"
    midterm = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == "midterm"))
    assert midterm.status == "done"
    db.session.refresh(plan)
    assert plan.at_risk and {"reclaim", "check_failed"} <= {r["code"] for r in plan.risk_reasons}
    checks.record_follow_up(
        check,
        actor=cohort.officer,
        status="resolved",
        note="5,000,000원 환수 완료",
        version=check.version,
        now=utcnow(),
    )
    db.session.commit()
    db.session.refresh(plan)
    assert "reclaim" not in {r["code"] for r in plan.risk_reasons}
    assert count(PlanCheck) == 1
    assert db.session.scalar(select(func.count()).where(AuditEvent.action.like("overseas.check%"))) == 2


def test_a_quarterly_call_takes_quarterly_reports_and_the_frequency_locks_once_used(cohort, startup, make_plan):
    from nup.overseas import reporting

    reporting.set_call_reporting(cohort.call_id, actor=cohort.officer, frequency="quarterly", due_days=15, now=utcnow())
    db.session.commit()
    plan = make_plan(startup, started_months_ago=6)
    assert (plan.report_frequency, plan.report_due_days) == ("quarterly", 15)
    with pytest.raises(DomainError):  # a monthly label does not name a quarter
        kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(4)), now=utcnow())
    db.session.rollback()
    quarter = kpis.period_of(months_ago(4), "quarterly")
    report = kpi_reports.file_report(plan, actor=founder(startup), values=report_values(quarter.label), now=utcnow())
    db.session.commit()
    assert (report.period_start, report.period_end) == (quarter.start, quarter.end)
    with pytest.raises(Conflict):
        reporting.set_call_reporting(
            cohort.call_id, actor=cohort.officer, frequency="monthly", due_days=10, now=utcnow()
        )
    with pytest.raises(PermissionDenied):
        reporting.set_call_reporting(
            cohort.call_id, actor=founder(startup), frequency="quarterly", due_days=5, now=utcnow()
        )
