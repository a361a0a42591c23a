"""The permission policy: every access decision in the system is made here.

Two layers, one table each:
- ROUTE_PERMISSIONS maps every endpoint to the action a request to it needs; a
  before-request hook enforces it for every route, and a test walks every route for every
  role so a new route cannot be added without a decision.
- RULES maps each action to a predicate over the actor and, where there is one, the
  object; views, API handlers and services call `can` / `require` with the object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from nup.errors import PermissionDenied

APPLICANT, REVIEWER, OFFICER, MENTOR = "applicant", "reviewer", "officer", "mentor"
ROLES = (APPLICANT, REVIEWER, OFFICER, MENTOR)

Rule = Callable[[Any, Any], bool]


def _signed_in(user: Any, _obj: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _role(*roles: str) -> Rule:
    def rule(user: Any, _obj: Any = None) -> bool:
        return _signed_in(user) and user.role in roles

    return rule


def _owner(user: Any, obj: Any) -> bool:
    return _signed_in(user) and obj is not None and getattr(obj, "user_id", None) == user.id


def _self_or_officer(user: Any, obj: Any) -> bool:
    if not _signed_in(user):
        return False
    return user.role == OFFICER or (obj is not None and getattr(obj, "id", None) == user.id)


def _mentor_is(user: Any, mentor: Any) -> bool:
    return mentor is not None and mentor.user_id is not None and mentor.user_id == user.id


def _party(user: Any, obj: Any) -> bool:
    """The mentor or the founder of a match or session (officers are checked separately)."""
    if not _signed_in(user) or obj is None:
        return False
    if user.role == MENTOR:
        return _mentor_is(user, obj.mentor)
    return user.role == APPLICANT and _owner(user, obj.application)


def _own_live_assignment(user: Any, assignment: Any) -> bool:
    if not (
        _role(REVIEWER)(user)
        and assignment is not None
        and assignment.reviewer_id == user.id
        and assignment.status in ("assigned", "draft", "submitted")
    ):
        return False
    from nup.reviews.services import is_conflicted  # the policy sits below the domains it asks

    return not is_conflicted(assignment.application_id, assignment.reviewer_id)


RULES: dict[str, Rule] = {
    "public": lambda _user, _obj=None: True,
    "signed_in": _signed_in,
    "profile.edit": _signed_in,
    "token.create": _signed_in,
    "token.revoke": lambda user, token: _owner(user, token) or _role(OFFICER)(user),
    "consent.change": _signed_in,
    "users.manage": _role(OFFICER),
    "personal_data.view": _self_or_officer,
    "audit.view": _role(OFFICER),
    "mail.view": _role(OFFICER),
    "calls.manage": _role(OFFICER),
    "applications.start": _role(APPLICANT),
    "application.view": lambda user, app: _owner(user, app) or _role(OFFICER)(user),
    # An evaluator reads an application only through a live assignment of theirs (a conflict
    # ends it), and then only the evaluator's view (nup/reviews/evaluator_view.py).
    "application.review": lambda user, assignment: _own_live_assignment(user, assignment),
    "application.edit": _owner,
    "application.submit": _owner,
    "applications.screen": _role(OFFICER),
    "document.download": lambda user, doc: _role(OFFICER)(user) or (doc is not None and _owner(user, doc.application)),
    "applicant.pages": _role(APPLICANT),
    "outbox.manage": _role(OFFICER),
    "reviews.manage": _role(OFFICER),
    "evaluator.pages": _role(REVIEWER),
    "assignments.list": _role(REVIEWER, OFFICER),
    # An evaluator works only on their own live assignment with no active conflict: recording a
    # conflict ends the assignment, and should a row outlive it, the conflict still hides it.
    "assignment.score": lambda user, assignment: _own_live_assignment(user, assignment),
    # What reviews.queries.visible_assignments selects, for one object.
    "assignment.view": lambda user, assignment: _role(OFFICER)(user) or _own_live_assignment(user, assignment),
    # Mentoring
    "mentoring.manage": _role(OFFICER),
    "mentor.pages": _role(MENTOR),
    # Route-level gates; the object rules below then decide whose match or session it is.
    "mentoring.participant": _role(OFFICER, MENTOR, APPLICANT),
    "mentoring.mentor_or_officer": _role(OFFICER, MENTOR),
    "mentor.edit": lambda user, mentor: _role(OFFICER)(user) or (_role(MENTOR)(user) and _mentor_is(user, mentor)),
    "need.edit": lambda user, app: _role(OFFICER)(user) or (_role(APPLICANT)(user) and _owner(user, app)),
    "startup.mentoring": lambda user, app: _role(OFFICER)(user) or (_role(APPLICANT)(user) and _owner(user, app)),
    # A startup picks its own mentor only where its call allows it.
    "match.propose": lambda user, app: (
        _role(OFFICER)(user)
        or (_role(APPLICANT)(user) and _owner(user, app) and bool(getattr(app.call, "mentoring_self_pick", False)))
    ),
    "match.respond": lambda user, match: _role(MENTOR)(user) and match is not None and _mentor_is(user, match.mentor),
    "match.view": lambda user, match: _role(OFFICER)(user) or _party(user, match),
    "session.book": lambda user, match: _role(OFFICER)(user) or _party(user, match),
    "session.view": lambda user, session: _role(OFFICER)(user) or _party(user, session),
    "session.change": lambda user, session: _role(OFFICER)(user) or _party(user, session),
    "session.rate": _party,
    "log.file": lambda user, session: _role(MENTOR)(user) and session is not None and _mentor_is(user, session.mentor),
    "log.confirm": lambda user, session: (
        _role(APPLICANT)(user) and session is not None and _owner(user, session.application)
    ),
    "log.approve": _role(OFFICER),
    # Overseas-market support
    "overseas.manage": _role(OFFICER),
    "overseas.own": _role(APPLICANT),
    "overseas.api": _role(APPLICANT, OFFICER),
    "overseas.plan.view": lambda user, plan: _role(OFFICER)(user) or (_role(APPLICANT)(user) and _owner(user, plan)),
    "overseas.plan.own": lambda user, plan: _role(APPLICANT)(user) and _owner(user, plan),
    # Personal data: every signed-in person sees and takes their own; officers run the purge,
    # holds, requests and the access-log report.
    "privacy.self": _signed_in,
    "privacy.manage": _role(OFFICER),
}

# endpoint -> action. Every registered endpoint must appear here (tests/test_route_matrix.py).
ROUTE_PERMISSIONS: dict[str, str] = {
    "static": "public",
    "home.krds_asset": "public",
    "home.index": "public",
    "home.privacy": "public",
    "home.healthz": "public",
    "home.dashboard": "signed_in",
    "accounts.login": "public",
    "accounts.logout": "signed_in",
    "accounts.register": "public",
    "accounts.verify_email": "public",
    "accounts.resend_verification": "public",
    "accounts.forgot_password": "public",
    "accounts.reset_password": "public",
    "accounts.profile": "profile.edit",
    "accounts.change_password": "profile.edit",
    "accounts.consents": "consent.change",
    "accounts.unsubscribe": "public",
    "accounts.mail_preferences": "profile.edit",
    "accounts.create_token": "token.create",
    "accounts.revoke_token": "token.create",
    "accounts.reauthenticate": "profile.edit",
    "accounts.sign_out_everywhere": "profile.edit",
    "accounts.unlock_sign_in": "public",
    "staff.users": "users.manage",
    "staff.new_user": "users.manage",
    "staff.user_detail": "users.manage",
    "staff.change_role": "users.manage",
    "staff.set_active": "users.manage",
    "audit.index": "audit.view",
    "notifications.mailbox": "mail.view",
    "notifications.message": "mail.view",
    "notifications.outbox": "outbox.manage",
    "notifications.outbox_message": "outbox.manage",
    "notifications.resend": "outbox.manage",
    "notifications.cancel": "outbox.manage",
    "notifications.templates": "outbox.manage",
    "notifications.edit_template": "outbox.manage",
    "notifications.reset_template": "outbox.manage",
    "bulk.compose": "outbox.manage",
    "calls.index": "public",
    "calls.detail": "public",
    "call_admin.list_calls": "calls.manage",
    "call_admin.new": "calls.manage",
    "call_admin.edit": "calls.manage",
    "call_admin.publish": "calls.manage",
    "call_admin.close": "calls.manage",
    "applications.start": "applications.start",
    "applications.edit": "applicant.pages",
    "applications.autosave": "applicant.pages",
    "applications.upload": "applicant.pages",
    "applications.delete_document": "applicant.pages",
    "applications.submit": "applicant.pages",
    "applications.detail": "applicant.pages",
    "applications.receipt": "applicant.pages",
    "applications.withdraw": "applicant.pages",
    "applications.reopen": "applicant.pages",
    "applications.download": "signed_in",
    "screening.applications": "applications.screen",
    "screening.detail": "applications.screen",
    "screening.review_document": "applications.screen",
    "api-docs.openapi_json": "public",
    "api.me": "signed_in",
    "api.create_call": "calls.manage",
    "api.list_calls": "public",
    "api.get_call": "public",
    "api.create_application": "applications.start",
    "api.get_application": "signed_in",
    "api.update_application": "signed_in",
    "api.upload_document": "signed_in",
    "api.submit_application": "signed_in",
    "api.list_outbox": "outbox.manage",
    # Evaluation (issue: review and selection)
    "evaluator.queue": "evaluator.pages",
    "evaluator.pledge": "evaluator.pages",
    "evaluator.score": "evaluator.pages",
    "evaluator.recuse": "evaluator.pages",
    "evaluator.declarations": "evaluator.pages",
    "evaluation.pool": "reviews.manage",
    "evaluation.evaluator": "reviews.manage",
    "evaluation.overview": "reviews.manage",
    "evaluation.panel": "reviews.manage",
    "evaluation.detect_conflicts": "reviews.manage",
    "evaluation.conflicts": "reviews.manage",
    "evaluation.record_conflict": "reviews.manage",
    "evaluation.decide_request": "reviews.manage",
    "evaluation.stage": "reviews.manage",
    "evaluation.start_run": "reviews.manage",
    "evaluation.run": "reviews.manage",
    "evaluation.run_status": "reviews.manage",
    "evaluation.edit_run": "reviews.manage",
    "evaluation.commit_run": "reviews.manage",
    "evaluation.discard_run": "reviews.manage",
    "evaluation.fill_gaps": "reviews.manage",
    "evaluation.schedule": "reviews.manage",
    "evaluation.ranking": "reviews.manage",
    "evaluation.application": "reviews.manage",
    "evaluation.release_comment": "reviews.manage",
    "evaluation.penalty": "reviews.manage",
    "evaluation.decisions_page": "reviews.manage",
    "evaluation.release": "reviews.manage",
    "evaluation.objections": "reviews.manage",
    "evaluation.objection": "reviews.manage",
    "priority.decide": "applications.screen",
    "priority.dashboard": "applications.screen",
    "priority.set_policy": "calls.manage",
    "exports.scores_xlsx": "reviews.manage",
    "exports.scores_csv": "reviews.manage",
    "exports.summary_pdf": "reviews.manage",
    "results.result": "applicant.pages",
    "results.file_objection": "applicant.pages",
    "results.rate": "applicant.pages",
    "results.request_exclusion": "applicant.pages",
    "api.record_conflict": "reviews.manage",
    "api.recuse": "evaluator.pages",
    "api.create_assignments": "reviews.manage",
    "api.assignment_run": "reviews.manage",
    "api.list_assignments": "assignments.list",
    "api.score_assignment": "evaluator.pages",
    "api.sign_pledge": "evaluator.pages",
    "api.ranking": "reviews.manage",
    # Mentoring
    "mentoring.join": "public",
    "mentoring.mentor_home": "mentor.pages",
    "mentoring.mentor_profile": "mentor.pages",
    "mentoring.respond": "mentor.pages",
    "mentoring.file_log": "mentor.pages",
    "mentoring.session": "mentoring.participant",
    "mentoring.session_ics": "mentoring.participant",
    "mentoring.reschedule": "mentoring.participant",
    "mentoring.cancel": "mentoring.participant",
    "mentoring.rate": "mentoring.participant",
    "mentoring.book": "mentoring.participant",
    "mentoring.confirm_log": "applicant.pages",
    "mentoring.startup_home": "applicant.pages",
    "mentoring.my_mentoring": "applicant.pages",
    "mentoring.needs": "applicant.pages",
    "mentoring.self_pick": "applicant.pages",
    "mentoring_admin.overview": "mentoring.manage",
    "mentoring_admin.self_pick": "mentoring.manage",
    "mentoring_admin.pool": "mentoring.manage",
    "mentoring_admin.mentor": "mentoring.manage",
    "mentoring_admin.vet": "mentoring.manage",
    "mentoring_admin.set_active": "mentoring.manage",
    "mentoring_admin.startup": "mentoring.manage",
    "mentoring_admin.propose": "mentoring.manage",
    "mentoring_admin.allowance": "mentoring.manage",
    "mentoring_admin.end_match": "mentoring.manage",
    "mentoring_admin.start_run": "mentoring.manage",
    "mentoring_admin.run": "mentoring.manage",
    "mentoring_admin.run_status": "mentoring.manage",
    "mentoring_admin.commit_run": "mentoring.manage",
    "mentoring_admin.discard_run": "mentoring.manage",
    "mentoring_admin.approvals": "mentoring.manage",
    "mentoring_admin.approve": "mentoring.manage",
    "mentoring_admin.review": "mentoring.manage",
    "mentoring_admin.statements": "mentoring.manage",
    "exports.mentoring_statement_xlsx": "mentoring.manage",
    "api.list_mentors": "mentoring.manage",
    "api.create_mentor": "mentoring.manage",
    "api.get_mentor": "mentoring.mentor_or_officer",
    "api.update_mentor": "mentoring.mentor_or_officer",
    "api.mentor_suggestions": "mentoring.manage",
    "api.list_matches": "mentoring.participant",
    "api.create_match": "mentoring.participant",
    "api.respond_match": "mentor.pages",
    "api.list_sessions": "mentoring.participant",
    "api.book_session": "mentoring.participant",
    "api.get_session": "mentoring.participant",
    "api.reschedule_session": "mentoring.participant",
    "api.cancel_session": "mentoring.participant",
    "api.file_log": "mentor.pages",
    "api.confirm_log": "applicant.pages",
    "api.approve_log": "mentoring.manage",
    "api.start_match_run": "mentoring.manage",
    "api.match_run": "mentoring.manage",
    # Overseas-market support
    "api.list_plans": "overseas.api",
    "api.create_plan": "overseas.manage",
    "api.get_plan": "overseas.api",
    "api.list_milestones": "overseas.api",
    "api.list_reports": "overseas.api",
    "api.file_report": "overseas.own",
    "api.get_report": "overseas.api",
    "api.correct_report": "overseas.own",
    "api.decide_report": "overseas.manage",
    "overseas.my_plans": "overseas.own",
    "overseas.plan": "overseas.own",
    "overseas.new_report": "overseas.own",
    "overseas.report": "overseas.own",
    "overseas.report_evidence": "overseas.own",
    "overseas.milestone_evidence": "overseas.own",
    "overseas.submit_milestone": "overseas.own",
    "overseas.download_evidence": "overseas.api",
    "overseas_admin.plans": "overseas.manage",
    "overseas_admin.new_plan": "overseas.manage",
    "overseas_admin.plan": "overseas.manage",
    "overseas_admin.add_item": "overseas.manage",
    "overseas_admin.record_spend": "overseas.manage",
    "overseas_admin.add_milestone": "overseas.manage",
    "overseas_admin.milestone_status": "overseas.manage",
    "overseas_admin.reports": "overseas.manage",
    "overseas_admin.report": "overseas.manage",
    "overseas_admin.check": "overseas.manage",
    "overseas_admin.follow_up": "overseas.manage",
    "overseas_admin.reporting": "overseas.manage",
    "portfolio.dashboard": "overseas.manage",
    "portfolio.export_xlsx": "overseas.manage",
    "portfolio.export_csv": "overseas.manage",
    # Personal data (issue 18)
    "privacy.my_data": "privacy.self",
    "privacy.download": "privacy.self",
    "privacy.file_request": "privacy.self",
    "privacy.withdraw_consent": "privacy.self",
    "privacy.delete_account": "privacy.self",
    "privacy_admin.requests": "privacy.manage",
    "privacy_admin.answer": "privacy.manage",
    "privacy_admin.person_export": "privacy.manage",
    "privacy_admin.purge_preview": "privacy.manage",
    "privacy_admin.place_hold": "privacy.manage",
    "privacy_admin.lift_hold": "privacy.manage",
    "privacy_admin.access_report": "privacy.manage",
    "privacy_admin.access_csv": "privacy.manage",
    "privacy_admin.access_xlsx": "privacy.manage",
    "api.my_data": "privacy.self",
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Say whether `user` may perform `action` (on `obj`); unknown actions are refused."""
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `user` may perform `action` (on `obj`)."""
    if not can(user, action, obj):
        raise PermissionDenied()


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def enforce_route_policy():
    """Before every request: apply the endpoint's action from ROUTE_PERMISSIONS."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: the 404 handler answers
    action = ROUTE_PERMISSIONS.get(endpoint)
    if action is None:
        # Fail closed: a route nobody decided on is refused (and the route test fails).
        abort(403)
    if can(current_user, action):
        return None
    if not _signed_in(current_user):
        if is_api_request():
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403)


def install(app: Flask) -> None:
    """Enforce the route table on every request."""
    app.before_request(enforce_route_policy)
