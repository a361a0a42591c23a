"""The person's rights and the officers' answers: requests, consents, account deletion, legal holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from nup import security
from nup.accounts import services as accounts
from nup.accounts.consents import CONSENTS_BY_KIND
from nup.accounts.models import Role, User
from nup.applications.models import Application, ApplicationStatus
from nup.audit import services as audit
from nup.errors import Conflict, DomainError, NotFound
from nup.extensions import db
from nup.mentoring.models import Mentor, MentoringSession
from nup.notifications import services as notifications
from nup.privacy import purge
from nup.privacy.models import LegalHold, PrivacyRequest, RequestKind, RequestStatus
from nup.privacy.retention import RULES_BY_KEY
from nup.programmes.models import Call
from nup.reviews.cohort import is_selected
from nup.reviews.models import Objection, ObjectionStatus
from nup.timeutil import to_kst

ANSWER_DAYS = 10  # the legal deadline for answering a request about one's data


# ------------------------------------------------------------------------ requests


def file_request(*, actor: User, kind: str, details: str, now: datetime) -> PrivacyRequest:
    """Record an access or correction request (deletion has its own door); due in 10 days."""
    if kind not in (RequestKind.ACCESS, RequestKind.CORRECTION):
        raise DomainError(fields={"kind": [str(_l("Choose what you are asking for."))]})
    details = (details or "").strip()
    if kind == RequestKind.CORRECTION and not details:
        raise DomainError(fields={"details": [str(_l("Say what is wrong and what it should be."))]})
    request = PrivacyRequest(
        user_id=actor.id, kind=kind, details=details[:5000], filed_at=now, due_at=now + timedelta(days=ANSWER_DAYS)
    )
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "privacy.request_filed", request, after={"kind": kind})
    return request


def answer_request(request: PrivacyRequest, *, actor: User, done: bool, answer: str, now: datetime) -> PrivacyRequest:
    """Close a request as done or refused, with the answer the person reads on their page."""
    security.require(actor, "privacy.manage")
    if request.status != RequestStatus.OPEN:
        raise Conflict(_l("This request has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(fields={"answer": [str(_l("Write the answer the person will read."))]})
    request.status = RequestStatus.DONE if done else RequestStatus.REFUSED
    request.answer = answer[:5000]
    request.answered_at = now
    request.answered_by_id = actor.id
    audit.record(actor, "privacy.request_answered", request, after={"status": request.status})
    db.session.flush()
    return request


def open_requests() -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            select(PrivacyRequest).where(PrivacyRequest.status == RequestStatus.OPEN).order_by(PrivacyRequest.due_at)
        )
    )


def answered_since(since: datetime) -> list[PrivacyRequest]:
    """Requests answered since `since`, newest first (deletions are answered at once, done or refused)."""
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status != RequestStatus.OPEN, PrivacyRequest.answered_at >= since)
            .order_by(PrivacyRequest.answered_at.desc())
        )
    )


def requests_due(*, before: datetime) -> list[PrivacyRequest]:
    """Open requests whose legal deadline falls before `before` (for the officers' digest)."""
    return [r for r in open_requests() if r.due_at <= before]


# ------------------------------------------------------------------------ consents


def withdraw_consent(*, actor: User, kind: str, ip: str | None, now: datetime) -> None:
    """Withdraw an optional consent; record_consent applies its stated consequence (no more news mail)."""
    text = CONSENTS_BY_KIND.get(kind)
    if text is None:
        raise NotFound()
    if text.required:
        raise DomainError(
            _l("This consent is needed to keep your account; to withdraw it, ask for your account to be deleted.")
        )
    accounts.record_consent(user=actor, kind=kind, granted=False, ip=ip, now=now)
    db.session.flush()


# ------------------------------------------------------------------------ deletion


@dataclass(frozen=True)
class DeletionAnswer:
    possible: bool
    reason: str = ""
    possible_on: date | None = None


def _application_expiry(application: Application, call: Call) -> date | None:
    if application.anonymised_at is not None:
        return None
    close_day = to_kst(call.closes_at).date()
    if application.status in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN):
        return None  # nothing obliges us to keep a draft: it goes with the account
    if is_selected(application.id):
        anchor = purge.selected_anchor(application.id)
        return RULES_BY_KEY["selected_agreement"].expires_on(anchor) if anchor else None
    return RULES_BY_KEY["unselected_application"].expires_on(close_day)


def _rule_of(application: Application) -> str:
    """The retention rule an application falls under (it decides what is kept for statistics)."""
    if application.status in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN):
        return "withdrawn_draft"
    return "selected_agreement" if is_selected(application.id) else "unselected_application"


def assess_deletion(user: User, *, now: datetime) -> DeletionAnswer:
    """Whether the account can be deleted now; if not, the legal reason and the date it becomes possible."""
    today = to_kst(now).date()
    if user.role in (Role.OFFICER, Role.REVIEWER):
        return DeletionAnswer(
            False,
            str(
                _l("Staff and evaluator accounts are part of the evaluation record; the programme office closes them.")
            ),
        )
    held = db.session.scalar(
        select(LegalHold.id).where(LegalHold.lifted_at.is_(None), LegalHold.user_id == user.id)
    ) or db.session.scalar(
        select(LegalHold.id)
        .join(Application, Application.id == LegalHold.application_id)
        .where(LegalHold.lifted_at.is_(None), Application.user_id == user.id)
    )
    objection = db.session.scalar(
        select(Objection.id)
        .join(Application, Application.id == Objection.application_id)
        .where(Application.user_id == user.id, Objection.status == ObjectionStatus.FILED)
    )
    if held or objection:
        return DeletionAnswer(
            False,
            str(
                _l(
                    "An objection or dispute about your application is open; your records must be kept "
                    "until it is closed."
                )
            ),
        )
    dates: list[date] = []
    for application, call in db.session.execute(
        select(Application, Call).join(Call, Call.id == Application.call_id).where(Application.user_id == user.id)
    ):
        if application.anonymised_at is None and application.status not in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.WITHDRAWN,
        ):
            expiry = _application_expiry(application, call)
            if expiry is None:  # selected, agreement not yet dated: five years after it ends
                return DeletionAnswer(
                    False,
                    str(
                        _l(
                            "Your company was selected: the law requires us to keep its records for five years after "
                            "the support agreement ends, a date not yet fixed."
                        )
                    ),
                )
            if expiry > today:
                dates.append(expiry)
    mentor = db.session.scalar(select(Mentor).where(Mentor.user_id == user.id))
    if mentor is not None:
        last = db.session.scalar(
            select(MentoringSession.ends_at)
            .where(MentoringSession.mentor_id == mentor.id, MentoringSession.anonymised_at.is_(None))
            .order_by(MentoringSession.ends_at.desc())
            .limit(1)
        )
        if last is not None:
            expiry = RULES_BY_KEY["mentoring_log"].expires_on(to_kst(last).date())
            if expiry > today:
                dates.append(expiry)
    if dates:
        return DeletionAnswer(
            False,
            str(
                _l(
                    "Records of your applications or mentoring must be kept for the periods in our retention rules "
                    "(evaluation disputes, audits of public grants)."
                )
            ),
            max(dates),
        )
    return DeletionAnswer(True)


def request_deletion(*, actor: User, now: datetime) -> DeletionAnswer:
    """Delete the account now if no record must be kept, confirming by email; else refuse with the reason.

    Both outcomes are recorded as a deletion request (done or refused) the person and the
    officers can see. Deleting erases the person's drafts and withdrawn applications (with
    their files) and empties the account; kept statistics carry no name.
    """
    answer = assess_deletion(actor, now=now)
    request = PrivacyRequest(
        user_id=actor.id, kind=RequestKind.DELETION, filed_at=now, due_at=now + timedelta(days=ANSWER_DAYS)
    )
    db.session.add(request)
    if not answer.possible:
        request.status = RequestStatus.REFUSED
        request.answered_at = now
        request.answer = answer.reason + (f" ({answer.possible_on.isoformat()})" if answer.possible_on else "")
        db.session.flush()
        audit.record(actor, "privacy.deletion_refused", request, after={"possible_on": str(answer.possible_on or "")})
        return answer
    notifications.queue(
        "account_deleted",
        to=actor,
        key=f"deleted:{actor.id}",
        context={"name": actor.name, "day": to_kst(now).date().isoformat()},
    )
    files = 0
    for application in db.session.scalars(
        select(Application).where(Application.user_id == actor.id, Application.anonymised_at.is_(None))
    ):
        files += purge.anonymise_application(application, rule=_rule_of(application), now=now)
    purge.anonymise_user(actor, now=now)
    request.status = RequestStatus.DONE
    request.answered_at = now
    request.answer = str(_l("Your account has been deleted."))
    db.session.flush()
    audit.record(None, "privacy.account_deleted", request, after={"files_queued": files}, actor_label="system")
    return answer


# ------------------------------------------------------------------------ legal holds


def place_hold(
    *, actor: User, reason: str, now: datetime, application: Application | None = None, user: User | None = None
) -> LegalHold:
    """Pause the purge for one application or everything about one person."""
    security.require(actor, "privacy.manage")
    if (application is None) == (user is None):
        raise DomainError(_l("A hold is on one application or one person."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(fields={"reason": [str(_l("Say why the records must be kept."))]})
    hold = LegalHold(
        application_id=application.id if application else None,
        user_id=user.id if user else None,
        reason=reason[:2000],
        placed_by_id=actor.id,
        placed_at=now,
    )
    db.session.add(hold)
    db.session.flush()
    audit.record(
        actor, "privacy.hold_placed", hold, after={"application_id": hold.application_id, "user_id": hold.user_id}
    )
    return hold


def lift_hold(hold: LegalHold, *, actor: User, now: datetime) -> LegalHold:
    security.require(actor, "privacy.manage")
    if hold.lifted_at is not None:
        raise Conflict(_l("This hold has already been lifted."))
    hold.lifted_at = now
    hold.lifted_by_id = actor.id
    audit.record(actor, "privacy.hold_lifted", hold)
    db.session.flush()
    return hold


def live_holds() -> list[LegalHold]:
    return list(
        db.session.scalars(select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.placed_at))
    )
