"""The JSON API skeleton: bearer tokens, /me, the error shape, the OpenAPI document."""

import pytest
from sqlalchemy import select

from nup.accounts.models import ApiToken
from nup.extensions import db
from tests.conftest import submit

ERROR_KEYS = {"code", "message", "fields"}


def test_me_with_a_bearer_token(client, make_user, api_token):
    user = make_user("officer", email="officer@example.kr")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token(user)}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id and body["email"] == "officer@example.kr" and body["role"] == "officer"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nup_wrong", "Basic abc", "bearer "])
def test_me_without_a_valid_token_is_401_in_the_error_shape(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert set(response.get_json()["error"]) == ERROR_KEYS
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_browser_session_cookie_does_not_authenticate_the_api(client, make_user):
    from tests.conftest import login_as

    login_as(client, make_user("officer"))
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_tokens_are_stored_hashed_and_a_revoked_token_stops_working(app, client, make_user, api_token):
    user = make_user("applicant")
    plaintext = api_token(user)
    with app.app_context():
        stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert plaintext not in (stored.digest, stored.prefix) and len(stored.digest) == 64
        token_id = stored.id
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    from tests.conftest import sign_in

    sign_in(client, user.email)
    revoked = submit(client, "/profile", {}, action=f"/profile/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(app, client, make_user, api_token):
    owner, other = make_user("applicant"), make_user("applicant")
    plaintext = api_token(owner)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    from tests.conftest import sign_in

    sign_in(client, other.email)
    response = submit(client, "/profile", {}, action=f"/profile/tokens/{token_id}/revoke")
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200


def test_creating_a_token_on_the_profile_page_shows_it_once(client, make_user):
    from tests.conftest import sign_in

    user = make_user("reviewer")
    sign_in(client, user.email)
    response = submit(client, "/profile", {"name": "script"}, action="/profile/tokens")
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and 'id="new-token">nup_' in html
    token = html.split('id="new-token">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/profile").get_data(as_text=True)


def test_unknown_api_routes_answer_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_answers_json_405(client, make_user, api_token):
    token = api_token(make_user("applicant"))
    response = client.delete("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and set(response.get_json()["error"]) == ERROR_KEYS


def test_bad_json_is_a_4xx_in_the_error_shape(client, make_user, api_token):
    token = api_token(make_user("applicant"))
    response = client.post(
        "/api/v1/me",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert 400 <= response.status_code < 500
    assert set(response.get_json()["error"]) == ERROR_KEYS


def test_the_openapi_document_describes_me_and_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/me" in spec["paths"] or "/api/v1/me" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_api_needs_no_csrf_token(client, make_user, api_token):
    token = api_token(make_user("applicant"))
    response = client.post("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405  # reached the route: not refused by CSRF (400)
