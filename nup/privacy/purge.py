"""The retention purge: find what the rules say has expired, then delete or anonymise it in batches.

Every rule in nup/privacy/retention.py that purges has a finder here (which rows are due,
oldest first, legal holds left out) and an eraser (what happens to one row and what hangs
off it). A batch changes its rows, marks them (so a second run skips them), queues their
stored files in `file_deletions` and writes one audit row of counts, all in one
transaction; the files go after the commit, and a run first finishes the files an
interrupted run left queued. Nothing is erased twice and no file is left without its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, or_, select, true, update

from nup.accounts.models import ApiToken, Role, User, UserSession, new_session_token
from nup.applications.models import Application, ApplicationStatus, Document
from nup.audit import services as audit
from nup.extensions import db
from nup.mentoring.models import Mentor, MentoringNeed, MentoringSession, SessionRating
from nup.notifications.models import Notification, NotificationStatus
from nup.overseas.models import EvidenceFile, KpiReport, Milestone, PlanCheck, ReportReview, SupportPlan
from nup.privacy.models import FileDeletion, LegalHold
from nup.privacy.retention import RULES, RULES_BY_KEY
from nup.programmes.models import Call
from nup.reviews.cohort import selected_query
from nup.reviews.models import Assignment, Conflict, Decision, Objection, ObjectionStatus, Outcome
from nup.timeutil import to_kst

DEFAULT_BATCH = 200
PURGED_PREFIX = "purged-"  # a document row whose file the purge removed
SUBMITTED_STATES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.RESULT)


@dataclass(frozen=True)
class Due:
    """One record a rule says may go: never its content, only what an officer needs to recognise it."""

    rule: str
    kind: str
    id: int
    expired_on: date
    call_id: int | None = None
    application_id: int | None = None


@dataclass
class BatchResult:
    rule: str
    records: int = 0
    files: int = 0
    ids: list[int] = field(default_factory=list)


# ------------------------------------------------------------------------ holds


def held_user_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(LegalHold.user_id).where(LegalHold.lifted_at.is_(None), LegalHold.user_id.is_not(None))
        )
    )


def held_application_ids() -> set[int]:
    """Applications the purge must leave: a live hold on them or their founder, or an open objection."""
    held = set(
        db.session.scalars(
            select(LegalHold.application_id).where(LegalHold.lifted_at.is_(None), LegalHold.application_id.is_not(None))
        )
    )
    users = held_user_ids()
    if users:
        held |= set(db.session.scalars(select(Application.id).where(Application.user_id.in_(users))))
    held |= set(db.session.scalars(select(Objection.application_id).where(Objection.status == ObjectionStatus.FILED)))
    return held


def _not_held(column, held: set[int]):
    return column.not_in(held) if held else true()


# ------------------------------------------------------------------------ finders


def _today(now: datetime) -> date:
    return to_kst(now).date()


def _close_day(call: Call) -> date:
    return to_kst(call.closes_at).date()


def _applications_after_close(rule_key: str, statuses, *, now: datetime, selected: bool | None, limit: int | None):
    rule = RULES_BY_KEY[rule_key]
    held = held_application_ids()
    chosen = selected_query().with_only_columns(Application.id).order_by(None)
    query = (
        select(Application, Call)
        .join(Call, Call.id == Application.call_id)
        .where(Application.anonymised_at.is_(None), Application.status.in_(statuses), _not_held(Application.id, held))
        .where(Call.closes_at <= now - rule.period)
        .order_by(Call.closes_at, Application.id)
    )
    if selected is False:
        query = query.where(Application.id.not_in(chosen))
    if limit:
        query = query.limit(limit)
    return [
        Due(rule_key, "application", app.id, rule.expires_on(_close_day(call)), app.call_id, app.id)
        for app, call in db.session.execute(query)
    ]


def _due_unselected(now: datetime, limit: int | None) -> list[Due]:
    return _applications_after_close("unselected_application", SUBMITTED_STATES, now=now, selected=False, limit=limit)


def _due_withdrawn(now: datetime, limit: int | None) -> list[Due]:
    states = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)
    return _applications_after_close("withdrawn_draft", states, now=now, selected=None, limit=limit)


def selected_anchor(application_id: int) -> date | None:
    """The day a selected startup's retention starts: its agreement's end, else its selection."""
    ends_on = db.session.scalar(select(SupportPlan.ends_on).where(SupportPlan.application_id == application_id))
    if ends_on is not None:
        return ends_on
    released = db.session.scalar(
        select(func.max(Decision.released_at)).where(
            Decision.application_id == application_id, Decision.outcome == Outcome.SELECTED
        )
    )
    return to_kst(released).date() if released else None


def _due_selected(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["selected_agreement"]
    held = held_application_ids()
    today = _today(now)
    found: list[Due] = []
    for app in db.session.scalars(
        selected_query().where(Application.anonymised_at.is_(None), _not_held(Application.id, held))
    ):
        anchor = selected_anchor(app.id)
        if anchor is not None and rule.expires_on(anchor) <= today:
            found.append(Due(rule.key, "application", app.id, rule.expires_on(anchor), app.call_id, app.id))
            if limit and len(found) >= limit:
                break
    return found


def _due_evaluations(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["evaluation_record"]
    held = held_application_ids()
    query = (
        select(Application.id, Application.call_id, Call.closes_at)
        .join(Call, Call.id == Application.call_id)
        .where(
            Application.evaluation_purged_at.is_(None),
            Application.status.in_(SUBMITTED_STATES),
            _not_held(Application.id, held),
            Call.closes_at <= now - rule.period,
        )
        .order_by(Call.closes_at, Application.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        Due(rule.key, "evaluation", app_id, rule.expires_on(to_kst(closes).date()), call_id, app_id)
        for app_id, call_id, closes in db.session.execute(query)
    ]


def _due_sessions(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["mentoring_log"]
    held = held_application_ids()
    query = (
        select(MentoringSession)
        .where(
            MentoringSession.anonymised_at.is_(None),
            MentoringSession.ends_at <= now - rule.period,
            _not_held(MentoringSession.application_id, held),
            # A log the startup disputed and no officer has settled is an open dispute.
            or_(MentoringSession.dispute_note == "", MentoringSession.approved_at.is_not(None)),
        )
        .order_by(MentoringSession.ends_at, MentoringSession.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        Due(rule.key, "mentoring_session", s.id, rule.expires_on(to_kst(s.ends_at).date()), None, s.application_id)
        for s in db.session.scalars(query)
    ]


def _due_plans(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["overseas_report"]
    held = held_application_ids()
    today = _today(now)
    query = (
        select(SupportPlan)
        .where(SupportPlan.reports_purged_at.is_(None), _not_held(SupportPlan.application_id, held))
        .where(SupportPlan.ends_on <= today - rule.period)
        .order_by(SupportPlan.ends_on, SupportPlan.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        Due(rule.key, "support_plan", p.id, rule.expires_on(p.ends_on), p.call_id, p.application_id)
        for p in db.session.scalars(query)
    ]


def _due_emails(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["outbox_email"]
    users = held_user_ids()
    query = (
        select(Notification.id, Notification.created_at, Notification.call_id)
        .where(
            Notification.purged_at.is_(None),
            Notification.status.in_((NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.CANCELLED)),
            Notification.created_at <= now - rule.period,
        )
        .order_by(Notification.created_at, Notification.id)
    )
    if users:
        query = query.where(or_(Notification.user_id.is_(None), Notification.user_id.not_in(users)))
    if limit:
        query = query.limit(limit)
    return [
        Due(rule.key, "notification", nid, rule.expires_on(to_kst(created).date()), call_id)
        for nid, created, call_id in db.session.execute(query)
    ]


def _due_accounts(now: datetime, limit: int | None) -> list[Due]:
    rule = RULES_BY_KEY["dormant_account"]
    users = held_user_ids()
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    query = (
        select(User.id, last_seen)
        .where(
            User.anonymised_at.is_(None),
            User.role == Role.APPLICANT,
            last_seen <= now - rule.period,
            User.id.not_in(select(Application.user_id)),
        )
        .order_by(last_seen, User.id)
    )
    if users:
        query = query.where(User.id.not_in(users))
    if limit:
        query = query.limit(limit)
    return [Due(rule.key, "user", uid, rule.expires_on(to_kst(seen).date())) for uid, seen in db.session.execute(query)]


FINDERS: dict[str, Callable[[datetime, int | None], list[Due]]] = {
    "unselected_application": _due_unselected,
    "withdrawn_draft": _due_withdrawn,
    "selected_agreement": _due_selected,
    "evaluation_record": _due_evaluations,
    "mentoring_log": _due_sessions,
    "overseas_report": _due_plans,
    "outbox_email": _due_emails,
    "dormant_account": _due_accounts,
}


def due(rule_key: str, *, now: datetime, limit: int | None = None) -> list[Due]:
    """What `rule_key` says may be purged at `now` (oldest first, holds left out)."""
    return FINDERS[rule_key](now, limit)


def preview(*, now: datetime, limit: int = 50) -> dict[str, dict]:
    """The dry run: per rule, how many records the next purge removes and the first `limit` of them."""
    result = {}
    for rule in RULES:
        if rule.key not in FINDERS:
            continue
        everything = due(rule.key, now=now)
        result[rule.key] = {"rule": rule, "count": len(everything), "items": everything[:limit]}
    result["uploaded_file"] = {
        "rule": RULES_BY_KEY["uploaded_file"],
        "count": db.session.scalar(select(func.count()).select_from(FileDeletion)) or 0,
        "items": [],
    }
    return result


# ------------------------------------------------------------------------ erasers


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _queue_file(path: Path) -> None:
    root = upload_root()
    try:
        relative = str(path.relative_to(root))
    except ValueError:
        relative = str(path)
    if db.session.scalar(select(FileDeletion.id).where(FileDeletion.path == relative)) is None:
        db.session.add(FileDeletion(path=relative))


def _documents_of(application: Application) -> int:
    folder = upload_root() / str(application.call_id) / str(application.id)
    documents = list(db.session.scalars(select(Document).where(Document.application_id == application.id)))
    files = 0
    for document in documents:
        if document.stored_name.startswith(PURGED_PREFIX):
            continue
        # The file goes; the row stays without its name, so screening dates still count.
        _queue_file(folder / document.stored_name)
        document.stored_name = f"{PURGED_PREFIX}{document.id}"
        document.filename = ""
        document.review_message = ""
        document.sha256 = ""
        files += 1
    return files


def anonymise_application(application: Application, *, rule: str, now: datetime) -> int:
    """Remove an application's identifiers, text and documents; keep what statistics read."""
    files = _documents_of(application)
    application.company_name = ""
    application.business_registration_number = None
    application.ceo_name = ""
    application.address = ""
    application.website = ""
    for name in ("summary", "problem", "solution", "scale_up", "team", "priority_reason"):
        setattr(application, name, "")
    application.priority_evidence = []
    if application.founded_on is not None:
        application.founded_on = date(application.founded_on.year, 1, 1)
    if rule == "withdrawn_draft":
        application.industry = ""
        application.employees = None
        application.funding_requested = None
        application.target_markets = []
    application.anonymised_at = now
    application.purge_rule = rule
    db.session.execute(update(MentoringNeed).where(MentoringNeed.application_id == application.id).values(notes=""))
    db.session.execute(
        update(SupportPlan).where(SupportPlan.application_id == application.id).values(notes="", agreement_number="")
    )
    return files


def _erase_evaluation(application_id: int, *, now: datetime) -> None:
    db.session.execute(
        update(Assignment)
        .where(Assignment.application_id == application_id)
        .values(comments={}, overall_comment="", recusal_reason="")
    )
    db.session.execute(update(Decision).where(Decision.application_id == application_id).values(reasons=""))
    db.session.execute(
        update(Objection)
        .where(Objection.application_id == application_id)
        .values(grounds="", answer="", extension_reason="")
    )
    db.session.execute(
        update(Conflict).where(Conflict.application_id == application_id).values(reason="", decision_note="")
    )
    db.session.execute(update(Application).where(Application.id == application_id).values(evaluation_purged_at=now))


def _erase_session(session_id: int, *, now: datetime) -> None:
    db.session.execute(
        update(MentoringSession)
        .where(MentoringSession.id == session_id)
        .values(
            agenda="",
            location="",
            topic="",
            advice="",
            follow_up="",
            dispute_note="",
            cancel_reason="",
            anonymised_at=now,
        )
    )
    db.session.execute(update(SessionRating).where(SessionRating.session_id == session_id).values(comment=""))


def _erase_plan(plan_id: int, *, now: datetime) -> int:
    plan = db.session.get(SupportPlan, plan_id)
    folder = upload_root() / "overseas" / str(plan_id)
    evidence = list(db.session.scalars(select(EvidenceFile).where(EvidenceFile.plan_id == plan_id)))
    for item in evidence:
        _queue_file(folder / item.stored_name)
        db.session.delete(item)
    reports = select(KpiReport.id).where(KpiReport.plan_id == plan_id)
    db.session.execute(
        update(KpiReport).where(KpiReport.plan_id == plan_id).values(narrative="", officer_comment="", rate_source="")
    )
    db.session.execute(update(ReportReview).where(ReportReview.report_id.in_(reports)).values(comment=""))
    db.session.execute(update(Milestone).where(Milestone.plan_id == plan_id).values(note=""))
    db.session.execute(
        update(PlanCheck).where(PlanCheck.plan_id == plan_id).values(findings="", actions="", follow_up_note="")
    )
    plan.notes = ""
    plan.reports_purged_at = now
    return len(evidence)


def _erase_email(notification_id: int, *, now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(subject=None, body_text=None, body_html=None, context={}, attachments=[], to_address="", purged_at=now)
    )


def anonymise_user(user: User, *, now: datetime) -> None:
    """Strip an account of everything that identifies the person; the row stays as a tombstone."""
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.name = ""
    user.password_hash = None
    user.active = False
    user.mail_opt_out = True
    user.session_token = new_session_token()
    user.anonymised_at = now
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        update(Mentor)
        .where(Mentor.user_id == user.id)
        .values(
            name="",
            email=f"deleted-{user.id}@deleted.invalid",
            organisation="",
            title="",
            bio="",
            past_employers=[],
            investments=[],
            advisory_roles=[],
            active=False,
        )
    )
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )


def _erase(item: Due, *, now: datetime) -> int:
    """Erase one due record; the number of stored files it queued for removal."""
    if item.kind == "application":
        application = db.session.get(Application, item.id)
        if application is None or application.anonymised_at is not None:
            return 0
        return anonymise_application(application, rule=item.rule, now=now)
    if item.kind == "evaluation":
        _erase_evaluation(item.id, now=now)
    elif item.kind == "mentoring_session":
        _erase_session(item.id, now=now)
    elif item.kind == "support_plan":
        return _erase_plan(item.id, now=now)
    elif item.kind == "notification":
        _erase_email(item.id, now=now)
    elif item.kind == "user":
        user = db.session.get(User, item.id)
        if user is not None and user.anonymised_at is None:
            anonymise_user(user, now=now)
    return 0


def purge_batch(rule_key: str, *, now: datetime, batch_size: int = DEFAULT_BATCH) -> BatchResult:
    """Erase up to `batch_size` due records of one rule and write one audit row of counts (flushes only)."""
    result = BatchResult(rule_key)
    for item in due(rule_key, now=now, limit=batch_size):
        result.files += _erase(item, now=now)
        result.records += 1
        result.ids.append(item.id)
    if result.records:
        audit.record(
            None,
            "privacy.purge_batch",
            after={"rule": rule_key, "records": result.records, "files_queued": result.files},
            actor_label="system: retention purge",
        )
    db.session.flush()
    return result


def remove_queued_files(*, limit: int = 1000) -> int:
    """Delete the stored files whose rows are gone, then their queue entries (flushes only)."""
    root = upload_root()
    done = 0
    for entry in db.session.scalars(select(FileDeletion).order_by(FileDeletion.id).limit(limit)):
        path = Path(entry.path)
        path = path if path.is_absolute() else root / path
        try:
            path.unlink(missing_ok=True)
        except OSError:
            entry.attempts += 1
            continue
        db.session.delete(entry)
        done += 1
    db.session.flush()
    return done


def purge_mail_folder(*, now: datetime) -> int:
    """Delete the mail folder's copies (the delivery used without SMTP) older than the outbox rule.

    Their names start with the UTC instant they were written. A hold keeps the outbox row,
    whose body is the copy the office keeps; the folder copy follows the rule regardless.
    """
    folder = Path(current_app.config["MAIL_DIR"])
    if not folder.is_dir():
        return 0
    limit = now - RULES_BY_KEY["outbox_email"].period
    removed = 0
    for path in folder.glob("*.eml"):
        try:
            written = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        except ValueError:
            continue
        if written <= limit:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        audit.record(
            None,
            "privacy.purge_batch",
            after={"rule": "outbox_email", "records": 0, "files_queued": 0, "mail_files_removed": removed},
            actor_label="system: retention purge",
        )
    return removed


def run_purge(
    *,
    now: datetime,
    commit: Callable[[], None],
    batch_size: int = DEFAULT_BATCH,
    max_batches: int = 1000,
) -> dict[str, int]:
    """Purge everything due at `now`, a batch at a time, committing (with `commit`) after each.

    A batch job commits as it goes, so `commit` is passed in by its caller (the task). Files
    queued by an earlier, interrupted run are removed first; each batch's files after its commit.
    """
    totals: dict[str, int] = {"files_removed": 0}
    totals["files_removed"] += remove_queued_files()
    commit()
    batches = 0
    for rule in RULES:
        if rule.key not in FINDERS:
            continue
        totals[rule.key] = 0
        while batches < max_batches:
            result = purge_batch(rule.key, now=now, batch_size=batch_size)
            commit()
            batches += 1
            if not result.records:
                break
            totals[rule.key] += result.records
            totals["files_removed"] += remove_queued_files()
            commit()
            if result.records < batch_size:
                break
    totals["mail_files_removed"] = purge_mail_folder(now=now)
    commit()
    return totals
