"""The N-Up application factory: config, extensions, blueprints, error pages, CLI."""

from __future__ import annotations

import logging

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from nup.config import PROJECT_ROOT, Environment, build_config
from nup.embedded import celery_broker_url, embedded_redis_url, limits_storage_url
from nup.extensions import (
    babel,
    celery_init_app,
    celery_settings,
    csrf,
    db,
    limiter,
    migrate,
    select_locale,
    tune_sqlite,
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests use it)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=None,
    )
    app.config.update(build_config(Environment.read(), config))
    from nup import input_guard
    from nup.web import mark_request_start

    input_guard.install(app)  # before any route: every <int:...> becomes a bounded id

    app.before_request(mark_request_start)  # first: before CSRF reads the request body
    _connect_redis(app)

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Seoul")
    limiter.init_app(app)
    celery_init_app(app)

    from nup import background, security
    from nup.accounts import sessions

    background.install()
    sessions.install(app)
    security.install(app)
    _register_blueprints(app)
    _install_responses(app)

    from nup import cli, templating

    templating.install(app)
    cli.install(app)
    if app.config["NUP_ENV"] == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO)
    return app


def _connect_redis(app: Flask) -> None:
    """Point Celery and Flask-Limiter at REDIS_URL, or at the embedded Redis's socket.

    Nothing is started here: `nup serve`, `nup worker`, `nup beat` and wsgi.py start the
    embedded server when they need it, so `nup db upgrade` and friends stay quick.
    """
    app.config["EMBEDDED_REDIS"] = not app.config["REDIS_URL"]
    redis_url = app.config["REDIS_URL"] or embedded_redis_url(app.config["INSTANCE_DIR"])
    app.config["REDIS_URL"] = redis_url
    app.config.setdefault("RATELIMIT_STORAGE_URI", limits_storage_url(redis_url))
    app.config["CELERY"] = celery_settings(celery_broker_url(redis_url), app.config["REDIS_PREFIX"])


def _register_blueprints(app: Flask) -> None:
    from nup import api
    from nup.accounts.staff_views import bp as staff_bp
    from nup.accounts.views import bp as accounts_bp
    from nup.applications.staff_views import bp as screening_bp
    from nup.applications.views import bp as applications_bp
    from nup.audit.views import bp as audit_bp
    from nup.home.views import bp as home_bp
    from nup.mentoring.officer_views import bp as mentoring_admin_bp
    from nup.mentoring.views import bp as mentoring_bp
    from nup.notifications import staff_views  # noqa: F401 - adds the outbox pages to the blueprint
    from nup.notifications.views import bp as notifications_bp
    from nup.overseas.officer_views import bp as overseas_admin_bp
    from nup.overseas.views import bp as overseas_bp
    from nup.priority.views import bp as priority_bp
    from nup.privacy.views import admin as privacy_admin_bp
    from nup.privacy.views import bp as privacy_bp
    from nup.programmes.views import admin as call_admin_bp
    from nup.programmes.views import bp as calls_bp
    from nup.reports import mentor_review_views  # noqa: F401 - adds the yearly review to the mentoring pages
    from nup.reports.bulk_views import bp as bulk_bp
    from nup.reports.export_views import bp as exports_bp
    from nup.reports.overseas_export_views import bp as portfolio_bp
    from nup.reviews import run_views, selection_views  # noqa: F401 - they add pages to the evaluation blueprint
    from nup.reviews.officer_views import bp as evaluation_bp
    from nup.reviews.results_views import bp as results_bp
    from nup.reviews.views import bp as evaluator_bp

    for blueprint in (
        home_bp,
        accounts_bp,
        staff_bp,
        audit_bp,
        notifications_bp,
        calls_bp,
        call_admin_bp,
        applications_bp,
        screening_bp,
        bulk_bp,
        evaluator_bp,
        evaluation_bp,
        results_bp,
        exports_bp,
        priority_bp,
        mentoring_bp,
        mentoring_admin_bp,
        overseas_bp,
        overseas_admin_bp,
        portfolio_bp,
        privacy_bp,
        privacy_admin_bp,
    ):
        app.register_blueprint(blueprint)
    api.install(app)


def _install_responses(app: Flask) -> None:
    from nup import responses

    responses.install(app)

    @app.after_request
    def remember_language(response):
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"]:
            session["lang"] = asked
            response.set_cookie(
                "lang",
                asked,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
            )
        return response
