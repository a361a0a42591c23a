"""At-risk flags, reminders through the outbox, the portfolio figures and the selection-to-outcome link."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from nup.extensions import db
from nup.notifications.models import Notification
from nup.overseas import kpi_reports, kpis, portfolio, reminders, services
from nup.overseas.models import Milestone, SupportPlan
from nup.reports import outcomes
from nup.timeutil import to_kst, utcnow
from tests.cohort import make_selected_startup
from tests.overseas.conftest import founder, months_ago, report_values

pytestmark = pytest.mark.calendar  # built relative to today: make test runs it at fixed instants too


def accept(cohort, report) -> None:
    kpi_reports.decide_report(report, actor=cohort.officer, accept=True, comment="", version=None, now=utcnow())


def file(startup, plan, months_back: int, **values):
    return kpi_reports.file_report(
        plan,
        actor=founder(startup),
        values=report_values(months_ago(months_back).strftime("%Y-%m"), **values),
        now=utcnow(),
    )


def _kst_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZoneInfo("Asia/Seoul"))


def test_time_alone_makes_a_plan_at_risk_and_the_daily_run_flags_it(cohort, startup, make_plan):
    plan = make_plan(startup, starts_on=to_kst(utcnow()).date())
    assert not plan.at_risk
    services.add_milestone(
        plan,
        actor=cohort.officer,
        title="CES 부스 계약",
        due_on=plan.starts_on + timedelta(days=1),
        item_id=None,
        now=utcnow(),
    )
    db.session.commit()
    first_period = kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency)[0]
    # The day after the first report fell due (whatever day of the month the plan started on).
    later = _kst_noon(first_period.due_on(plan.report_due_days) + timedelta(days=1))
    assert reminders.refresh_all_risks(now=later) == 1
    db.session.commit()
    db.session.refresh(plan)
    codes = [r["code"] for r in plan.risk_reasons]
    assert "milestone_overdue" in codes and "report_missing" in codes


def test_reminders_before_and_after_the_due_date_are_queued_once(cohort, startup, make_plan):
    plan = make_plan(startup, started_months_ago=2)
    file(startup, plan, 2)  # the first month is reported; the second is missing
    db.session.commit()
    missing = months_ago(1)
    period = next(p for p in kpis.periods(plan.starts_on, plan.ends_on, plan.report_frequency) if p.start == missing)
    due = period.due_on(plan.report_due_days)

    def reminders_at(day: date) -> list[tuple[str, str]]:
        """Run the daily job at noon KST on `day` (twice: the second run must add nothing); what it queued."""
        before = set(db.session.scalars(select(Notification.id)))
        reminders.queue_overseas_reminders(now=_kst_noon(day))
        db.session.commit()
        assert reminders.queue_overseas_reminders(now=_kst_noon(day)) == 0  # idempotent
        db.session.commit()
        new = db.session.scalars(select(Notification).where(Notification.id.not_in(before))).all()
        return sorted((n.kind, n.context.get("period", "")) for n in new if n.kind.startswith("overseas_report"))

    label = missing.strftime("%Y-%m")
    # The days are counted from the missing period's own due date, so the test reads the same on any day.
    assert reminders_at(due - timedelta(days=reminders.BEFORE_DAYS + 1)) == []
    assert reminders_at(due - timedelta(days=reminders.BEFORE_DAYS)) == [("overseas_report_due", label)]
    assert reminders_at(due) == []  # the before-the-date reminder went once
    assert reminders_at(due + timedelta(days=1)) == [("overseas_report_overdue", label)]
    assert reminders_at(due + timedelta(days=2)) == []
    assert reminders_at(due + timedelta(days=reminders.SECOND_OVERDUE_DAYS)) == [("overseas_report_overdue", label)]
    assert reminders_at(due + timedelta(days=reminders.SECOND_OVERDUE_DAYS + 5)) == []
    kinds = [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == startup.user_id))]
    assert "overseas_milestone_overdue" in kinds  # the kick-off was due 14 days after the start, 2 months ago
    kickoff = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == "kickoff"))
    assert any(n.context.get("title") == kickoff.title for n in db.session.scalars(select(Notification)))


def test_portfolio_counts_only_accepted_reports_by_country_track_item_and_month(cohort, make_plan):
    robot = make_selected_startup(cohort.call_id, company="로봇기업", physical_ai=True, rank=1, final_score=92)
    app_firm = make_selected_startup(
        cohort.call_id, company="앱기업", physical_ai=False, track="ai_software", rank=2, final_score=85
    )
    robot_plan, app_plan = make_plan(robot), make_plan(app_firm)
    services.add_item(
        robot_plan,
        actor=cohort.officer,
        values={
            "kind": "exhibition",
            "budget_won": 10_000_000,
            "starts_on": robot_plan.starts_on,
            "ends_on": robot_plan.starts_on + timedelta(days=10),
        },
        now=utcnow(),
    )
    accept(cohort, file(robot, robot_plan, 2))
    accept(
        cohort,
        file(
            robot,
            robot_plan,
            1,
            market="JP",
            currency="JPY",
            exchange_rate="9",
            export_value="1000000",
            overseas_sales="0",
        ),
    )
    file(app_firm, app_plan, 1, currency="KRW", exchange_rate="1", export_value="5000000", overseas_sales="0")
    db.session.commit()
    figures = portfolio.portfolio()
    assert figures.firms == 2 and figures.pending_reports == 1
    assert figures.totals.export_value_won == 138_520_000 + 9_000_000
    assert {g.key: g.figures.export_value_won for g in figures.by_country} == {"US": 138_520_000, "JP": 9_000_000}
    assert [(g.key, g.firms) for g in figures.by_track] == [(True, 1)]
    assert [(g.key, g.extra["budget_won"]) for g in figures.by_item] == [("exhibition", 10_000_000)]
    assert [g.label for g in figures.by_month] == [months_ago(2).strftime("%Y-%m"), months_ago(1).strftime("%Y-%m")]
    assert figures.by_cohort[0].firms == 1


def test_selection_to_outcome_ranks_scores_against_accepted_kpis(cohort, make_plan):
    # The better the selection score, the more each firm achieved: rho = +1 overall.
    firms = []
    for index, (score, sales) in enumerate([(95, "300000"), (90, "200000"), (85, "100000"), (80, "0")]):
        firm = make_selected_startup(
            cohort.call_id, company=f"기업{index}", rank=index + 1, final_score=score, physical_ai=index % 2 == 0
        )
        plan = make_plan(firm)
        accept(cohort, file(firm, plan, 1, overseas_sales=sales, export_value="0"))
        firms.append(firm)
    db.session.commit()
    study = outcomes.selection_outcomes(cohort.call_id)
    overall = study.tracks[0]
    assert overall.track == "all" and overall.firms == 4
    assert overall.score_vs_outcome.rho == 1.0
    assert overall.hours_vs_outcome.rho is None  # nobody has mentoring hours yet: no variation
    assert [q[0] for q in overall.quartiles] == [1, 2, 3, 4]
    assert overall.quartiles[0][2] > overall.quartiles[-1][2]
    physical = study.tracks[1]
    assert physical.firms == 2 and physical.score_vs_outcome.rho is None  # two firms are too few
    assert {r.company for r in study.rows} == {f"기업{i}" for i in range(4)}


def test_the_portfolio_is_empty_without_plans(app_context):
    figures = portfolio.portfolio()
    assert figures.firms == 0 and figures.totals.outcome_won == 0 and figures.by_month == []
    assert outcomes.selection_outcomes().rows == []
    assert db.session.scalar(select(SupportPlan.id)) is None


def test_mentoring_hours_are_linked_to_outcomes(cohort, make_plan):
    """Approved mentoring hours (from nup.mentoring.queries) against accepted KPIs: more hours, more sales."""
    from nup.mentoring.models import Mentor, MentoringSession, MentorMatch

    mentor = Mentor(name="이서연", email="mentor@example.kr", status="approved", active=True)
    db.session.add(mentor)
    db.session.flush()
    for index, (hours, sales) in enumerate([(1.0, "0"), (2.0, "1000"), (3.5, "5000"), (0.0, "500")]):
        firm = make_selected_startup(cohort.call_id, company=f"멘토링{index}", rank=index + 1, final_score=90 - index)
        accept(cohort, file(firm, make_plan(firm), 1, overseas_sales=sales, export_value="0"))
        if hours:
            match = MentorMatch(
                application_id=firm.application_id,
                mentor_id=mentor.id,
                status="accepted",
                proposed_by_id=cohort.officer.id,
            )
            db.session.add(match)
            db.session.flush()
            start = utcnow() - timedelta(days=10)
            db.session.add(
                MentoringSession(
                    match_id=match.id,
                    application_id=firm.application_id,
                    mentor_id=mentor.id,
                    status="approved",
                    starts_at=start,
                    ends_at=start + timedelta(hours=hours),
                    requested_by_id=cohort.officer.id,
                    approved_at=utcnow(),
                    approved_by_id=cohort.officer.id,
                    approved_hours=hours,
                    fee_per_hour=100_000,
                )
            )
    db.session.commit()
    study = outcomes.selection_outcomes(cohort.call_id)
    assert sorted(r.hours for r in study.rows) == [0.0, 1.0, 2.0, 3.5]
    # hours 0, 1, 2, 3.5 against sales 500, 0, 1000, 5000 (ranks 2, 1, 3, 4): rho = 0.8
    assert study.tracks[0].hours_vs_outcome.rho == 0.8
