"""Who read personal data, from the append-only audit log: per person and per officer.

The audit log is never changed or deleted (database triggers), so the access log's
retention is a minimum the log always meets: these reports read the last two years
(the "access_log" retention rule), and older rows stay in the audit log untouched.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from nup.applications.models import Application, Document
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.mentoring.models import Mentor
from nup.overseas.models import EvidenceFile, SupportPlan
from nup.privacy.retention import RULES_BY_KEY

READ_ACTIONS = (
    "personal_data.viewed",
    "review.application_viewed",
    "document.downloaded",
    "overseas.evidence_downloaded",
)
BLIND_ACTIONS = ("review.application_viewed",)  # an evaluator's blind read: the person is not told who
UNUSUAL_FACTOR = 3
UNUSUAL_MINIMUM = 20


def window_start(now: datetime) -> datetime:
    return now - RULES_BY_KEY["access_log"].period


def _about(user_id: int):
    application_ids = [str(i) for i in db.session.scalars(select(Application.id).where(Application.user_id == user_id))]
    mentor_ids = [str(i) for i in db.session.scalars(select(Mentor.id).where(Mentor.user_id == user_id))]
    owned = select(Application.id).where(Application.user_id == user_id)
    document_ids = [str(i) for i in db.session.scalars(select(Document.id).where(Document.application_id.in_(owned)))]
    plans = select(SupportPlan.id).where(SupportPlan.user_id == user_id)
    evidence_ids = [str(i) for i in db.session.scalars(select(EvidenceFile.id).where(EvidenceFile.plan_id.in_(plans)))]
    clauses = [and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user_id))]
    if application_ids:
        clauses.append(and_(AuditEvent.object_type == "application", AuditEvent.object_id.in_(application_ids)))
    if mentor_ids:
        clauses.append(and_(AuditEvent.object_type == "mentor", AuditEvent.object_id.in_(mentor_ids)))
    if document_ids:
        clauses.append(and_(AuditEvent.object_type == "document", AuditEvent.object_id.in_(document_ids)))
    if evidence_ids:
        clauses.append(and_(AuditEvent.object_type == "evidencefile", AuditEvent.object_id.in_(evidence_ids)))
    return or_(*clauses)


def accesses_about(user_id: int, *, now: datetime, limit: int = 1000) -> list[AuditEvent]:
    """Reads of this person's data by someone else in the last two years, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.in_(READ_ACTIONS),
                _about(user_id),
                AuditEvent.occurred_at >= window_start(now),
                or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user_id),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def reader_label(event: AuditEvent) -> str:
    """Who read it, as the person sees it: officers by address, evaluators anonymously."""
    return "evaluator" if event.action in BLIND_ACTIONS else event.actor_label


@dataclass(frozen=True)
class ReaderFigures:
    actor_id: int | None
    actor_label: str
    reads: int
    records: int
    unusual: bool


def by_officer(*, since: datetime, until: datetime) -> list[ReaderFigures]:
    """Per reader: reads and distinct records read in the period; unusual volumes flagged.

    A reader is unusual when they read more than three times the median reader's number of
    records (and at least twenty): a cue for the auditor to look, not a verdict.
    """
    rows = db.session.execute(
        select(
            AuditEvent.actor_id,
            AuditEvent.actor_label,
            func.count(AuditEvent.id),
            func.count(func.distinct(AuditEvent.object_type + ":" + AuditEvent.object_id)),
        )
        .where(AuditEvent.action.in_(READ_ACTIONS), AuditEvent.occurred_at >= since, AuditEvent.occurred_at < until)
        .group_by(AuditEvent.actor_id, AuditEvent.actor_label)
    ).all()
    return flag_unusual([(a, label, reads, records) for a, label, reads, records in rows])


def flag_unusual(rows: list[tuple[int | None, str, int, int]]) -> list[ReaderFigures]:
    """Mark the readers whose record count exceeds UNUSUAL_FACTOR x the median (pure)."""
    median = statistics.median([r[3] for r in rows]) if rows else 0
    threshold = max(UNUSUAL_MINIMUM, UNUSUAL_FACTOR * median)
    figures = [ReaderFigures(a, label, reads, records, records > threshold) for a, label, reads, records in rows]
    return sorted(figures, key=lambda f: (-f.records, f.actor_label))


@dataclass(frozen=True)
class PersonFigures:
    reader: str
    reads: int
    last_read: datetime


def by_person(user_id: int, *, now: datetime) -> list[PersonFigures]:
    """Per reader of one person's data: how many reads and the last one (for the officers' report)."""
    grouped: dict[str, list[AuditEvent]] = {}
    for event in accesses_about(user_id, now=now, limit=100_000):
        grouped.setdefault(event.actor_label, []).append(event)
    return sorted(
        (PersonFigures(label, len(events), max(e.occurred_at for e in events)) for label, events in grouped.items()),
        key=lambda f: -f.reads,
    )
