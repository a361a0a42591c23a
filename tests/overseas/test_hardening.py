"""Refusals added after a security review: reclaim follow-ups, the reporting schedule, rates, check milestones."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.overseas import checks, evidence, kpi_reports, reporting, services
from nup.overseas.models import Milestone
from nup.timeutil import utcnow
from tests.overseas.conftest import PDF, founder, report_values
from tests.overseas.test_plans_and_reports import label

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too

CHECK = {
    "progress_rating": "3",
    "spend_rating": "3",
    "outcome_rating": "3",
    "result": "needs_improvement",
    "findings": "일정 지연",
    "actions": "일정 재수립",
    "reclaim_grounds": [],
    "reclaim_amount_won": 0,
}


def test_a_revision_adding_a_reclaim_ground_reopens_a_resolved_follow_up(cohort, startup, make_plan):
    plan = make_plan(startup)
    check = checks.record_check(plan, actor=cohort.officer, kind="midterm", values=CHECK, version=None, now=utcnow())
    checks.record_follow_up(
        check, actor=cohort.officer, status="resolved", note="재수립 확인", version=None, now=utcnow()
    )
    db.session.commit()
    worse = {
        **CHECK,
        "result": "unsatisfactory",
        "reclaim_grounds": ["fraud"],
        "reclaim_amount_won": 50_000_000,
        "findings": "허위 증빙 제출 확인: 계약서 2건이 위조됨",
    }
    check = checks.record_check(plan, actor=cohort.officer, kind="midterm", values=worse, version=None, now=utcnow())
    db.session.commit()
    db.session.refresh(plan)
    assert check.follow_up_status == "open"
    assert "reclaim" in {r["code"] for r in plan.risk_reasons}


def test_the_frequency_cannot_change_once_reports_exist_even_before_the_first_save(cohort, startup, make_plan):
    plan = make_plan(startup)
    kpi_reports.file_report(plan, actor=founder(startup), values=report_values(label(1)), now=utcnow())
    db.session.commit()
    with pytest.raises(Conflict):
        reporting.set_call_reporting(
            cohort.call_id, actor=cohort.officer, frequency="quarterly", due_days=15, now=utcnow()
        )
    db.session.rollback()
    assert db.session.get(type(plan), plan.id).report_frequency == "monthly"


@pytest.mark.parametrize(("currency", "rate"), [("JPY", "1385.20"), ("USD", "9.12"), ("USD", "1385.1234567")])
def test_a_rate_implausible_for_its_currency_or_too_precise_is_refused(cohort, startup, make_plan, currency, rate):
    plan = make_plan(startup)
    with pytest.raises(DomainError) as refused:
        kpi_reports.file_report(
            plan,
            actor=founder(startup),
            values=report_values(label(1), currency=currency, exchange_rate=rate),
            now=utcnow(),
        )
    assert "exchange_rate" in refused.value.fields


def test_counts_in_other_digits_are_refused_not_a_server_error(cohort, startup, make_plan):
    plan = make_plan(startup)
    for bad in ("--5", "²", "٣"):
        with pytest.raises(DomainError) as refused:
            kpi_reports.file_report(
                plan, actor=founder(startup), values=report_values(label(1), jobs_overseas=bad), now=utcnow()
            )
        assert "jobs_overseas" in refused.value.fields
        db.session.rollback()


def test_the_startup_cannot_close_the_officers_check_milestones_or_write_to_a_closed_agreement(
    cohort, startup, make_plan
):
    plan = make_plan(startup)
    midterm = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == "midterm"))
    with pytest.raises(Conflict):
        evidence.upload_evidence(
            plan, actor=founder(startup), stream=BytesIO(PDF), filename="x.pdf", milestone=midterm, now=utcnow()
        )
    db.session.rollback()
    with pytest.raises(Conflict):
        services.submit_milestone(midterm, actor=founder(startup), note="", now=utcnow())
    db.session.rollback()
    kickoff = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == "kickoff"))
    plan.status = "terminated"
    db.session.commit()
    with pytest.raises(Conflict):
        evidence.upload_evidence(
            plan, actor=founder(startup), stream=BytesIO(PDF), filename="x.pdf", milestone=kickoff, now=utcnow()
        )
