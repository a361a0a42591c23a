"""API: conflicts of interest, assignment runs, the evaluator's assignments and scores, the ranking."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from nup.accounts.models import User
from nup.api.blueprint import bp
from nup.api.review_schemas import (
    AssignmentListSchema,
    AssignmentOutSchema,
    AssignmentQuery,
    AssignResultSchema,
    AssignRunInSchema,
    AssignRunOutSchema,
    ConflictInSchema,
    ConflictOutSchema,
    PledgeOutSchema,
    RankingQuery,
    RankingSchema,
    RecuseInSchema,
    RecuseOutSchema,
    ScoreInSchema,
)
from nup.api.schemas import ErrorSchema
from nup.applications.models import Application
from nup.errors import DomainError
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import assigning, queries, replacements, scores, services
from nup.reviews.models import Assignment, AssignmentRun, RunStatus
from nup.reviews.ranking import ranking_page
from nup.timeutil import utcnow
from nup.web import client_ip

# Plans up to this many new evaluator places are computed in the request and answered when
# committed; larger ones run on the worker and answer 202 with a job to poll.
INLINE_PLACES = 5000


def _me() -> User:
    return current_user._get_current_object()


def _call(call_id: int) -> Call:
    return db.session.get(Call, call_id) or abort(404)


def _job(run: AssignmentRun) -> dict:
    return {
        "id": run.id,
        "call_id": run.call_id,
        "stage": run.stage,
        "status": run.status,
        "seed": run.seed,
        "progress": run.progress,
        "per_application": run.per_application,
        "report": run.report or {},
        "created_at": run.created_at,
        "committed_at": run.committed_at,
        "poll": url_for("api.assignment_run", run_id=run.id),
    }


@bp.route("/calls/<int:call_id>/conflicts", methods=["POST"])
@bp.arguments(ConflictInSchema)
@bp.response(201, ConflictOutSchema)
@bp.alt_response(422, schema=ErrorSchema, description="Unknown evaluator or application, or no reason")
def record_conflict(payload: dict, call_id: int):
    """Record a conflict of interest (officers); the evaluator loses the application at once and open
    stages get a replacement evaluator."""
    call = _call(call_id)
    application = db.session.get(Application, payload["application_id"])
    if application is None or application.call_id != call.id:
        raise DomainError(fields={"application_id": ["No application of this call has that id."]})
    reviewer = db.session.get(User, payload["reviewer_id"])
    if reviewer is None:
        raise DomainError(fields={"reviewer_id": ["No evaluator has that id."]})
    conflict, substitutes = replacements.exclude_and_replace(
        application, reviewer, actor=_me(), kind=payload["kind"], reason=payload["reason"], now=utcnow()
    )
    db.session.commit()
    return {
        "id": conflict.id,
        "application_id": conflict.application_id,
        "reviewer_id": conflict.reviewer_id,
        "kind": conflict.kind,
        "status": conflict.status,
        "reason": conflict.reason,
        "created_at": conflict.created_at,
        "replacement_assignment_ids": [a.id for a in substitutes],
    }


def _own_assignment(assignment_id: int) -> Assignment:
    # not yours, ended, or conflicted: as good as not there (404)
    return queries.assignment_visible_or_404(_me(), assignment_id)


@bp.route("/assignments/<int:assignment_id>/recuse", methods=["POST"])
@bp.arguments(RecuseInSchema)
@bp.response(200, RecuseOutSchema)
def recuse(payload: dict, assignment_id: int):
    """Withdraw from an assignment (회피, the evaluator); a replacement is assigned at once."""
    assignment = _own_assignment(assignment_id)
    substitutes = replacements.recuse(assignment, actor=_me(), reason=payload["reason"], now=utcnow())
    db.session.commit()
    return {"assignment": assignment, "replacement_assignment_ids": [a.id for a in substitutes]}


@bp.route("/calls/<int:call_id>/assignments", methods=["POST"])
@bp.arguments(AssignRunInSchema)
@bp.response(201, AssignResultSchema)
@bp.alt_response(202, schema=AssignResultSchema, description="Large call: a job to poll")
@bp.alt_response(409, schema=ErrorSchema, description="The call has not closed yet")
@bp.alt_response(
    422,
    schema=ErrorSchema,
    description="No feasible assignment; the report says why. When only evaluators with a conflict of interest "
    "could fill a place, code `conflict_of_interest` names each application and evaluator.",
)
def create_assignments(payload: dict, call_id: int):
    """Assign the call's eligible submitted applications among the evaluators (officers).

    Without `reviewer_ids` the call's panels are used. Answers 201 once committed, or 202 with a
    job when the call is large. Re-running keeps every assignment already made. An evaluator is
    never assigned to an application they have a conflict of interest with (recorded, or a
    declared tie to the company, its number or its CEO: 제척), whichever evaluators are named.
    """
    call = _call(call_id)
    now = utcnow()
    places = len(assigning.assignable_applications(call, payload["stage"])) * (
        payload["per_application"] or call.reviewers_per_application
    )
    inline = places <= INLINE_PLACES
    run = assigning.start_run(
        call,
        actor=_me(),
        stage=payload["stage"],
        reviewer_ids=payload["reviewer_ids"],
        per_application=payload["per_application"],
        seed=payload["seed"],
        commit_when_ready=True,
        queue_task=not inline,
        now=now,
    )
    if not inline:
        db.session.commit()
        return {"job": _job(run), "committed": None}, 202
    assigning.compute_run(run, now=now)
    if run.status == RunStatus.FAILED:
        db.session.commit()  # the failed run and its report are kept for the officer
        raise assigning.InfeasiblePlan(run.report)
    db.session.commit()
    return {"job": _job(run), "committed": run.report.get("committed", 0)}


@bp.route("/assignment-runs/<int:run_id>", methods=["GET"])
@bp.response(200, AssignRunOutSchema)
def assignment_run(run_id: int):
    """An assignment job: status, progress and report (officers)."""
    run = db.session.get(AssignmentRun, run_id) or abort(404)
    return _job(run)


@bp.route("/assignments", methods=["GET"])
@bp.arguments(AssignmentQuery, location="query")
@bp.response(200, AssignmentListSchema)
def list_assignments(args: dict):
    """Evaluators: their own live assignments. Officers: any, filtered by call and stage."""
    query = queries.visible_assignments(_me())
    if args["call_id"]:
        query = query.where(Assignment.call_id == args["call_id"])
    if args["stage"]:
        query = query.where(Assignment.stage == args["stage"])
    if args["status"]:
        query = query.where(Assignment.status == args["status"])
    pagination = db.paginate(
        query.order_by(Assignment.id), page=args["page"], per_page=args["per_page"], error_out=False
    )
    return {"items": pagination.items, "total": pagination.total}


@bp.route("/assignments/<int:assignment_id>/score", methods=["PUT"])
@bp.arguments(ScoreInSchema)
@bp.response(200, AssignmentOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Stage closed, pledge missing, or changed since `version`")
@bp.alt_response(422, schema=ErrorSchema, description="A score outside the rubric; nothing changed")
def score_assignment(payload: dict, assignment_id: int):
    """Save the evaluator's score; it counts at once and may change until the stage closes.

    With `submit: false` it is kept as a draft that does not count.
    """
    assignment = _own_assignment(assignment_id)
    try:
        scores.save_score(
            assignment,
            actor=_me(),
            points=payload["scores"],
            comments=payload["comments"],
            overall_comment=payload["comment"],
            submit=payload["submit"],
            expected_version=payload["version"],
            now=utcnow(),
        )
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise scores.StaleScore() from error
    return assignment


@bp.route("/calls/<int:call_id>/pledge", methods=["POST"])
@bp.response(201, PledgeOutSchema, description="Signed now")
@bp.alt_response(200, schema=PledgeOutSchema, description="Signed before: the same pledge, unchanged")
def sign_pledge(call_id: int):
    """Sign the integrity pledge (청렴서약) for the call (evaluators); needed before the first score.

    Signing again changes nothing and returns the pledge signed first.
    """
    call = _call(call_id)
    signed_before = services.has_pledged(_me(), call.id)
    try:
        pledge = services.sign_pledge(call, actor=_me(), ip=client_ip(), now=utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # signed at the same moment by another request: that one stands
        signed_before = True
        pledge = services.sign_pledge(call, actor=_me(), ip=client_ip(), now=utcnow())
    return pledge, 200 if signed_before else 201


@bp.route("/calls/<int:call_id>/ranking", methods=["GET"])
@bp.arguments(RankingQuery, location="query")
@bp.response(200, RankingSchema)
def ranking(args: dict, call_id: int):
    """The call's ranking by the official rule, with the evaluator-adjusted view beside it (officers)."""
    result = ranking_page(_call(call_id), args["stage"], page=args["page"], per_page=args["per_page"])
    return {
        "items": result.rows,
        "total": result.total,
        "stage": result.stage,
        "agreement": result.agreement,
    }
