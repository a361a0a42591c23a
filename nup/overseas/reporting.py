"""How often a call's startups report KPIs (monthly or quarterly) and when a report is due."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.overseas import kpis
from nup.overseas.models import CallReporting, KpiReport, SupportPlan


def _fail(field: str, message) -> DomainError:
    return DomainError(_l("Some fields are not valid."), fields={field: [str(message)]})


def reporting_for(call_id: int) -> CallReporting:
    """The call's reporting settings (monthly, due 10 days after the period, unless the officer changed them)."""
    return db.session.get(CallReporting, call_id) or CallReporting(call_id=call_id, frequency="monthly", due_days=10)


def set_call_reporting(call_id: int, *, actor: User, frequency: str, due_days: int, now: datetime) -> CallReporting:
    """Set how often a call's startups report; refused once reports exist under another frequency."""
    security.require(actor, "overseas.manage")
    if frequency not in kpis.FREQUENCIES:
        raise _fail("frequency", _l("Choose monthly or quarterly."))
    if not 0 <= due_days <= 60:
        raise _fail("due_days", _l("Give between 0 and 60 days."))
    settings = db.session.get(CallReporting, call_id)
    before = {"frequency": settings.frequency, "due_days": settings.due_days} if settings else None
    plans = list(db.session.scalars(select(SupportPlan).where(SupportPlan.call_id == call_id)))
    # Judged per plan, not by the call's row: before the first save every plan reports monthly by default.
    if _has_reports([p.id for p in plans if p.report_frequency != frequency]):
        raise StateConflict(_l("Reports have been filed under the current frequency; it can no longer change."))
    if settings is None:
        settings = CallReporting(call_id=call_id)
        db.session.add(settings)
    settings.frequency, settings.due_days, settings.updated_at = frequency, due_days, now
    for plan in plans:
        plan.report_frequency, plan.report_due_days = frequency, due_days
    db.session.flush()
    audit.record(
        actor,
        "overseas.reporting_set",
        settings,
        before=before,
        after={"frequency": frequency, "due_days": due_days, "call_id": call_id},
    )
    return settings


def _has_reports(plan_ids: list[int]) -> bool:
    return bool(plan_ids) and bool(
        db.session.scalar(select(func.count(KpiReport.id)).where(KpiReport.plan_id.in_(plan_ids)))
    )
