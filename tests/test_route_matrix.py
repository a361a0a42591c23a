"""Every registered route, for every role: the policy table decides, and nothing is missed."""

import pytest

from nup import security
from tests.conftest import login_as

SAMPLE_VALUES = {
    "filename": {"static": "nup.css", "home.krds_asset": "css/component/output.css"},
}
ROLES = (None, *security.ROLES)


def _url(app, rule) -> str:
    values = {}
    for argument in rule.arguments:
        specific = SAMPLE_VALUES.get(argument, {})
        values[argument] = specific.get(
            rule.endpoint, 999999 if "int" in str(rule._converters.get(argument)).lower() else "x"
        )
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            yield rule, method


def test_every_route_has_a_decision_in_the_policy_table(app):
    missing = sorted({rule.endpoint for rule, _ in _routes(app)} - set(security.ROUTE_PERMISSIONS))
    assert not missing, f"add these endpoints to security.ROUTE_PERMISSIONS: {missing}"


def test_the_policy_table_names_no_stale_routes(app):
    registered = {rule.endpoint for rule, _ in _routes(app)}
    stale = sorted(set(security.ROUTE_PERMISSIONS) - registered)
    assert not stale, f"remove these from security.ROUTE_PERMISSIONS: {stale}"


def test_every_action_in_the_table_has_a_rule():
    assert set(security.ROUTE_PERMISSIONS.values()) <= set(security.RULES)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_gets_exactly_what_the_policy_allows(app, make_user, api_token, role):
    app.config["WTF_CSRF_ENABLED"] = False  # this walk is about the policy, not CSRF
    try:
        client = app.test_client()
        user = make_user(role) if role else None
        token = api_token(user) if user else None
        if user:
            login_as(client, user)
        checked = 0
        for rule, method in _routes(app):
            action = security.ROUTE_PERMISSIONS[rule.endpoint]
            url = _url(app, rule)
            headers = {"Authorization": f"Bearer {token}"} if token and url.startswith("/api/") else {}
            response = client.open(url, method=method, headers=headers)
            allowed = security.can(user if user else _Anonymous(), action)
            where = f"{method} {url} as {role or 'anonymous'} ({action})"
            location = response.headers.get("Location", "")
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and "/login" in location and rule.endpoint != "accounts.logout"
            )
            if allowed:
                assert not refused or rule.endpoint == "accounts.login", f"refused: {where} -> {response.status_code}"
            elif user is None:
                expected = 401 if url.startswith("/api/") else 302
                assert response.status_code == expected, f"not refused: {where} -> {response.status_code}"
            else:
                assert response.status_code == 403, f"not refused: {where} -> {response.status_code}"
            assert response.status_code < 500, f"server error: {where}"
            checked += 1
            if user:
                login_as(client, user)  # some routes (sign-out) end the session
        assert checked > 20
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


class _Anonymous:
    is_authenticated = False
