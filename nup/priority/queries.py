"""The Physical AI dashboard's figures: shares by sub-field, region and status, and waiting times."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from nup.applications.models import Application, ApplicationStatus, Document
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews.models import Assignment


@dataclass
class Waits:
    """Median hours from submission, for Physical AI applications and for the rest."""

    to_screening: dict[str, float | None] = field(default_factory=dict)
    to_first_review: dict[str, float | None] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)


@dataclass
class Dashboard:
    total: int
    physical_ai: int
    flagged: int
    by_subfield: dict[str, int]
    by_region: list[tuple[str, int, int]]  # region, Physical AI, all
    by_status: list[tuple[str, int, int]]  # status, Physical AI, all
    waits: Waits

    @property
    def share(self) -> float:
        return self.physical_ai / self.total if self.total else 0.0


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def dashboard(call: Call) -> Dashboard:
    """Figures over the call's submitted applications (four queries)."""
    rows = db.session.execute(
        select(
            Application.id,
            Application.physical_ai,
            Application.priority_subfield,
            Application.region,
            Application.status,
            Application.submitted_at,
            Application.priority_flagged,
        ).where(
            Application.call_id == call.id,
            Application.submitted_at.is_not(None),
            Application.status != ApplicationStatus.WITHDRAWN,
        )
    ).all()
    screened = dict(
        db.session.execute(
            select(Document.application_id, func.min(Document.reviewed_at))
            .join(Application, Application.id == Document.application_id)
            .where(Application.call_id == call.id, Document.reviewed_at.is_not(None))
            .group_by(Document.application_id)
        ).all()
    )
    reviewed = dict(
        db.session.execute(
            select(Assignment.application_id, func.min(Assignment.submitted_at))
            .where(Assignment.call_id == call.id, Assignment.submitted_at.is_not(None))
            .group_by(Assignment.application_id)
        ).all()
    )
    subfields: Counter[str] = Counter()
    regions: dict[str, list[int]] = {}
    statuses: dict[str, list[int]] = {}
    to_screening: dict[str, list[float]] = {"physical_ai": [], "other": []}
    to_review: dict[str, list[float]] = {"physical_ai": [], "other": []}
    for application_id, physical, subfield, region, status, submitted, _flagged in rows:
        group = "physical_ai" if physical else "other"
        if physical:
            subfields[subfield or "undetermined"] += 1
        for table, key in ((regions, region or "—"), (statuses, status)):
            counts = table.setdefault(key, [0, 0])
            counts[0] += bool(physical)
            counts[1] += 1
        if application_id in screened:
            to_screening[group].append((screened[application_id] - submitted).total_seconds() / 3600)
        if application_id in reviewed:
            to_review[group].append((reviewed[application_id] - submitted).total_seconds() / 3600)
    waits = Waits(
        to_screening={g: _median_hours(v) for g, v in to_screening.items()},
        to_first_review={g: _median_hours(v) for g, v in to_review.items()},
        counted={g: sum(1 for r in rows if bool(r[1]) == (g == "physical_ai")) for g in ("physical_ai", "other")},
    )
    return Dashboard(
        total=len(rows),
        physical_ai=sum(1 for r in rows if r[1]),
        flagged=sum(1 for r in rows if r[6]),
        by_subfield=dict(subfields.most_common()),
        # Ties in name order: the same figures read the same whatever order the rows come in.
        by_region=sorted(((k, v[0], v[1]) for k, v in regions.items()), key=lambda r: (-r[2], r[0])),
        by_status=sorted((k, v[0], v[1]) for k, v in statuses.items()),
        waits=waits,
    )
