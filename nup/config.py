"""Settings from the environment, in one place: nothing else in the code reads os.environ."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """The environment asks for something this deployment cannot run with."""


@dataclass(frozen=True)
class Environment:
    """The documented environment variables (see CONTRACT.md and README.md)."""

    database_url: str | None
    redis_url: str | None
    secret_key: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_security: str
    mail_from: str
    upload_dir: str | None
    instance_dir: str
    mail_dir: str | None
    redis_prefix: str
    env: str
    port: int
    official_site: bool
    public_url: str | None
    notify_claim_seconds: int | None = None
    notify_retry_base_seconds: float = 30.0
    notify_sweep_after_seconds: int = 60

    @classmethod
    def read(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Environment:
        """Read the variables, with the embedded default for anything unset."""
        e = os.environ if environ is None else environ
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            redis_url=e.get("REDIS_URL") or None,
            secret_key=e.get("SECRET_KEY") or None,
            smtp_host=e.get("SMTP_HOST") or None,
            smtp_port=int(e.get("SMTP_PORT") or 25),
            smtp_user=e.get("SMTP_USER") or None,
            smtp_password=e.get("SMTP_PASSWORD") or None,
            smtp_security=(e.get("SMTP_SECURITY") or "plain").lower(),
            mail_from=e.get("MAIL_FROM") or "N-Up <no-reply@nup.example.kr>",
            upload_dir=e.get("UPLOAD_DIR") or None,
            instance_dir=e.get("NUP_INSTANCE_DIR") or str(DEFAULT_INSTANCE),
            mail_dir=e.get("MAIL_DIR") or None,
            redis_prefix=e.get("NUP_REDIS_PREFIX") or "nup:",
            env=(e.get("NUP_ENV") or "development").lower(),
            port=int(e.get("PORT") or 5000),
            official_site=(e.get("NUP_OFFICIAL_SITE") or "").lower() in {"1", "true", "yes"},
            public_url=e.get("PUBLIC_URL") or None,
            notify_claim_seconds=int(e.get("NOTIFY_CLAIM_SECONDS") or 0) or None,
            notify_retry_base_seconds=float(e.get("NOTIFY_RETRY_BASE_SECONDS") or 30),
            notify_sweep_after_seconds=int(e.get("NOTIFY_SWEEP_AFTER_SECONDS") or 60),
        )


def _sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver-less URL the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


ENVIRONMENTS = ("development", "production")


def build_config(env: Environment, overrides: dict | None = None) -> dict:
    """Turn the environment into Flask settings; refuse unsafe production settings."""
    if env.env not in ENVIRONMENTS:
        # A slip ("prod", " production") must not quietly run production as development.
        raise ConfigurationError(f"NUP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env.env!r}.")
    production = env.env == "production"
    instance = Path(env.instance_dir)
    database_url = _sqlalchemy_url(env.database_url or f"sqlite:///{instance / 'nup.db'}")
    if production:
        if database_url.startswith("sqlite"):
            raise ConfigurationError("Production needs DATABASE_URL (PostgreSQL), not SQLite.")
        if not env.secret_key:
            raise ConfigurationError("Production needs SECRET_KEY.")
        if not env.redis_url:
            raise ConfigurationError("Production needs REDIS_URL.")
    secret_key = env.secret_key or _development_secret(instance)
    config = {
        "NUP_ENV": env.env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": env.upload_dir or str(instance / "uploads"),
        "MAIL_DIR": env.mail_dir or str(instance / "mail"),
        "REDIS_URL": env.redis_url,  # None: the embedded Redis is started on demand
        "REDIS_PREFIX": env.redis_prefix,
        "SMTP_HOST": env.smtp_host,
        "SMTP_PORT": env.smtp_port,
        "SMTP_USER": env.smtp_user,
        "SMTP_PASSWORD": env.smtp_password,
        "SMTP_SECURITY": env.smtp_security,
        "MAIL_FROM": env.mail_from,
        "PUBLIC_URL": env.public_url or f"http://127.0.0.1:{env.port}",
        "PORT": env.port,
        "OFFICIAL_SITE": env.official_site,
        "NOTIFY_CLAIM_SECONDS": env.notify_claim_seconds,
        # Delivery timing (the reliability tests shorten these): first retry after
        # base..2*base seconds, doubling; a row pending this long is published again.
        "NOTIFY_RETRY_BASE_SECONDS": env.notify_retry_base_seconds,
        "NOTIFY_SWEEP_AFTER_SECONDS": env.notify_sweep_after_seconds,
        # Sessions: HttpOnly, SameSite=Lax, Secure in production; idle and absolute limits.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "nup_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "ko",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "LANGUAGES": ("ko", "en"),
        # Ten failures lock one (account, client address) pair (nup/accounts/services.py);
        # this limits one address across all accounts.
        "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
        # Creating an API token needs the password typed within this window.
        "REAUTH_WINDOW": timedelta(minutes=10),
        "RATELIMIT_KEY_PREFIX": f"{env.redis_prefix}limits",
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STRATEGY": "moving-window",
        # OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane): ~30 ms a sign-in on this class of machine.
        "ARGON2_PARAMETERS": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1},
        "TOKEN_MAX_AGE": {"verify_email": 3 * 24 * 3600, "reset_password": 3600, "unlock_sign_in": 24 * 3600},
        "API_TITLE": "N-Up API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "HSTS": production,
        "TESTING": False,
    }
    config.update(overrides or {})
    return config


def _development_secret(instance: Path) -> str:
    """Keep one random development secret under instance/ so restarts keep sessions."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
