"""What an evaluator may read of an application: the one view the score page and the API both show.

In the blind round (the document stage) the view has no company name, registration number,
CEO, website, address or files, and every text is redacted (nup.reviews.blind). The
presentation round is not blind: applicants present in person, so the company is named.
A new door for evaluators reads `evaluator_view` and cannot forget the redaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.reviews import blind, queries
from nup.reviews.models import Assignment, Stage

TEXT_FIELDS = ("summary", "problem", "solution", "scale_up", "team")


def is_blind(stage: str) -> bool:
    """Whether a round is blind: the document round always is, also for a re-review after results."""
    return stage == Stage.DOCUMENT


def identifiers_of(application: Application) -> blind.Identifiers:
    return blind.Identifiers(
        company_name=application.company_name or "",
        ceo_name=application.ceo_name or "",
        registration_number=application.business_registration_number,
        website=application.website or "",
    )


def redact(text: str, application: Application) -> str:
    """Mask what identifies `application` in `text` (see nup.reviews.blind)."""
    return blind.redact(text or "", identifiers_of(application))


@dataclass(frozen=True)
class EvaluatorView:
    """An application as its evaluator sees it in one stage."""

    application_id: int
    call_id: int
    assignment_id: int
    review_code: str
    stage: str
    blind: bool
    company_name: str | None  # None in the blind round
    track: str
    industry: str
    employees: int | None
    target_markets: list[str]
    document_kinds: list[str]  # the kinds provided; files are never given to evaluators
    texts: dict[str, str] = field(default_factory=dict)  # summary, problem, solution, scale_up, team


def evaluator_view(assignment: Assignment) -> EvaluatorView:
    """What the evaluator of `assignment` may read of its application."""
    application = assignment.application
    hidden = is_blind(assignment.stage)

    def shown(text: str | None) -> str:
        return redact(text or "", application) if hidden else (text or "")

    return EvaluatorView(
        application_id=application.id,
        call_id=application.call_id,
        assignment_id=assignment.id,
        review_code=queries.blind_code(assignment.id),
        stage=assignment.stage,
        blind=hidden,
        company_name=None if hidden else application.company_name,
        track=application.track,
        industry=shown(application.industry),
        employees=application.employees,
        target_markets=list(application.target_markets or []),
        document_kinds=sorted({d.kind for d in application.documents}),
        texts={name: shown(getattr(application, name)) for name in TEXT_FIELDS},
    )


def reading_assignment(reviewer: User, application_id: int) -> Assignment | None:
    """The evaluator's live, unconflicted assignment on the application (a blind one first), or None."""
    return db.session.scalars(
        queries.visible_assignments(reviewer)
        .where(Assignment.application_id == application_id, Assignment.reviewer_id == reviewer.id)
        .order_by(case((Assignment.stage == Stage.DOCUMENT, 0), else_=1), Assignment.id)
    ).first()
