"""Score sheets: an evaluator saves a draft or submits; scores lock when the stage closes.

Concurrent edits of one sheet are detected by its version (optimistic locking) and refused,
never silently overwritten. Services flush, never commit.
"""

from __future__ import annotations

import math
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from nup import security
from nup.accounts.models import User
from nup.audit import services as audit
from nup.errors import Conflict as StateConflict
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import services
from nup.reviews.models import Assignment, AssignmentStatus
from nup.reviews.scoring import Criterion, ScoreError, weighted_total

MAX_COMMENT = 4000


class StageClosed(StateConflict):
    code = "stage_closed"
    default_message = _l("This stage has closed: its scores are locked.")


class StaleScore(StateConflict):
    code = "stale"
    default_message = _l(
        "This score sheet was changed in another window or by another request. "
        "Reload it to see the saved version; nothing was overwritten."
    )


def scoring_open(assignment: Assignment) -> bool:
    """Whether the sheet may change: its round is open, or it is a re-review after an upheld objection."""
    stage = services.stage_of(assignment.call, assignment.stage)
    return stage is not None and (stage.is_open or assignment.rereview)


def rubric_of(call: Call) -> list[Criterion]:
    return [Criterion(c["key"], float(c["max_points"]), float(c.get("weight", 1) or 1)) for c in call.rubric]


def max_total(call: Call) -> float:
    return sum(c.max_points * c.weight for c in rubric_of(call))


def criterion_label(call: Call, key: str) -> str:
    """The criterion's name in the reader's language (the key when the rubric has no such criterion)."""
    criterion = next((c for c in call.rubric if c["key"] == key), {})
    english = str(get_locale() or "ko") == "en"
    return (english and criterion.get("label_en")) or criterion.get("label_ko") or key


def _score_message(error: ScoreError, call: Call) -> str:
    criterion = next((c for c in call.rubric if c["key"] == error.criterion), None)
    label = criterion_label(call, error.criterion)
    if error.code == "unknown_criterion":
        return str(_l("There is no criterion %(key)s in this call's rubric.", key=error.criterion))
    if error.code == "missing":
        return str(_l("Score this criterion (%(label)s).", label=label))
    if error.code == "out_of_range":
        return str(_l("Enter points from 0 to %(max)s.", max=f"{float(criterion['max_points']):g}"))
    return str(_l("Enter a number."))


def parse_points(raw: dict, call: Call) -> dict[str, float | None]:
    """Turn submitted values (text or numbers) into numbers; refuse unknown criteria and non-numbers."""
    known = {c["key"] for c in call.rubric}
    errors: dict[str, list[str]] = {}
    points: dict[str, float | None] = {}
    for key, value in (raw or {}).items():
        if key not in known:
            errors[key] = [str(_l("There is no criterion %(key)s in this call's rubric.", key=key))]
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            points[key] = None
            continue
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if math.isnan(number) or math.isinf(number):
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = [str(_l("Enter a number."))]
            continue
        points[key] = number
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked criteria."), fields=errors)
    return points


def save_score(
    assignment: Assignment,
    *,
    actor: User,
    points: dict,
    comments: dict[str, str] | None = None,
    overall_comment: str = "",
    submit: bool,
    expected_version: int | None = None,
    now: datetime,
) -> Assignment:
    """Save the evaluator's score sheet; with `submit` it must be complete and then counts at once.

    Raises, in this order: DomainError (with the criterion in `fields`) for a score outside the
    rubric, PledgeRequired before the integrity pledge, StageClosed after the stage closed and
    StaleScore when the sheet changed since `expected_version`. Nothing saved before is lost.
    """
    security.require(actor, "assignment.score", assignment)
    call = assignment.call
    # The input is checked before the state, so a wrong score is named even before the pledge.
    parsed = parse_points(points, call)
    rubric = rubric_of(call)
    comments = {k: (v or "").strip()[:MAX_COMMENT] for k, v in (comments or {}).items() if k in {c.key for c in rubric}}
    errors: dict[str, list[str]] = {}
    for criterion in rubric:
        value = parsed.get(criterion.key)
        if value is not None and not 0 <= value <= criterion.max_points:
            errors[criterion.key] = [str(_l("Enter points from 0 to %(max)s.", max=f"{criterion.max_points:g}"))]
    if submit:
        # Every problem at once: out-of-range points and the criteria still to score.
        for criterion in rubric:
            if parsed.get(criterion.key) is None and criterion.key not in errors:
                errors[criterion.key] = [str(_l("Score this criterion."))]
    total = None
    if submit and not errors:
        try:
            total = weighted_total({k: v for k, v in parsed.items() if v is not None}, rubric)
        except ScoreError as error:
            errors[error.criterion] = [_score_message(error, call)]
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked criteria."), fields=errors)
    if not services.has_pledged(actor, call.id):
        raise services.PledgeRequired()
    if not scoring_open(assignment):
        raise StageClosed()
    if expected_version is not None and expected_version != assignment.version:
        raise StaleScore()
    if not submit and assignment.status == AssignmentStatus.SUBMITTED:
        raise StateConflict(_l("This score has been submitted: change it and submit again."))
    before = {"status": assignment.status, "scores": dict(assignment.scores or {}), "total": assignment.total}
    assignment.scores = {k: v for k, v in parsed.items() if v is not None}
    assignment.comments = comments
    assignment.overall_comment = (overall_comment or "").strip()[:MAX_COMMENT]
    assignment.updated_at = now
    if submit:
        assignment.status, assignment.total = AssignmentStatus.SUBMITTED, total
        assignment.submitted_at = assignment.submitted_at or now
    else:
        assignment.status, assignment.total = AssignmentStatus.DRAFT, None
    db.session.flush()
    audit.record(
        actor,
        "score.submitted" if submit else "score.draft_saved",
        assignment,
        before=before,
        after={"status": assignment.status, "scores": assignment.scores, "total": assignment.total},
    )
    return assignment
