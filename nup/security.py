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
    "application.edit": _owner,
    "application.submit": _owner,
    "applications.screen": _role(OFFICER),
    "document.download": lambda user, doc: _role(OFFICER)(user) or (doc is not None and _owner(user, doc.application)),
    "applicant.pages": _role(APPLICANT),
    "outbox.manage": _role(OFFICER),
    "reviews.manage": _role(OFFICER),
    "evaluator.pages": _role(REVIEWER),
    "assignments.list": _role(REVIEWER, OFFICER),
    # An evaluator works only on their own live assignment: recording a conflict ends the
    # assignment in the same transaction, so a conflicted evaluator never passes this rule.
    "assignment.score": lambda user, assignment: (
        _role(REVIEWER)(user)
        and assignment is not None
        and assignment.reviewer_id == user.id
        and assignment.status in ("assigned", "draft", "submitted")
    ),
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
    "api.ranking": "reviews.manage",
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
