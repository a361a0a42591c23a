"""Calls and applicants for the intake tests."""

from datetime import timedelta

import pytest

from nup.accounts.models import User
from nup.extensions import db
from nup.timeutil import to_kst, utcnow

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
COMPANY = {
    "company_name": "한빛로보틱스",
    "applicant_type": "company",
    "business_registration_number": "220-81-62517",
    "ceo_name": "김하늘",
    "region": "대전",
    "employees": "12",
    "industry": "로봇 제조",
    "website": "https://hanbit.example.kr",
    "tax_arrears": "no",
    "loan_default": "no",
    "participation_ban": "no",
    "duplicate_support": "no",
}
PLAN = {
    "track": "physical_ai_robotics",
    "summary": "물류 로봇",
    "problem": "인력난",
    "solution": "AMR",
    "scale_up": "일본 진출",
    "team": "박사 3명",
    "funding_requested": "200,000,000",
    "target_markets": ["JP", "US"],
}


@pytest.fixture()
def officer(make_user):
    return make_user("officer", email="officer@mss.example.kr")


@pytest.fixture()
def make_call(app, officer):
    """An open, published call (default rules) closing `closes_in` from now."""
    from nup.programmes import services

    def make(closes_in=timedelta(days=5), opened=timedelta(days=5), **values):
        now = utcnow()
        with app.app_context():
            actor = db.session.get(User, officer.id)
            call = services.create_call(
                actor=actor,
                now=now,
                values={
                    "title_ko": "2026 N-Up 모집공고",
                    "title_en": "N-Up 2026 call",
                    "announced_on": to_kst(now - opened).date(),
                    "opens_at": now - opened,
                    "closes_at": now + closes_in,
                    **values,
                },
            )
            services.publish_call(call, actor=actor, now=now)
            db.session.commit()
            return call.id

    return make


@pytest.fixture()
def open_call(make_call):
    return make_call()


def founded_years_ago(years: int) -> str:
    return (to_kst(utcnow()).date() - timedelta(days=365 * years + 30)).isoformat()


def brn_for(number: int) -> str:
    """A valid registration number, different for each `number`."""
    from nup.applications.rules import brn_check_digit

    first = f"{220 + number:03d}81{62510 + number:04d}"[:9]
    return first + str(brn_check_digit(first))


def complete_application(app, user, call_id: int, **values) -> int:
    """A draft with every field and document, ready to submit (through the services)."""
    import io

    from nup.applications import services
    from nup.programmes.models import Call

    now = utcnow()
    with app.app_context():
        actor = db.session.get(User, user.id)
        call = db.session.get(Call, call_id)
        application = services.start_application(call, actor=actor, now=now)
        services.save_draft(
            application,
            actor=actor,
            now=now,
            partial=False,
            values={
                **COMPANY,
                **PLAN,
                "founded_on": founded_years_ago(5),
                "business_registration_number": brn_for(user.id),
                **values,
            },
        )
        for document in call.documents_for("company"):
            services.upload_document(
                application,
                actor=actor,
                kind=document["kind"],
                stream=io.BytesIO(PDF),
                filename=f"{document['kind']}.pdf",
                issued_on=to_kst(now).date() if document.get("max_age_days") else None,
                started_at=now,
                clock=utcnow,
            )
        db.session.commit()
        return application.id
