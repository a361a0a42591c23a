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


# ------------------------------------------------------------------------ row visibility

# A route argument naming one of these is looked up through that kind's visible_* query.
VISIBLE_KINDS = {
    "application_id": "application",
    "assignment_id": "assignment",
    "match_id": "match",
    "session_id": "session",
    "plan_id": "plan",
}
OTHER_ARGUMENTS = {"step": "company"}


def _visibility_routes(app):
    """Every GET route whose arguments are one row id (and fixed words), with that row's kind."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        ids = [a for a in rule.arguments if a in VISIBLE_KINDS]
        if len(ids) == 1 and set(rule.arguments) - {ids[0]} <= set(OTHER_ARGUMENTS):
            yield rule, ids[0], VISIBLE_KINDS[ids[0]]


def test_every_row_route_shows_a_role_exactly_the_rows_visible_to_it(app, make_user, api_token):
    """Walk each GET route over a row, for every role and every row of its kind: where the route lets
    the role in, a row outside visible_*(actor) is 404 and a row inside it opens."""
    from tests.visibility_world import build_world

    world = build_world(app, make_user)
    routes = list(_visibility_routes(app))
    assert len(routes) >= 15 and {kind for _r, _a, kind in routes} == set(VISIBLE_KINDS.values())
    walked = 0
    for name, user in world.users.items():
        client = app.test_client()
        login_as(client, user)
        headers = {"Authorization": f"Bearer {api_token(user)}"}
        for rule, argument, kind in routes:
            if not security.can(user, security.ROUTE_PERMISSIONS[rule.endpoint]):
                continue  # refused by role: the matrix above
            for row_id in world.all_ids(kind):
                with app.test_request_context():
                    from flask import url_for

                    fixed = {k: v for k, v in OTHER_ARGUMENTS.items() if k in rule.arguments}
                    url = url_for(rule.endpoint, **{argument: row_id, **fixed})
                response = client.get(url, headers=headers if url.startswith("/api/") else {})
                where = f"GET {url} as {name}"
                expected = world.expected[name][kind]
                if kind == "application":
                    expected = expected | world.evaluator_reads.get(name, set())
                if row_id in expected:
                    assert response.status_code in (200, 302), f"visible but refused: {where} -> {response.status_code}"
                else:
                    assert response.status_code == 404, f"not visible but answered: {where} -> {response.status_code}"
                walked += 1
    assert walked > 50
