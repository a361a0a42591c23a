"""API: the mentor pool, suggestions with reasons, matches, sessions and their logs, bulk match runs."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from nup import security
from nup.accounts.models import User
from nup.api.blueprint import bp
from nup.api.mentoring_schemas import (
    CancelInSchema,
    LogDecisionInSchema,
    LogInSchema,
    MatchInSchema,
    MatchListSchema,
    MatchOutSchema,
    MatchQuery,
    MentorInSchema,
    MentorListSchema,
    MentorOutSchema,
    MentorPatchSchema,
    MentorQuery,
    RescheduleInSchema,
    RespondInSchema,
    RunInSchema,
    RunOutSchema,
    SessionInSchema,
    SessionListSchema,
    SessionOutSchema,
    SessionQuery,
    SuggestionsSchema,
)
from nup.api.schemas import ErrorSchema
from nup.applications.models import Application
from nup.applications.queries import visible_applications
from nup.audit import services as audit
from nup.errors import Conflict, DomainError
from nup.extensions import db
from nup.mentoring import logs, matches, pool, runs, sessions
from nup.mentoring import queries as mentoring_queries
from nup.mentoring.models import Mentor, MentoringSession, MentorMatch
from nup.timeutil import utcnow
from nup.web import client_ip


def _me() -> User:
    return current_user._get_current_object()


def _page(query, args: dict) -> dict:
    pagination = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": pagination.items, "total": pagination.total}


def _mentor(mentor_id: int) -> Mentor:
    return db.session.get(Mentor, mentor_id) or abort(404)


# ----------------------------------------------------------------------------------- mentors


@bp.route("/mentors", methods=["GET"])
@bp.arguments(MentorQuery, location="query")
@bp.response(200, MentorListSchema)
def list_mentors(args: dict):
    """The mentor pool and requests to join (officers), filtered by status."""
    query = select(Mentor)
    if args["status"]:
        query = query.where(Mentor.status == args["status"])
    page = _page(query.order_by(Mentor.id), args)
    audit.record(
        _me(),
        "personal_data.viewed",
        None,
        ip=client_ip(),
        detail="mentors " + ",".join(str(m.id) for m in page["items"]),
    )
    db.session.commit()
    return page


@bp.route("/mentors", methods=["POST"])
@bp.arguments(MentorInSchema)
@bp.response(201, MentorOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="The email is already in the pool")
@bp.alt_response(422, schema=ErrorSchema, description="A value outside the vocabularies, a negative fee or capacity")
def create_mentor(payload: dict):
    """Put a vetted mentor into the pool (officers); the mentor is invited to set a password."""
    me = _me()
    if db.session.scalar(select(Mentor.id).where(Mentor.email == payload["email"].lower())):
        raise Conflict(fields={"email": ["This email address is already in the pool."]})
    mentor = pool.apply_to_join(email=payload.pop("email"), values=payload, now=utcnow(), actor=me)
    pool.vet_mentor(mentor, actor=me, approve=True, note="created through the API", now=utcnow())
    db.session.commit()
    return mentor


@bp.route("/mentors/<int:mentor_id>", methods=["GET"])
@bp.response(200, MentorOutSchema)
def get_mentor(mentor_id: int):
    """One mentor (officers, or the mentor themselves)."""
    mentor = _mentor(mentor_id)
    security.require(_me(), "mentor.edit", mentor)
    audit.record(_me(), "personal_data.viewed", mentor, ip=client_ip(), detail="mentor profile (API)")
    db.session.commit()
    return mentor


@bp.route("/mentors/<int:mentor_id>", methods=["PATCH"])
@bp.arguments(MentorPatchSchema)
@bp.response(200, MentorOutSchema)
@bp.alt_response(422, schema=ErrorSchema, description="A value outside the vocabularies, a negative fee or capacity")
def update_mentor(payload: dict, mentor_id: int):
    """Change a mentor's profile (officers, or the mentor themselves); fields left out keep their values."""
    mentor = _mentor(mentor_id)
    payload.pop("email", None)
    values = {field: getattr(mentor, field) for field in pool.PROFILE_FIELDS} | payload
    pool.update_mentor_profile(mentor, actor=_me(), values=values, now=utcnow())
    db.session.commit()
    return mentor


@bp.route("/applications/<int:application_id>/mentor-suggestions", methods=["GET"])
@bp.response(200, SuggestionsSchema)
def mentor_suggestions(application_id: int):
    """Mentors for a selected startup, best first, each with the reasons for its score; conflicted ones apart."""
    application = db.session.get(Application, application_id) or abort(404)
    _need, suggestions, conflicted = matches.suggestions_for(application, now=utcnow())
    db.session.commit()
    return {
        "application_id": application.id,
        "items": [
            {"mentor_id": m.id, "name": m.name, "score": s.score, "reasons": [r.__dict__ for r in s.reasons]}
            for m, s in suggestions
        ],
        "excluded": [{"mentor_id": m.id, "reasons": why} for m, why in conflicted.items()],
    }


# ----------------------------------------------------------------------------------- matches


@bp.route("/matches", methods=["GET"])
@bp.arguments(MatchQuery, location="query")
@bp.response(200, MatchListSchema)
def list_matches(args: dict):
    """Matches: officers all; a mentor theirs; a founder their startups'."""
    query = mentoring_queries.visible_matches(_me())
    if args["status"]:
        query = query.where(MentorMatch.status == args["status"])
    if args["application_id"]:
        query = query.where(MentorMatch.application_id == args["application_id"])
    return _page(query.order_by(MentorMatch.id), args)


@bp.route("/matches", methods=["POST"])
@bp.arguments(MatchInSchema)
@bp.response(201, MatchOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Conflict of interest, inactive mentor, no capacity")
def create_match(payload: dict):
    """Pick a mentor for a selected startup (officers; founders where the call allows); the mentor is asked."""
    application = db.session.scalar(visible_applications(_me()).where(Application.id == payload["application_id"]))
    if application is None:
        raise DomainError(fields={"application_id": ["No application has that id."]})
    mentor = db.session.get(Mentor, payload["mentor_id"])
    if mentor is None:
        raise DomainError(fields={"mentor_id": ["No mentor has that id."]})
    match = matches.propose_match(application, mentor, actor=_me(), now=utcnow())
    db.session.commit()
    return match


@bp.route("/matches/<int:match_id>/respond", methods=["POST"])
@bp.arguments(RespondInSchema)
@bp.response(200, MatchOutSchema)
def respond_match(payload: dict, match_id: int):
    """Accept or decline a proposed match (the mentor); declining needs a note."""
    match = mentoring_queries.match_visible_or_404(_me(), match_id)
    matches.respond_match(match, actor=_me(), accept=payload["accept"], note=payload["note"], now=utcnow())
    db.session.commit()
    return match


# ---------------------------------------------------------------------------------- sessions


@bp.route("/sessions", methods=["GET"])
@bp.arguments(SessionQuery, location="query")
@bp.response(200, SessionListSchema)
def list_sessions(args: dict):
    """Sessions: officers all; a mentor theirs; a founder their startups'."""
    query = mentoring_queries.visible_sessions(_me())
    if args["status"]:
        query = query.where(MentoringSession.status == args["status"])
    if args["application_id"]:
        query = query.where(MentoringSession.application_id == args["application_id"])
    return _page(query.order_by(MentoringSession.starts_at), args)


@bp.route("/sessions", methods=["POST"])
@bp.arguments(SessionInSchema)
@bp.response(201, SessionOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Overlap, the mentor's capacity, the startup's cap or budget")
@bp.alt_response(422, schema=ErrorSchema, description="In the past, too short or long, no place")
def book_session(payload: dict):
    """Book a session on an accepted match; both sides get a calendar invitation (.ics) by email."""
    match = db.session.scalar(mentoring_queries.visible_matches(_me()).where(MentorMatch.id == payload.pop("match_id")))
    if match is None:
        raise DomainError(fields={"match_id": ["No match has that id."]})
    session = sessions.book_session(match, actor=_me(), values=payload, now=utcnow())
    db.session.commit()
    return session


def _session(session_id: int) -> MentoringSession:
    return mentoring_queries.session_visible_or_404(_me(), session_id)


@bp.route("/sessions/<int:session_id>", methods=["GET"])
@bp.response(200, SessionOutSchema)
def get_session(session_id: int):
    """One session with its log."""
    return _session(session_id)


@bp.route("/sessions/<int:session_id>/reschedule", methods=["POST"])
@bp.arguments(RescheduleInSchema)
@bp.response(200, SessionOutSchema)
def reschedule_session(payload: dict, session_id: int):
    """Move a scheduled session with a reason; both sides get an updated invitation."""
    session = _session(session_id)
    reason = payload.pop("reason")
    sessions.reschedule_session(session, actor=_me(), values=payload, reason=reason, now=utcnow())
    db.session.commit()
    return session


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@bp.arguments(CancelInSchema)
@bp.response(200, SessionOutSchema)
def cancel_session(payload: dict, session_id: int):
    """Cancel a scheduled session with a reason; both sides get a cancellation."""
    session = _session(session_id)
    sessions.cancel_session(session, actor=_me(), reason=payload["reason"], now=utcnow())
    db.session.commit()
    return session


@bp.route("/sessions/<int:session_id>/log", methods=["PUT"])
@bp.arguments(LogInSchema)
@bp.response(200, SessionOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Not started yet, already approved, or changed since `version`")
@bp.alt_response(422, schema=ErrorSchema, description="Empty topic or advice, or longer than the session")
def file_log(payload: dict, session_id: int):
    """File or correct the mentoring log (the mentor); the startup is asked to confirm it."""
    session = _session(session_id)
    version = payload.pop("version")
    logs.file_log(session, actor=_me(), values=payload, now=utcnow(), expected_version=version)
    db.session.commit()
    return session


@bp.route("/sessions/<int:session_id>/confirm", methods=["POST"])
@bp.arguments(LogDecisionInSchema)
@bp.response(200, SessionOutSchema)
def confirm_log(payload: dict, session_id: int):
    """Confirm the log (`agree: true`) or dispute it with a note (the founder)."""
    if payload["agree"] is None:
        raise DomainError(fields={"agree": ["Say true to confirm or false to dispute."]})
    session = _session(session_id)
    logs.confirm_log(
        session,
        actor=_me(),
        agree=payload["agree"],
        note=payload["note"],
        now=utcnow(),
        expected_version=payload["version"],
    )
    db.session.commit()
    return session


@bp.route("/sessions/<int:session_id>/approve", methods=["POST"])
@bp.arguments(LogDecisionInSchema)
@bp.response(200, SessionOutSchema)
@bp.alt_response(409, schema=ErrorSchema, description="Not confirmed yet, or past the cap, budget or capacity")
def approve_log(payload: dict, session_id: int):
    """Approve a confirmed log (`approve: true`; its hours and fee count) or return it with a note (officers)."""
    if payload["approve"] is None:
        raise DomainError(fields={"approve": ["Say true to approve or false to return."]})
    session = _session(session_id)
    logs.approve_log(
        session,
        actor=_me(),
        approve=payload["approve"],
        note=payload["note"],
        now=utcnow(),
        expected_version=payload["version"],
    )
    db.session.commit()
    return session


# -------------------------------------------------------------------------------------- runs


@bp.route("/mentoring/runs", methods=["POST"])
@bp.arguments(RunInSchema)
@bp.response(202, RunOutSchema)
def start_match_run(payload: dict):
    """Match every selected startup without a mentor: a worker computes a preview to poll, then commit on the page."""
    run = runs.start_match_run(
        actor=_me(), call_id=payload["call_id"], per_startup=payload["per_startup"], now=utcnow()
    )
    db.session.commit()
    return run


@bp.route("/mentoring/runs/<int:run_id>", methods=["GET"])
@bp.response(200, RunOutSchema)
def match_run(run_id: int):
    """A bulk run: its status and, once ready, its proposals with reasons and the startups left unmatched."""
    return runs.get_run(run_id)
