"""Write logic of agreements and support plans: plans, items, spend and milestones (flush, never commit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.notifications import services as notifications
from nup.overseas import catalogue, currency, kpis
from nup.overseas.models import (
    Milestone,
    MilestoneStatus,
    PlanStatus,
    SpendEntry,
    SupportItem,
    SupportPlan,
)
from nup.overseas.reporting import reporting_for
from nup.overseas.riskcheck import refresh_risk
from nup.reviews.cohort import is_selected
from nup.timeutil import to_kst

MAX_BUDGET = 10_000_000_000  # ₩10bn: far above any N-Up grant, catches a misplaced digit
KICKOFF_AFTER = timedelta(days=14)


def _fail(field: str, message) -> DomainError:
    return DomainError(_l("Some fields are not valid."), fields={field: [str(message)]})


def _check_won(value: int | None, field: str, *, most: int = MAX_BUDGET) -> int:
    if value is None:
        raise _fail(field, _l("Enter an amount in won."))
    if value < 0:
        raise _fail(field, _l("Amounts cannot be negative."))
    if value > most:
        raise _fail(field, _l("This amount is too large. Check the number of digits."))
    return int(value)


def _check_countries(codes: list[str] | None) -> list[str]:
    codes = [c.strip().upper() for c in codes or [] if c and c.strip()]
    unknown = [c for c in codes if c not in catalogue.COUNTRIES]
    if unknown:
        raise _fail("target_countries", _l("Unknown country code: %(codes)s.", codes=", ".join(unknown)))
    if not codes:
        raise _fail("target_countries", _l("Choose at least one target country."))
    return list(dict.fromkeys(codes))


def _require_version(obj, version: int | None) -> None:
    """Refuse a change made on an out-of-date copy (another officer saved in between)."""
    if version is not None and int(version) != obj.version:
        raise StateConflict(_l("Someone else changed this in the meantime. Reload the page and try again."))


def create_plan(
    application: Application,
    *,
    actor: User,
    starts_on: date,
    months: int,
    budget_won: int,
    target_countries: list[str],
    agreement_number: str = "",
    notes: str = "",
    now: datetime,
) -> SupportPlan:
    """Sign the agreement (협약) of a selected startup: its period, budget, markets and the agreement milestones.

    Creates the kick-off, mid-term check (half-way, month 5 of 10) and final check milestones and
    queues the founder's notice. Refused for a startup that was not selected or already has a plan.
    """
    security.require(actor, "overseas.manage")
    if not is_selected(application.id):
        raise StateConflict(_l("Only selected startups get a support plan."))
    if db.session.scalar(select(SupportPlan.id).where(SupportPlan.application_id == application.id)):
        raise StateConflict(_l("This startup already has a support plan."))
    if not 1 <= (months or 0) <= 36:
        raise _fail("months", _l("The agreement lasts between 1 and 36 months."))
    settings = reporting_for(application.call_id)
    plan = SupportPlan(
        application_id=application.id,
        call_id=application.call_id,
        user_id=application.user_id,
        agreement_number=(agreement_number or "").strip()[:40],
        starts_on=starts_on,
        months=months,
        ends_on=kpis.agreement_end(starts_on, months),
        budget_won=_check_won(budget_won, "budget_won"),
        target_countries=_check_countries(target_countries),
        report_frequency=settings.frequency,
        report_due_days=settings.due_days,
        status=PlanStatus.ACTIVE,
        notes=(notes or "").strip()[:4000],
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    for kind, due in (
        ("kickoff", starts_on + KICKOFF_AFTER),
        ("midterm", kpis.add_months(starts_on, months // 2)),
        ("final", plan.ends_on),
    ):
        db.session.add(
            Milestone(
                plan_id=plan.id, kind=kind, title=str(catalogue.MILESTONE_KINDS[kind]), due_on=due, updated_at=now
            )
        )
    db.session.flush()
    audit.record(actor, "overseas.plan_created", plan, after=plan_snapshot(plan))
    founder = db.session.get(User, plan.user_id)
    notifications.queue(
        "overseas_plan_created",
        to=founder,
        key=f"plan-{plan.id}",
        call_id=plan.call_id,
        context={
            "name": founder.name,
            "company": application.company_name,
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat(),
            "budget_won": plan.budget_won,
            "plan_id": plan.id,
        },
    )
    refresh_risk(plan, today=to_kst(now).date())
    return plan


def plan_snapshot(plan: SupportPlan) -> dict:
    return {
        "agreement_number": plan.agreement_number,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "months": plan.months,
        "budget_won": plan.budget_won,
        "target_countries": list(plan.target_countries or []),
        "status": plan.status,
        "notes": plan.notes,
    }


def update_plan(plan: SupportPlan, *, actor: User, values: dict, version: int | None, now: datetime) -> SupportPlan:
    """Change the agreement's terms; the before and after are audited. Refused on a stale copy."""
    security.require(actor, "overseas.manage")
    _require_version(plan, version)
    before = plan_snapshot(plan)
    if "months" in values and not 1 <= (values["months"] or 0) <= 36:
        raise _fail("months", _l("The agreement lasts between 1 and 36 months."))
    if "status" in values and values["status"] not in set(PlanStatus):
        raise _fail("status", _l("Choose a status from the list."))
    starts_on = values.get("starts_on") or plan.starts_on
    months = values.get("months") or plan.months
    ends_on = kpis.agreement_end(starts_on, months)
    from nup.overseas.models import KpiReport

    outside = db.session.scalar(
        select(func.count(KpiReport.id)).where(
            KpiReport.plan_id == plan.id, (KpiReport.period_end < starts_on) | (KpiReport.period_start > ends_on)
        )
    )
    if outside:
        raise _fail("months", _l("Reports already filed would fall outside the new agreement period."))
    if "budget_won" in values:
        budget = _check_won(values["budget_won"], "budget_won")
        if budget < sum(item.budget_won for item in plan.items):
            raise _fail("budget_won", _l("The budget cannot be less than the support items' budgets."))
        plan.budget_won = budget
    if "target_countries" in values:
        plan.target_countries = _check_countries(values["target_countries"])
    plan.starts_on, plan.months, plan.ends_on = starts_on, months, ends_on
    for key in ("agreement_number", "notes", "status"):
        if key in values:
            setattr(plan, key, (values[key] or "").strip())
    plan.updated_at = now
    db.session.flush()
    after = plan_snapshot(plan)
    if after != before:
        audit.record(actor, "overseas.plan_changed", plan, before=before, after=after)
    refresh_risk(plan, today=to_kst(now).date())
    return plan


def add_item(
    plan: SupportPlan, *, actor: User, values: dict, request_key: str | None = None, now: datetime
) -> SupportItem:
    """Add a support item (type, partner, country, budget, dates) inside the agreement and its budget."""
    security.require(actor, "overseas.manage")
    if request_key and (done := db.session.scalar(select(SupportItem).where(SupportItem.request_key == request_key))):
        return done  # a double click adds it once
    kind = values.get("kind")
    if kind not in catalogue.ITEM_KINDS:
        raise _fail("kind", _l("Choose the type of support."))
    country = (values.get("country") or "").upper()
    if country and country not in catalogue.COUNTRIES:
        raise _fail("country", _l("Choose a country from the list."))
    budget = _check_won(values.get("budget_won"), "budget_won")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not starts_on or not ends_on or ends_on < starts_on:
        raise _fail("ends_on", _l("The end date must be on or after the start date."))
    if starts_on < plan.starts_on or ends_on > plan.ends_on:
        raise _fail("starts_on", _l("Support items must fall inside the agreement period."))
    if sum(i.budget_won for i in plan.items) + budget > plan.budget_won:
        raise _fail("budget_won", _l("The support items would cost more than the agreement budget."))
    item = SupportItem(
        plan_id=plan.id,
        kind=kind,
        partner=(values.get("partner") or "").strip()[:120],
        country=country,
        description=(values.get("description") or "").strip()[:4000],
        budget_won=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        request_key=request_key or None,
        created_at=now,
    )
    plan.items.append(item)
    plan.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "overseas.item_added",
        plan,
        after={"item_id": item.id, "kind": kind, "budget_won": budget, "partner": item.partner, "country": country},
    )
    return item


def record_spend(
    item: SupportItem,
    *,
    actor: User,
    spent_on: date,
    currency_code: str,
    amount: object,
    rate: object,
    description: str = "",
    request_key: str | None = None,
    now: datetime,
) -> SpendEntry:
    """Record money spent on a support item; a foreign amount keeps its currency, rate and won value."""
    security.require(actor, "overseas.manage")
    if request_key and (done := db.session.scalar(select(SpendEntry).where(SpendEntry.request_key == request_key))):
        return done
    try:
        code = currency.check_currency(currency_code)
    except currency.AmountError as error:
        raise _fail("currency", error.message) from error
    try:
        value = currency.parse_amount(amount, code)
    except currency.AmountError as error:
        raise _fail("amount", error.message) from error
    try:
        exchange = currency.parse_rate(rate, code)
    except currency.AmountError as error:
        raise _fail("rate", error.message) from error
    if value <= 0:
        raise _fail("amount", _l("Enter the amount spent."))
    plan = item.plan
    if spent_on is None or not plan.starts_on <= spent_on <= plan.ends_on:
        raise _fail("spent_on", _l("The date must fall inside the agreement period."))
    entry = SpendEntry(
        item_id=item.id,
        plan_id=item.plan_id,
        spent_on=spent_on,
        currency=code,
        amount_minor=currency.to_minor(value, code),
        exchange_rate=currency.rate_text(exchange),
        amount_won=currency.to_won(value, exchange),
        description=(description or "").strip()[:300],
        request_key=request_key or None,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(entry)
    item.spent_won += entry.amount_won
    plan.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "overseas.spend_recorded",
        plan,
        after={
            "item_id": item.id,
            "currency": code,
            "amount": str(value),
            "rate": entry.exchange_rate,
            "amount_won": entry.amount_won,
        },
    )
    refresh_risk(plan, today=to_kst(now).date())
    return entry


def add_milestone(
    plan: SupportPlan, *, actor: User, title: str, due_on: date | None, item_id: int | None, now: datetime
) -> Milestone:
    """Add a milestone to the plan (optionally of one support item), due inside the agreement."""
    security.require(actor, "overseas.manage")
    title = (title or "").strip()
    if not title:
        raise _fail("title", _l("Name the milestone."))
    if due_on is None or not plan.starts_on <= due_on <= plan.ends_on:
        raise _fail("due_on", _l("The due date must fall inside the agreement period."))
    if item_id and item_id not in {i.id for i in plan.items}:
        raise _fail("item_id", _l("Choose a support item of this plan."))
    milestone = Milestone(
        plan_id=plan.id, item_id=item_id or None, kind="item", title=title[:200], due_on=due_on, updated_at=now
    )
    db.session.add(milestone)
    db.session.flush()
    audit.record(
        actor,
        "overseas.milestone_added",
        plan,
        after={"milestone_id": milestone.id, "title": title, "due_on": due_on.isoformat()},
    )
    refresh_risk(plan, today=to_kst(now).date())
    return milestone


def set_milestone_status(milestone: Milestone, *, actor: User, status: str, note: str, now: datetime) -> Milestone:
    """The officer confirms, waives or reopens a milestone."""
    security.require(actor, "overseas.manage")
    if status not in set(MilestoneStatus):
        raise _fail("status", _l("Choose a status from the list."))
    if status == MilestoneStatus.WAIVED and not (note or "").strip():
        raise _fail("note", _l("Say why the milestone is waived."))
    before = {"status": milestone.status}
    milestone.status = status
    milestone.completed_on = to_kst(now).date() if status == MilestoneStatus.DONE else None
    milestone.note = (note or milestone.note or "").strip()[:2000]
    milestone.updated_at = now
    db.session.flush()
    audit.record(actor, "overseas.milestone_status", milestone, before=before, after={"status": status})
    refresh_risk(milestone.plan, today=to_kst(now).date())
    return milestone


OFFICERS_MILESTONES = ("midterm", "final")  # closed by recording the check, never by the startup


def check_founder_may_write(plan: SupportPlan, *, milestone: Milestone | None = None) -> None:
    """A startup changes its records only under an active agreement, and never the officers' check milestones."""
    if plan.status != PlanStatus.ACTIVE:
        raise StateConflict(_l("This agreement is closed; it can no longer be changed."))
    if milestone is not None and milestone.kind in OFFICERS_MILESTONES:
        raise StateConflict(_l("The programme office closes this milestone when it records the check."))


def submit_milestone(milestone: Milestone, *, actor: User, note: str, now: datetime) -> Milestone:
    """The startup reports a milestone done; it needs at least one evidence file."""
    security.require(actor, "overseas.plan.own", milestone.plan)
    check_founder_may_write(milestone.plan, milestone=milestone)
    if milestone.status in (MilestoneStatus.DONE, MilestoneStatus.WAIVED):
        raise StateConflict(_l("This milestone is already closed."))
    if not milestone.evidence:
        raise _fail("file", _l("Upload evidence before reporting the milestone done."))
    milestone.status = MilestoneStatus.SUBMITTED
    milestone.note = (note or "").strip()[:2000]
    milestone.updated_at = now
    db.session.flush()
    audit.record(actor, "overseas.milestone_submitted", milestone)
    refresh_risk(milestone.plan, today=to_kst(now).date())
    return milestone
