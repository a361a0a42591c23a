"""The permission policy as a table of (role, action) decisions."""

from types import SimpleNamespace

import pytest

from nup import security


class Anonymous:
    is_authenticated = False


def person(role: str, user_id: int = 1):
    return SimpleNamespace(is_authenticated=True, role=role, id=user_id)


@pytest.mark.parametrize("role", security.ROLES)
def test_every_role_may_use_signed_in_pages(role):
    assert security.can(person(role), "signed_in")
    assert security.can(person(role), "profile.edit")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("officer", True),
        ("applicant", False),
        ("reviewer", False),
        ("mentor", False),
    ],
)
def test_only_officers_manage_accounts_read_audit_and_mail(role, allowed):
    for action in ("users.manage", "audit.view", "mail.view"):
        assert security.can(person(role), action) is allowed, action


def test_anonymous_may_only_use_public_actions():
    assert security.can(Anonymous(), "public")
    for action in security.RULES:
        if action != "public":
            assert not security.can(Anonymous(), action), action


def test_a_token_may_be_revoked_by_its_owner_or_an_officer_only():
    token = SimpleNamespace(user_id=7)
    assert security.can(person("applicant", 7), "token.revoke", token)
    assert not security.can(person("applicant", 8), "token.revoke", token)
    assert security.can(person("officer", 9), "token.revoke", token)


def test_personal_data_is_visible_to_its_owner_and_officers():
    subject = SimpleNamespace(id=5)
    assert security.can(person("applicant", 5), "personal_data.view", subject)
    assert not security.can(person("reviewer", 6), "personal_data.view", subject)
    assert security.can(person("officer", 1), "personal_data.view", subject)


def test_unknown_actions_are_refused():
    assert not security.can(person("officer"), "launch.missiles")


def test_require_raises_permission_denied():
    with pytest.raises(security.PermissionDenied):
        security.require(person("applicant"), "audit.view")


def test_an_evaluator_reads_an_application_only_through_a_live_assignment_of_their_own(app_context):
    # The rule also asks the database for an active conflict on the pair (none here; see test_visibility.py).
    def assignment(reviewer_id: int, status: str = "assigned"):
        return SimpleNamespace(reviewer_id=reviewer_id, status=status, application_id=1)

    evaluator = person("reviewer", user_id=7)
    for status in ("assigned", "draft", "submitted"):
        assert security.can(evaluator, "application.review", assignment(7, status))
    for status in ("recused", "removed"):
        assert not security.can(evaluator, "application.review", assignment(7, status))
    assert not security.can(evaluator, "application.review", assignment(8))
    assert not security.can(evaluator, "application.review", None)
    assert not security.can(person("officer", user_id=7), "application.review", assignment(7))
    assert not security.can(Anonymous(), "application.review", assignment(7))
