"""Selected startups with support plans, built through the services (inside an app context)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from nup.accounts.models import User
from nup.extensions import db
from nup.overseas import kpis
from nup.timeutil import to_kst, utcnow
from tests.cohort import Startup, make_cohort_call, make_selected_startup

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Cohort:
    officer: User
    call_id: int


def months_ago(n: int) -> date:
    """The first day of the month n months before this one (KST)."""
    today = to_kst(utcnow()).date()
    return kpis.add_months(date(today.year, today.month, 1), -n)


@pytest.fixture()
def cohort(app_context, make_user) -> Cohort:
    officer = make_user("officer", name="담당자")
    officer = db.session.get(User, officer.id)
    return Cohort(officer, make_cohort_call(officer.id))


@pytest.fixture()
def startup(cohort) -> Startup:
    return make_selected_startup(cohort.call_id)


@pytest.fixture()
def make_plan(cohort):
    """make_plan(startup, started_months_ago=3, months=10, budget=200_000_000) -> SupportPlan (committed)."""
    from nup.applications.models import Application
    from nup.overseas import services

    def make(
        startup: Startup, *, started_months_ago: int = 3, months: int = 10, budget: int = 200_000_000, starts_on=None
    ):
        plan = services.create_plan(
            db.session.get(Application, startup.application_id),
            actor=cohort.officer,
            starts_on=starts_on or months_ago(started_months_ago),
            months=months,
            budget_won=budget,
            target_countries=["US", "JP"],
            agreement_number=f"N-UP-{startup.application_id}",
            now=utcnow(),
        )
        db.session.commit()
        return plan

    return make


def founder(startup: Startup) -> User:
    return db.session.get(User, startup.user_id)


def report_values(period: str, **overrides) -> dict:
    values = {
        "period": period,
        "currency": "USD",
        "exchange_rate": "1385.20",
        "market": "US",
        "export_contracts": "2",
        "export_value": "100000",
        "overseas_sales": "12500.50",
        "investment": "0",
        "jobs_overseas": "1",
        "jobs_domestic": "2",
        "narrative": "미국 물류센터 2곳과 PoC 계약",
    }
    values.update(overrides)
    return values
