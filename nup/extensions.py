"""Flask extensions, created once and bound to the app in create_app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery, Task
from flask import Flask, has_request_context, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from kombu import Queue
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations work on SQLite and PostgreSQL."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

QUEUES = ("priority", "default")


def tune_sqlite(engine) -> None:
    """Let the web, the worker and tests share the SQLite file of the embedded default.

    WAL lets readers and a writer work at once, and the busy timeout makes a writer wait for
    another instead of failing. pysqlite's own transaction handling is kept: it begins a
    transaction at the first write, so two requests that read and then write (a double
    submission) queue behind each other. Its savepoints are not reliable, which is why
    `savepoint()` below uses them only on PostgreSQL, the production database.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@contextmanager
def savepoint() -> Iterator[None]:
    """A SAVEPOINT around a write that may lose a race (an IntegrityError), where reliable."""
    if db.session.get_bind().dialect.name == "sqlite":
        yield
        db.session.flush()
    else:
        with db.session.begin_nested():
            yield


def select_locale() -> str:
    """Pick the language: ?lang=, then the remembered choice, then Korean."""
    languages = ("ko", "en")
    if not has_request_context():
        return "ko"  # workers and the CLI render with force_locale where it matters
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = session.get("lang") or request.cookies.get("lang")
    return remembered if remembered in languages else "ko"


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app bound to this Flask app (Flask's documented pattern)."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.task_queues = [Queue(name) for name in QUEUES]
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def celery_settings(broker_url: str, prefix: str) -> dict:
    """Celery settings for at-least-once delivery on Redis, priority queue first."""
    return {
        "broker_url": broker_url,
        "task_ignore_result": True,
        "result_backend": None,
        "task_default_queue": "default",
        # A task is acknowledged after it ran, and re-queued if its worker died: with the
        # status guard on every task this gives exactly-once effects.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        "broker_transport_options": {
            # Longer than any task's retry countdown (see notifications.retry_delay).
            "visibility_timeout": 3600,
            "global_keyprefix": prefix,
            # Always look at `priority` before `default` (kombu's default rotates).
            "queue_order_strategy": "priority",
        },
        "timezone": "Asia/Seoul",
        "enable_utc": True,
        "worker_hijack_root_logger": False,
    }
