"""Physical AI prioritisation: classify an application's text, flag disagreement, record the officer's word.

The declared track decides the priority field until an officer decides; where the text and the
declaration disagree the application is flagged for that decision. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import DomainError
from nup.extensions import db
from nup.priority.classifier import Classification, classify
from nup.priority.models import PriorityPolicyVersion
from nup.programmes import policy
from nup.programmes.models import Call

TEXT_FIELDS = ("summary", "problem", "solution", "scale_up", "team", "industry")


def application_text(application: Application) -> str:
    return "\n".join(getattr(application, name) or "" for name in TEXT_FIELDS)


def declared_physical_ai(application: Application) -> bool:
    """What the applicant's chosen track declares."""
    return bool((application.call.track(application.track) or {}).get("physical_ai"))


def _has_results(call_id: int, application_id: int | None = None) -> bool:
    """Whether results have been sent (in the call, or to one application): the priority is then fixed."""
    query = select(Application.id).where(Application.call_id == call_id, Application.status == ApplicationStatus.RESULT)
    if application_id is not None:
        query = query.where(Application.id == application_id)
    return db.session.scalar(query.limit(1)) is not None


def classify_application(application: Application, *, now: datetime) -> Classification:
    """Read the application's text; record the result and whether it disagrees with the declaration."""
    result = classify(
        application_text(application),
        declared_track=application.track,
        declared_physical_ai=declared_physical_ai(application),
    )
    application.detected_physical_ai = result.physical_ai
    application.priority_score = round(result.score, 4)
    application.priority_subfield = result.subfield
    application.priority_confidence = result.confidence
    application.priority_evidence = list(result.evidence)[:20]
    application.classified_at = now
    if application.priority_decision is None:
        application.priority_flagged = result.physical_ai != declared_physical_ai(application)
    db.session.flush()
    return result


def decide_priority(application: Application, *, actor, physical_ai: bool, reason: str, now: datetime) -> Application:
    """The officer confirms or overrides the priority field, with a reason; their word decides."""
    security.require(actor, "applications.screen")
    if _has_results(application.call_id, application.id):
        raise DomainError(_l("This application's result has been sent: its Physical AI field is settled."))
    if not reason.strip():
        raise DomainError(_l("Give the reason."), fields={"reason": [str(_l("Give the reason."))]})
    before = {
        "physical_ai": application.physical_ai,
        "decision": application.priority_decision,
        "flagged": application.priority_flagged,
    }
    application.priority_decision = physical_ai
    application.physical_ai = physical_ai
    application.priority_reason = reason.strip()[:2000]
    application.priority_decided_by_id, application.priority_decided_at = actor.id, now
    application.priority_flagged = False
    db.session.flush()
    audit.record(
        actor,
        "priority.decided",
        application,
        before=before,
        after={"physical_ai": physical_ai, "reason": application.priority_reason},
    )
    return application


def unclassified(limit: int = 500) -> list[tuple[int, bool]]:
    """(id, physical_ai) of submitted applications the classifier has not read yet (for the sweeper)."""
    rows = db.session.execute(
        select(Application.id, Application.physical_ai)
        .where(Application.submitted_at.is_not(None), Application.classified_at.is_(None))
        .where(Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.physical_ai.desc(), Application.submitted_at)
        .limit(limit)
    )
    return [(i, bool(p)) for i, p in rows]


def source_of(application: Application) -> str:
    if application.priority_decision is not None:
        return "officer"
    return "declared_track"


def set_policy(
    call: Call,
    *,
    actor,
    bonus_points: float,
    min_share: float,
    tie_breaker: bool,
    processing_priority: bool,
    reason: str,
    now: datetime,
) -> PriorityPolicyVersion:
    """Change the call's Physical AI policy: a new version is kept, the bonus rule follows, it is audited."""
    security.require(actor, "calls.manage")
    if _has_results(call.id):
        raise DomainError(_l("Results of this call have been sent: its Physical AI policy can no longer change."))
    errors: dict[str, list[str]] = {}
    if not 0 <= bonus_points <= min(20.0, call.bonus_cap or 0.0):
        errors["bonus_points"] = [str(_l("From 0 to the call's bonus cap (%(cap)s).", cap=f"{call.bonus_cap:g}"))]
    if not 0 <= min_share <= 1:
        errors["min_share"] = [str(_l("A share from 0 to 100 percent."))]
    if not reason.strip():
        errors["reason"] = [str(_l("Give the reason."))]
    if errors:
        raise DomainError(_l("The policy could not be saved: see the marked fields."), fields=errors)
    before = policy.policy_of(call)
    after = {
        "bonus_points": float(bonus_points),
        "min_share": float(min_share),
        "tie_breaker": bool(tie_breaker),
        "processing_priority": bool(processing_priority),
        "version": before["version"] + 1,
    }
    call.priority_policy = after
    call.bonus_rules = policy.bonus_rules_with(call.bonus_rules, float(bonus_points))
    call.updated_at = now
    if before["version"] == 0:
        # Keep the policy the call started with, so every version in force can be shown.
        db.session.add(
            PriorityPolicyVersion(
                call_id=call.id, version=0, policy=before, reason="", created_by_id=None, created_at=call.created_at
            )
        )
    version = PriorityPolicyVersion(
        call_id=call.id, version=after["version"], policy=after, reason=reason.strip(), created_by_id=actor.id
    )
    version.created_at = now
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "priority.policy_changed", call, before=before, after=after, detail=reason.strip())
    return version


def policy_versions(call: Call) -> list[PriorityPolicyVersion]:
    return list(
        db.session.scalars(
            select(PriorityPolicyVersion)
            .where(PriorityPolicyVersion.call_id == call.id)
            .order_by(PriorityPolicyVersion.version.desc())
        )
    )
