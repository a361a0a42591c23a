"""KPI reports (성과보고): the startup files and corrects them, the officer accepts or returns them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db, savepoint
from nup.notifications import services as notifications
from nup.overseas import catalogue, currency, kpis
from nup.overseas.models import KpiReport, PlanStatus, ReportReview, ReportStatus, SupportPlan
from nup.overseas.riskcheck import refresh_risk
from nup.timeutil import to_kst

MONEY_FIELDS = ("export_value", "overseas_sales", "investment")
COUNT_FIELDS = ("export_contracts", "jobs_overseas", "jobs_domestic")
MAX_COUNT = 100_000
# A second identical filing this soon after the first is the same click arriving twice.
DOUBLE_SUBMIT = timedelta(minutes=2)


class DuplicateReport(StateConflict):
    code = "duplicate_report"

    def __init__(self, existing: KpiReport):
        super().__init__(
            _l(
                "A report for %(period)s has already been filed. Open it to see its status or correct it.",
                period=existing.period_label,
            ),
            fields={"period": [str(_l("A report for this period already exists."))]},
        )
        self.existing_id = existing.id


def clean_report(values: dict, plan: SupportPlan, *, today: date) -> dict:
    """Check a report's values against the plan; raise DomainError listing every bad field (nothing is saved)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    def fail(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    period = kpis.parse_period(str(values.get("period") or ""), plan.report_frequency)
    if period is None:
        fail("period", _l("Choose the reporting period."))
    elif not kpis.in_agreement(period, plan.starts_on, plan.ends_on):
        fail(
            "period",
            _l("This period is outside the agreement (%(start)s to %(end)s).", start=plan.starts_on, end=plan.ends_on),
        )
    elif period.end >= today:
        # Figures for a period still running would be partial, and its report would block the real one.
        fail("period", _l("A period can be reported once it has ended (%(end)s).", end=period.end))
    else:
        clean["period"] = period
    try:
        code = currency.check_currency(values.get("currency") or "KRW")
    except currency.AmountError as error:
        fail("currency", error.message)
        code = None
    rate = None
    if code:
        clean["currency"] = code
        try:
            rate = currency.parse_rate(values.get("exchange_rate"), code)
            clean["exchange_rate"] = currency.rate_text(rate)
        except currency.AmountError as error:
            fail("exchange_rate", error.message)
    for name in MONEY_FIELDS:
        if code is None:
            break
        try:
            amount = currency.parse_amount(values.get(name), code)
        except currency.AmountError as error:
            fail(name, error.message)
            continue
        clean[f"{name}_minor"] = currency.to_minor(amount, code)
        if rate is not None:
            clean[f"{name}_won"] = currency.to_won(amount, rate)
    for name in COUNT_FIELDS:
        raw = values.get(name)
        text = "" if raw is None else str(raw).strip()
        if text == "":
            clean[name] = 0
        elif not re.fullmatch(r"-?[0-9]+", text):  # ASCII digits only: "²".isdigit() is true but int("²") fails
            fail(name, _l("Enter a whole number."))
        elif int(text) < 0:
            fail(name, _l("Counts cannot be negative."))
        elif int(text) > MAX_COUNT:
            fail(name, _l("This number is too large."))
        else:
            clean[name] = int(text)
    market = (values.get("market") or "").strip().upper()
    if market and market not in catalogue.COUNTRIES:
        fail("market", _l("Choose a country from the list."))
    clean["market"] = market or ((plan.target_countries or [""])[0])
    clean["rate_source"] = (values.get("rate_source") or "").strip()[:200]
    clean["narrative"] = (values.get("narrative") or "").strip()[:8000]
    established = values.get("entity_established") in (True, "y", "true", "on", "1", 1)
    clean["entity_established"] = established
    clean["entity_country"], clean["entity_established_on"] = "", None
    if established:
        country = (values.get("entity_country") or "").strip().upper()
        if country not in catalogue.COUNTRIES:
            fail("entity_country", _l("Choose the country of the local entity."))
        when = values.get("entity_established_on")
        if isinstance(when, str):
            try:
                when = date.fromisoformat(when) if when else None
            except ValueError:
                when = None
        if when is None:
            fail("entity_established_on", _l("Enter the date the local entity was established."))
        elif when > today:
            fail("entity_established_on", _l("This date is in the future."))
        clean["entity_country"], clean["entity_established_on"] = country, when
    if errors:
        raise DomainError(_l("The report was not saved. Correct the marked fields."), fields=errors)
    return clean


def _apply(report: KpiReport, clean: dict) -> None:
    for name, value in clean.items():
        if name != "period":
            setattr(report, name, value)


def _same_values(report: KpiReport, clean: dict) -> bool:
    return all(getattr(report, k) == v for k, v in clean.items() if k != "period")


def _flush_or_stale() -> None:
    """Write now, so a report changed in another window ends in a 409, not a server error."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StateConflict(_l("This report changed in the meantime. Reload the page and try again.")) from error


def file_report(plan: SupportPlan, *, actor: User, values: dict, now: datetime) -> KpiReport:
    """File the KPI report of one period for the startup's own plan; one report per period.

    Refused for a period outside the agreement or not yet begun, and for a period already
    reported (DuplicateReport); the same submission arriving twice returns the first report.
    """
    security.require(actor, "overseas.plan.own", plan)
    if plan.status != PlanStatus.ACTIVE:
        raise StateConflict(_l("This agreement is closed; reports can no longer be filed."))
    clean = clean_report(values, plan, today=to_kst(now).date())
    period: kpis.Period = clean["period"]
    existing = db.session.scalar(
        select(KpiReport).where(KpiReport.plan_id == plan.id, KpiReport.period_start == period.start)
    )
    if existing is not None:
        if (
            existing.filed_by_id == actor.id
            and now - existing.submitted_at < DOUBLE_SUBMIT
            and _same_values(existing, clean)
        ):
            return existing
        raise DuplicateReport(existing)
    report = KpiReport(
        plan_id=plan.id,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        status=ReportStatus.SUBMITTED,
        filed_by_id=actor.id,
        submitted_at=now,
    )
    _apply(report, clean)
    try:
        with savepoint():
            db.session.add(report)
    except IntegrityError:
        # Another request filed this period a moment ago: the unique key kept one; say so.
        raise DuplicateReport(
            db.session.scalar(
                select(KpiReport).where(KpiReport.plan_id == plan.id, KpiReport.period_start == period.start)
            )
        ) from None
    report.created_now = True  # not a repeat of a double submission: its evidence is still to store
    audit.record(actor, "overseas.report_filed", report, after=report_snapshot(report))
    refresh_risk(plan, today=to_kst(now).date())
    return report


def report_snapshot(report: KpiReport) -> dict:
    return {
        "period": report.period_label,
        "status": report.status,
        "currency": report.currency,
        "exchange_rate": report.exchange_rate,
        "export_contracts": report.export_contracts,
        "export_value_won": report.export_value_won,
        "overseas_sales_won": report.overseas_sales_won,
        "investment_won": report.investment_won,
        "jobs_overseas": report.jobs_overseas,
        "jobs_domestic": report.jobs_domestic,
        "entity_established": report.entity_established,
        "revision": report.revision,
    }


def correct_report(report: KpiReport, *, actor: User, values: dict, version: int | None, now: datetime) -> KpiReport:
    """Submit a returned report again with corrections (its period stays); the officer reviews it anew."""
    security.require(actor, "overseas.plan.own", report.plan)
    if report.plan.status != PlanStatus.ACTIVE:
        raise StateConflict(_l("This agreement is closed; reports can no longer be filed."))
    if version is not None and int(version) != report.version:
        raise StateConflict(_l("This report changed in the meantime. Reload the page and try again."))
    if report.status != ReportStatus.RETURNED:
        raise StateConflict(_l("Only a report returned for correction can be changed."))
    values = {**values, "period": report.period_label}
    clean = clean_report(values, report.plan, today=to_kst(now).date())
    before = report_snapshot(report)
    _apply(report, clean)
    report.status = ReportStatus.SUBMITTED
    report.revision += 1
    report.submitted_at = now
    _flush_or_stale()
    audit.record(actor, "overseas.report_corrected", report, before=before, after=report_snapshot(report))
    refresh_risk(report.plan, today=to_kst(now).date())
    return report


def decide_report(
    report: KpiReport, *, actor: User, accept: bool, comment: str, version: int | None, now: datetime
) -> KpiReport:
    """Accept a submitted report, or return it with a comment saying what to correct; the founder is told."""
    security.require(actor, "overseas.manage")
    if version is not None and int(version) != report.version:
        raise StateConflict(_l("This report changed in the meantime. Reload the page and try again."))
    if report.status != ReportStatus.SUBMITTED:
        raise StateConflict(_l("This report has already been decided."))
    comment = (comment or "").strip()
    if not accept and len(comment) < 5:
        raise DomainError(
            _l("Say what the startup must correct."), fields={"comment": [str(_l("Say what must be corrected."))]}
        )
    before = {"status": report.status}
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.decided_by_id, report.decided_at, report.officer_comment = actor.id, now, comment[:4000]
    db.session.add(
        ReportReview(
            report_id=report.id,
            revision=report.revision,
            decision=report.status,
            comment=comment[:4000],
            decided_by_id=actor.id,
            decided_at=now,
        )
    )
    _flush_or_stale()
    audit.record(
        actor,
        f"overseas.report_{report.status}",
        report,
        before=before,
        after={"status": report.status, "comment": comment[:500], "revision": report.revision},
    )
    founder = db.session.get(User, report.plan.user_id)
    notifications.queue(
        "overseas_report_accepted" if accept else "overseas_report_returned",
        to=founder,
        key=f"report-{report.id}-r{report.revision}",
        call_id=report.plan.call_id,
        context={
            "name": founder.name,
            "period": report.period_label,
            "comment": comment,
            "report_id": report.id,
        },
    )
    refresh_risk(report.plan, today=to_kst(now).date())
    return report
