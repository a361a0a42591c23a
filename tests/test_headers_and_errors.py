"""Security headers and cookies on every response; friendly errors in both languages."""

import pytest

from tests.conftest import sign_in

PAGES = ["/", "/login", "/register", "/privacy", "/no-such-page", "/api/v1/me", "/api/v1/openapi.json"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "default-src 'self'"):
        assert directive in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_in_production_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS"] = True
    try:
        assert "max-age=31536000" in client.get("/").headers["Strict-Transport-Security"]
    finally:
        app.config["HSTS"] = False


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user("applicant")
    response = sign_in(client, user.email)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and "nup_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_settings_mark_cookies_secure_and_refuse_sqlite():
    from nup.config import ConfigurationError, Environment, build_config

    env = Environment.read(
        {
            "NUP_ENV": "production",
            "SECRET_KEY": "s" * 32,
            "DATABASE_URL": "postgresql://db/nup",
            "REDIS_URL": "redis://r:6379/0",
        }
    )
    config = build_config(env)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"] and config["HSTS"]
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    with pytest.raises(ConfigurationError):
        build_config(Environment.read({"NUP_ENV": "production", "SECRET_KEY": "s" * 32}))
    with pytest.raises(ConfigurationError):
        build_config(
            Environment.read({"NUP_ENV": "production", "DATABASE_URL": "postgresql://db/n", "REDIS_URL": "redis://r"})
        )


@pytest.mark.parametrize(("lang", "text"), [("ko", "페이지를 찾을 수 없습니다"), ("en", "Page not found")])
def test_not_found_page_speaks_the_users_language(client, lang, text):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_language_choice_is_remembered(client):
    client.get("/?lang=en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.get("/?lang=ko")
    assert "로그인" in client.get("/login").get_data(as_text=True)


def test_korean_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ko">' in html and "로그인" in html


def test_forbidden_page_is_friendly(client, make_user):
    user = make_user("applicant")
    sign_in(client, user.email)
    response = client.get("/staff/audit/?lang=en")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_too_large_request_gets_the_413_page(app, client):
    response = client.post("/login?lang=en", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_every_page_has_a_skip_link_and_a_language_switcher(client):
    for path in ("/", "/login", "/register", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert 'id="krds-skip-link"' in html and 'href="#main"' in html
        assert "lang=en" in html and "lang=ko" in html
        assert "/privacy" in html


def test_private_content_is_never_stored_and_public_assets_still_are(app, client, make_user):
    """Mail files, 'the email as sent' and every signed-in page send no-store; static assets do not."""
    from pathlib import Path

    from nup.accounts.models import User
    from nup.extensions import db
    from nup.notifications import services as notifications
    from tests.conftest import assert_not_stored

    officer = make_user("officer")
    folder = Path(app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = "20261202T000000-abcdef12.eml"
    (folder / name).write_bytes(b"Subject: Hello\r\nTo: a@example.kr\r\nFrom: n@example.kr\r\n\r\nSecret body\r\n")
    with app.app_context():
        user = db.session.get(User, officer.id)
        row = notifications.queue("application_received", to=user, key="cache-test", context={"name": "x"})
        db.session.commit()
        row_id = row.id
    public = client.get("/static/nup.css")
    assert public.status_code == 200 and "no-store" not in public.headers.get("Cache-Control", "")
    assert "Pragma" not in public.headers
    sign_in(client, officer.email)
    for path in ("/staff/mail/", f"/staff/mail/{name}", f"/staff/outbox/{row_id}", "/profile"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_stored(response)
    assert "Pragma" not in client.get("/static/nup.css").headers


@pytest.mark.parametrize("written", ["prod", " production", "Production ", "staging", "test"])
def test_an_unknown_nup_env_is_refused_rather_than_run_as_development(written):
    from nup.config import ConfigurationError, Environment, build_config

    with pytest.raises(ConfigurationError, match="NUP_ENV must be one of development, production"):
        build_config(Environment.read({"NUP_ENV": written}))
