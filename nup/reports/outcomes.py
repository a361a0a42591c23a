"""Selection to outcome: evaluation score and rank, and mentoring hours, against the KPIs each firm achieved."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from nup.applications.models import Application
from nup.extensions import db
from nup.mentoring.queries import approved_hours_by_application
from nup.overseas import portfolio, stats
from nup.overseas.kpis import KpiFigures
from nup.overseas.models import SupportPlan
from nup.reviews.models import Decision, Outcome

TRACKS = ("all", "physical_ai", "other")


@dataclass(frozen=True)
class OutcomeRow:
    application_id: int
    company: str
    physical_ai: bool
    final_score: float | None
    rank: int | None
    hours: float
    figures: KpiFigures


@dataclass
class TrackFigures:
    """The correlations of one group of firms (all, Physical AI, the rest)."""

    track: str
    firms: int
    score_vs_outcome: stats.Correlation
    score_vs_jobs: stats.Correlation
    hours_vs_outcome: stats.Correlation
    quartiles: list[tuple[int, int, float]] = field(default_factory=list)


@dataclass
class OutcomeStudy:
    rows: list[OutcomeRow]
    tracks: list[TrackFigures]


def outcome_rows(call_id: int | None = None, outcomes: dict[int, KpiFigures] | None = None) -> list[OutcomeRow]:
    """One row per firm with a support plan: how it was selected, its mentoring hours and accepted KPIs.

    `outcomes` (accepted KPIs per application) may be passed when the caller has them already.
    """
    query = (
        select(Application.id, Application.company_name, Application.physical_ai, Decision.final_score, Decision.rank)
        .join(SupportPlan, SupportPlan.application_id == Application.id)
        .outerjoin(
            Decision,
            (Decision.application_id == Application.id)
            & (Decision.outcome == Outcome.SELECTED)
            & Decision.released_at.is_not(None),
        )
        .order_by(Application.id)
    )
    if call_id:
        query = query.where(SupportPlan.call_id == call_id)
    selected = db.session.execute(query).all()
    ids = [r[0] for r in selected]
    if outcomes is None:
        outcomes = portfolio.outcomes_by_application(call_id)
    # Without a cohort filter every firm is wanted: ask for all hours rather than send a thousand ids.
    hours = approved_hours_by_application(ids if call_id else None) if ids else {}
    rows: dict[int, OutcomeRow] = {}
    for application_id, company, physical_ai, score, rank in selected:
        # A firm re-selected after an objection has two decisions: keep its latest (best-ranked) one.
        if (
            application_id in rows
            and rows[application_id].rank is not None
            and (rank is None or rank >= rows[application_id].rank)
        ):
            continue
        rows[application_id] = OutcomeRow(
            application_id,
            company,
            bool(physical_ai),
            score,
            rank,
            float(hours.get(application_id, 0.0)),
            outcomes.get(application_id, KpiFigures()),
        )
    return list(rows.values())


def track_figures(rows: list[OutcomeRow], track: str) -> TrackFigures:
    """Spearman's rho of score vs outcome and jobs, and of mentoring hours vs outcome, for one track."""
    chosen = [r for r in rows if track == "all" or r.physical_ai == (track == "physical_ai")]
    scored = [r for r in chosen if r.final_score is not None]
    ranked = [r for r in chosen if r.rank is not None]
    return TrackFigures(
        track=track,
        firms=len(chosen),
        score_vs_outcome=stats.spearman([r.final_score for r in scored], [r.figures.outcome_won for r in scored]),
        score_vs_jobs=stats.spearman([r.final_score for r in scored], [r.figures.jobs for r in scored]),
        hours_vs_outcome=stats.spearman([r.hours for r in chosen], [r.figures.outcome_won for r in chosen]),
        quartiles=stats.quartile_means([r.rank for r in ranked], [r.figures.outcome_won for r in ranked]),
    )


def selection_outcomes(call_id: int | None = None, outcomes: dict[int, KpiFigures] | None = None) -> OutcomeStudy:
    """Does the rubric pick winners? The rows and, per track, the rank correlations."""
    rows = outcome_rows(call_id, outcomes)
    return OutcomeStudy(rows=rows, tracks=[track_figures(rows, t) for t in TRACKS])


@dataclass(frozen=True)
class Scatter:
    """Each scored firm as a point of an SVG chart 104 x 64: score across, outcome up."""

    points: list[tuple[str, str, bool, str]]  # (cx, cy, physical AI, title)
    low: float
    high: float


def scatter(rows: list[OutcomeRow]) -> Scatter | None:
    """The chart's points, computed once here rather than in the template (a thousand firms)."""
    scored = [r for r in rows if r.final_score is not None]
    if len(scored) < 2:
        return None
    low, high = min(r.final_score for r in scored), max(r.final_score for r in scored)
    top = max(r.figures.outcome_won for r in scored) or 1
    span = (high - low) or 1.0
    points = [
        (
            f"{2 + (r.final_score - low) / span * 100:.2f}",
            f"{62 - r.figures.outcome_won / top * 58:.2f}",
            r.physical_ai,
            f"{r.company} {r.final_score:.1f}",
        )
        for r in scored
    ]
    return Scatter(points, low, high)
