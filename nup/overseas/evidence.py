"""Evidence files for milestones and KPI reports: the application documents' checks, stored outside the web root."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified

from nup import background, security
from nup.accounts.models import User
from nup.applications import storage
from nup.applications.services import store_checked
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.overseas.models import EvidenceFile, KpiReport, Milestone, MilestoneStatus, ReportStatus, SupportPlan
from nup.overseas.services import check_founder_may_write

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 20  # per milestone or report


def folder_of(plan: SupportPlan) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "overseas" / str(plan.id)


def path_of(evidence: EvidenceFile, plan: SupportPlan) -> Path:
    return storage.path_of(folder_of(plan), evidence.stored_name)


def upload_evidence(
    plan: SupportPlan,
    *,
    actor: User,
    stream: BinaryIO,
    filename: str,
    milestone: Milestone | None = None,
    report: KpiReport | None = None,
    now: datetime,
) -> EvidenceFile:
    """Store an evidence file for one of the plan's milestones or reports (PDF, JPEG, PNG or TIFF by content).

    The startup adds evidence while the milestone is open or the report is not yet accepted;
    officers may add it at any time. A refused file leaves nothing behind.
    """
    security.require(actor, "overseas.plan.view", plan)
    target = milestone or report
    if target is None or target.plan_id != plan.id:
        raise DomainError(_l("Choose what the evidence is for."))
    if actor.role != "officer":
        security.require(actor, "overseas.plan.own", plan)
        check_founder_may_write(plan, milestone=milestone)
        if milestone is not None and milestone.status in (MilestoneStatus.DONE, MilestoneStatus.WAIVED):
            raise StateConflict(_l("This milestone is already closed."))
        if report is not None and report.status == ReportStatus.ACCEPTED:
            raise StateConflict(_l("This report has been accepted; its evidence can no longer change."))
    if len(target.evidence) >= MAX_FILES:
        raise DomainError(fields={"file": [str(_l("At most %(n)d files can be attached.", n=MAX_FILES))]})
    folder = folder_of(plan)
    stored = store_checked(
        stream,
        folder=folder,
        filename=filename,
        max_bytes=current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
    )
    background.after_rollback(storage.remove, storage.path_of(folder, stored.stored_name))
    evidence = EvidenceFile(
        plan_id=plan.id,
        milestone_id=milestone.id if milestone is not None else None,
        report_id=report.id if report is not None else None,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    db.session.add(evidence)
    target.evidence.append(evidence)
    if report is not None:
        # A new version: an officer deciding on the report as it was before this file gets a stale refusal.
        flag_modified(report, "narrative")
    db.session.flush()
    audit.record(
        actor,
        "overseas.evidence_uploaded",
        evidence,
        detail=f"{'milestone' if milestone else 'report'} {target.id} {stored.size} bytes {stored.sha256[:12]}",
    )
    return evidence
