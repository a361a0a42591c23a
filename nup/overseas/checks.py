"""Mid-term and final checks (중간점검/최종점검): ratings, findings, actions, reclaim grounds (환수) and follow-up."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.overseas import catalogue
from nup.overseas.models import CheckKind, Milestone, MilestoneStatus, PlanCheck, SupportPlan
from nup.overseas.riskcheck import refresh_risk
from nup.timeutil import to_kst

RESULT_ORDER = {"satisfactory": 0, "needs_improvement": 1, "unsatisfactory": 2}


def _snapshot(check: PlanCheck) -> dict:
    return {
        "kind": check.kind,
        "ratings": [check.progress_rating, check.spend_rating, check.outcome_rating],
        "result": check.result,
        "reclaim_grounds": list(check.reclaim_grounds or []),
        "reclaim_amount_won": check.reclaim_amount_won,
        "follow_up_status": check.follow_up_status,
        "action_due_on": check.action_due_on.isoformat() if check.action_due_on else None,
    }


def _clean(values: dict, plan: SupportPlan) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    clean: dict = {}
    for name in ("progress_rating", "spend_rating", "outcome_rating"):
        try:
            rating = int(values.get(name))
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            fail(name, _l("Rate from 1 (poor) to 5 (excellent)."))
        clean[name] = rating
    if values.get("result") not in catalogue.CHECK_RESULTS:
        fail("result", _l("Choose the result of the check."))
    clean["result"] = values.get("result")
    clean["findings"] = (values.get("findings") or "").strip()[:8000]
    clean["actions"] = (values.get("actions") or "").strip()[:8000]
    clean["action_due_on"] = values.get("action_due_on")
    grounds = [g for g in values.get("reclaim_grounds") or [] if g]
    unknown = [g for g in grounds if g not in catalogue.RECLAIM_GROUNDS]
    if unknown:
        fail("reclaim_grounds", _l("Choose reclaim grounds from the list."))
    clean["reclaim_grounds"] = sorted(set(grounds) - set(unknown))
    amount = values.get("reclaim_amount_won") or 0
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = -1
    if amount < 0:
        fail("reclaim_amount_won", _l("Amounts cannot be negative."))
    elif amount > plan.budget_won:
        fail("reclaim_amount_won", _l("The amount to reclaim cannot exceed the agreement budget."))
    clean["reclaim_amount_won"] = max(amount, 0)
    if clean["reclaim_grounds"] and len(clean["findings"]) < 10:
        fail("findings", _l("Describe the findings that support the reclaim grounds."))
    if clean["reclaim_amount_won"] and not clean["reclaim_grounds"]:
        fail("reclaim_grounds", _l("Choose the ground for reclaiming the grant."))
    if clean["result"] != "satisfactory" and not clean["actions"]:
        fail("actions", _l("Say what the startup must do."))
    if errors:
        raise DomainError(_l("The check was not saved. Correct the marked fields."), fields=errors)
    return clean


def record_check(
    plan: SupportPlan, *, actor: User, kind: str, values: dict, version: int | None, now: datetime
) -> PlanCheck:
    """Record (or revise) a mid-term or final check; closes its agreement milestone; audited.

    Reclaim grounds open a follow-up that stays on the at-risk list until it is resolved.
    """
    security.require(actor, "overseas.manage")
    if kind not in set(CheckKind):
        raise DomainError(_l("Unknown check."))
    clean = _clean(values, plan)
    check = db.session.scalar(select(PlanCheck).where(PlanCheck.plan_id == plan.id, PlanCheck.kind == kind))
    before = None
    if check is None:
        check = PlanCheck(plan_id=plan.id, kind=kind, follow_up_status="none")
        db.session.add(check)
    else:
        if version is not None and int(version) != check.version:
            raise StateConflict(_l("Someone else changed this check in the meantime. Reload the page and try again."))
        before = _snapshot(check)
    for name, value in clean.items():
        setattr(check, name, value)
    needs_follow_up = bool(clean["reclaim_grounds"]) or clean["result"] != "satisfactory"
    # A revision that adds a reclaim ground, raises the amount or worsens the result reopens a resolved
    # follow-up: what was resolved was the earlier finding, not this one.
    worse = before is not None and (
        bool(set(clean["reclaim_grounds"]) - set(before["reclaim_grounds"]))
        or (clean["reclaim_amount_won"] or 0) > (before["reclaim_amount_won"] or 0)
        or RESULT_ORDER.get(clean["result"], 0) > RESULT_ORDER.get(before["result"], 0)
    )
    if needs_follow_up and (check.follow_up_status != "resolved" or worse):
        check.follow_up_status = "open"
    elif not needs_follow_up and check.follow_up_status == "open":
        check.follow_up_status = "none"
    check.checked_by_id, check.checked_at = actor.id, now
    milestone = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == kind))
    if milestone is not None and milestone.status != MilestoneStatus.DONE:
        milestone.status, milestone.completed_on, milestone.updated_at = MilestoneStatus.DONE, to_kst(now).date(), now
    db.session.flush()
    audit.record(
        actor,
        f"overseas.check_{'revised' if before else 'recorded'}",
        check,
        before=before,
        after={**_snapshot(check), "plan_id": plan.id},
    )
    refresh_risk(plan, today=to_kst(now).date())
    return check


def record_follow_up(
    check: PlanCheck, *, actor: User, status: str, note: str, version: int | None, now: datetime
) -> PlanCheck:
    """Record how a check's follow-up (corrective action or reclaim) stands: open or resolved."""
    security.require(actor, "overseas.manage")
    if version is not None and int(version) != check.version:
        raise StateConflict(_l("Someone else changed this check in the meantime. Reload the page and try again."))
    if status not in ("open", "resolved"):
        raise DomainError(fields={"status": [str(_l("Choose a status from the list."))]})
    if not (note or "").strip():
        raise DomainError(_l("Describe the follow-up."), fields={"note": [str(_l("Describe the follow-up."))]})
    before = {"follow_up_status": check.follow_up_status, "note": check.follow_up_note}
    check.follow_up_status = status
    check.follow_up_note = note.strip()[:4000]
    db.session.flush()
    audit.record(
        actor,
        "overseas.check_follow_up",
        check,
        before=before,
        after={"follow_up_status": status, "note": check.follow_up_note},
    )
    refresh_risk(db.session.get(SupportPlan, check.plan_id), today=to_kst(now).date())
    return check
