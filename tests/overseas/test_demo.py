"""The overseas demo data loads on top of a selected cohort and shows every state an officer meets."""

from __future__ import annotations

from sqlalchemy import func, select

from nup.applications.models import Application
from nup.demo_overseas import load_overseas_demo
from nup.extensions import db
from nup.overseas import portfolio
from nup.overseas.models import KpiReport, PlanCheck, SupportPlan
from nup.reviews.cohort import selected_applications
from nup.timeutil import utcnow
from tests.cohort import make_selected_startup


def test_the_demo_has_currencies_a_returned_report_a_check_and_a_firm_at_risk(cohort):
    for index in range(4):
        make_selected_startup(
            cohort.call_id,
            company=f"데모기업{index}",
            rank=index + 1,
            final_score=90 - index,
            physical_ai=index % 2 == 0,
        )
    plans = load_overseas_demo(cohort.officer, selected_applications(call_id=cohort.call_id), now=utcnow())
    db.session.commit()
    assert len(plans) == 4
    currencies = set(db.session.scalars(select(KpiReport.currency)))
    assert currencies == {"KRW", "USD", "JPY", "EUR"}
    statuses = dict(db.session.execute(select(KpiReport.status, func.count()).group_by(KpiReport.status)).all())
    assert statuses["returned"] == 1 and statuses["submitted"] == 4 and statuses["accepted"] > 4
    assert db.session.scalar(select(func.count(PlanCheck.id))) == 3  # firms on schedule had their mid-term check
    at_risk = db.session.scalars(select(SupportPlan.application_id).where(SupportPlan.at_risk.is_(True))).all()
    assert len(at_risk) == 1  # every third firm is behind
    assert db.session.scalar(select(func.count()).where(PlanCheck.follow_up_status == "open")) == 1
    assert portfolio.portfolio().totals.outcome_won > 0
    # Loading again adds nothing (the caller may run it on every `nup demo`).
    assert load_overseas_demo(cohort.officer, list(db.session.scalars(select(Application))), now=utcnow()) == []
