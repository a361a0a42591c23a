"""Set-up for the review journeys: the review fixtures of tests/reviews, and a few helpers of their own.

`review_setup` needs `make_call` and `officer` under those names where it is used, so they are
re-exported here with it; the journeys import all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tests.applications.conftest import make_call, officer
from tests.e2e.conftest import CATALOGUE
from tests.reviews.conftest import RUBRIC_SCORES, ReviewSetup, assign_now, review_setup, score_all

__all__ = [
    "RUBRIC_SCORES",
    "Sheet",
    "assign_now",
    "make_call",
    "officer",
    "review_setup",
    "say",
    "score_all",
]


@cache
def _translated() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.string and not m.fuzzy}


def say(lang: str):
    """Like tests.e2e.conftest.translator, for pages whose words are not all translated yet.

    In Korean: the catalogue's Korean where there is one, else the English msgid, which is what
    Flask-Babel shows for a string nobody has translated. When the evaluation strings are
    translated, the journeys follow without a change.
    """

    def _(msgid: str, **values) -> str:
        text = _translated().get(msgid, msgid) if lang == "ko" else msgid
        return text % values if values else text

    return _


def untranslated(*msgids: str) -> list[str]:
    """Which of these strings the Korean catalogue does not translate yet (for the report, not a failure)."""
    return [m for m in msgids if m not in _translated()]


@dataclass(frozen=True)
class Sheet:
    """One assignment as the tests need it: who scores what, and how the queue should show it."""

    id: int
    reviewer_id: int
    application_id: int
    physical_ai: bool
    company_name: str
    status: str
    total: float | None

    @property
    def code(self) -> str:
        return f"R-{self.id:05d}"


def sheets(app, *, reviewer_id: int | None = None, application_id: int | None = None) -> list[Sheet]:
    """The assignments (optionally one evaluator's or one application's), Physical AI first, then by id."""
    from sqlalchemy import select

    from nup.applications.models import Application
    from nup.extensions import db
    from nup.reviews.models import Assignment

    query = select(Assignment, Application).join(Application, Application.id == Assignment.application_id)
    if reviewer_id is not None:
        query = query.where(Assignment.reviewer_id == reviewer_id)
    if application_id is not None:
        query = query.where(Assignment.application_id == application_id)
    with app.app_context():
        found = [
            Sheet(
                id=a.id,
                reviewer_id=a.reviewer_id,
                application_id=a.application_id,
                physical_ai=bool(application.physical_ai),
                company_name=application.company_name,
                status=a.status,
                total=a.total,
            )
            for a, application in db.session.execute(query)
        ]
    return sorted(found, key=lambda s: (not s.physical_ai, s.id))


def spread_points(assignment) -> dict[str, float]:
    """Different totals per application (and a little per evaluator), so the ranking has an order."""
    step = assignment.application_id % 7
    wobble = assignment.reviewer_id % 3
    return {
        "problem": 24 - step,
        "solution": 28 - step - wobble,
        "scale_up": 22 - step,
        "team": 18 - step % 4,
    }


def release_result(app, setup: ReviewSetup, application_id: int, outcome: str, reason: str) -> None:
    """Assign, score, close the document round, decide `outcome` for one application and send its letter."""
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.programmes.models import Call
    from nup.reviews import decisions, services
    from nup.timeutil import utcnow

    with app.app_context():
        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        actor = db.session.get(User, setup.officer.id)
        services.close_stage(call, "document", actor=actor, now=utcnow())
        decisions.apply_decisions(
            call,
            "document",
            actor=actor,
            outcomes={application_id: outcome},
            reasons={application_id: reason},
            now=utcnow(),
        )
        decisions.release_results(call, "document", actor=actor, now=utcnow())
        db.session.commit()


def start_queued_run(app, setup: ReviewSetup, seed: int = 5) -> int:
    """An assignment run as the form starts it, but with no message to a worker: it stays queued."""
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.programmes.models import Call
    from nup.reviews import assigning
    from nup.timeutil import utcnow

    with app.app_context():
        run = assigning.start_run(
            db.session.get(Call, setup.call_id),
            actor=db.session.get(User, setup.officer.id),
            stage="document",
            seed=seed,
            queue_task=False,
            now=utcnow(),
        )
        db.session.commit()
        return run.id


def compute_queued_run(app, run_id: int) -> str:
    """What the worker does with a run, done in this process."""
    from nup.extensions import db
    from nup.reviews import assigning
    from nup.reviews.models import AssignmentRun
    from nup.timeutil import utcnow

    with app.app_context():
        run = db.session.get(AssignmentRun, run_id)
        assigning.compute_run(run, now=utcnow())
        db.session.commit()
        return run.status


def run_status(app, run_id: int) -> str:
    from nup.extensions import db
    from nup.reviews.models import AssignmentRun

    with app.app_context():
        return db.session.get(AssignmentRun, run_id).status


def decisions_of(app, call_id: int) -> dict[int, tuple[str, str, bool]]:
    """application id -> (outcome, reasons, released?) for the document round."""
    from sqlalchemy import select

    from nup.extensions import db
    from nup.reviews.models import Decision

    with app.app_context():
        return {
            d.application_id: (d.outcome, d.reasons or "", d.released_at is not None)
            for d in db.session.scalars(select(Decision).where(Decision.call_id == call_id))
        }


def objections_and_ratings(app, application_id: int) -> tuple[list[str], list[int], bool]:
    """The grounds of the application's objections, the stars given to its evaluators, and its rating receipt."""
    from sqlalchemy import select

    from nup.extensions import db
    from nup.reviews.models import EvaluatorRating, Objection, RatingReceipt

    with app.app_context():
        grounds = list(db.session.scalars(select(Objection.grounds).where(Objection.application_id == application_id)))
        stars = list(db.session.scalars(select(EvaluatorRating.stars)))
        receipt = db.session.get(RatingReceipt, application_id) is not None
    return grounds, stars, receipt


def receipts(app, application_ids: list[int]) -> dict[int, str]:
    """application id -> receipt number (what officers see of an application)."""
    from nup.applications.models import Application
    from nup.extensions import db

    with app.app_context():
        return {i: db.session.get(Application, i).receipt_number for i in application_ids}


def physical_ai_ids(app, application_ids: list[int]) -> list[int]:
    """Which of these applications are in a Physical AI track, in the given order."""
    from nup.applications.models import Application
    from nup.extensions import db

    with app.app_context():
        return [i for i in application_ids if db.session.get(Application, i).physical_ai]
