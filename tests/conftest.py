"""Test set-up: a database and a Redis namespace of this run's own, removed afterwards.

With DATABASE_URL and REDIS_URL set (CI sets them) the suite runs on PostgreSQL and the
real Redis; with nothing set it runs on SQLite and the embedded Redis. A run makes its
own database (a new PostgreSQL database, or a SQLite file) and its own Redis key prefix,
so two runs never see each other's data. NUP_REQUIRE_SERVICES=1 makes a missing service
an error instead of a quiet fall-back.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine

RUN_ID = secrets.token_hex(4)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_database(url: str) -> tuple[str, callable]:
    """Create a database of this run's own on the server of `url`; return its URL and a dropper."""
    import psycopg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    admin_url = urlunsplit(parts)
    name = f"nup_test_{RUN_ID}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    own = urlunsplit(parts._replace(path=f"/{name}"))
    return own.replace("postgresql://", "postgresql+psycopg://", 1), drop


def _set_up_environment(tmp: Path) -> list:
    """Point this process and every child it starts at this run's own services."""
    cleanups = []
    require = os.environ.get("NUP_REQUIRE_SERVICES") == "1"
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    if require and not (database_url and redis_url):
        pytest.exit("NUP_REQUIRE_SERVICES=1 but DATABASE_URL or REDIS_URL is unset", returncode=3)
    if database_url:
        own_url, drop = _postgres_database(database_url)
        os.environ["DATABASE_URL"] = own_url
        cleanups.append(drop)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'nup-test.db'}"
    if not redis_url:
        from nup.embedded import ensure_embedded_redis, stop_embedded_redis

        os.environ["REDIS_URL"] = ensure_embedded_redis(str(tmp / "redis"))
        cleanups.append(stop_embedded_redis)
    prefix = f"nup-test-{RUN_ID}:"
    os.environ["NUP_REDIS_PREFIX"] = prefix
    os.environ["NUP_INSTANCE_DIR"] = str(tmp / "instance")
    os.environ["MAIL_DIR"] = str(tmp / "mail")
    os.environ["UPLOAD_DIR"] = str(tmp / "uploads")
    os.environ["PUBLIC_URL"] = f"http://127.0.0.1:{_free_port()}"
    for name in ("SMTP_HOST", "SMTP_PORT", "SECRET_KEY", "NUP_ENV"):
        os.environ.pop(name, None)

    def drop_redis_keys() -> None:
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)

    cleanups.insert(0, drop_redis_keys)
    return cleanups


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix=f"nup-test-{RUN_ID}-"))
    cleanups = _set_up_environment(tmp)
    from flask_migrate import upgrade

    from nup import create_app
    from nup.extensions import db

    application = create_app({"TESTING": True, "ARGON2_PARAMETERS": FAST_ARGON2, "SECRET_KEY": f"test-{RUN_ID}"})
    os.environ["SECRET_KEY"] = application.config["SECRET_KEY"]  # workers sign the same links
    with application.app_context():
        upgrade()  # the migrations themselves are under test, on SQLite and PostgreSQL
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    for cleanup in cleanups:
        cleanup()


# CI's calendar step sets NUP_TEST_NOW (an ISO instant with its offset) to run the
# date-sensitive tests with the clock stopped there: the last second of a month, the first
# second of the next, 29 February, the turn of a year, in KST. Unset, tests see today.
TEST_NOW = os.environ.get("NUP_TEST_NOW", "")


@pytest.fixture(autouse=True)
def _fixed_instant(request):
    """Stop the clock at NUP_TEST_NOW for this test, when the run asks for it."""
    if not TEST_NOW:
        yield
        return
    instant = datetime.fromisoformat(TEST_NOW)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"NUP_TEST_NOW needs an offset (e.g. +09:00): {TEST_NOW}")
    with time_machine.travel(instant, tick=False):
        yield


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty every table, the broker's waiting queues and the rate-limit counters after each test."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from nup.extensions import db, limiter

    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            _empty_every_table(conn, db.metadata)
        limiter.reset()
    # Most tests publish tasks with no worker to take them. Left in the queues, they would reach
    # the next test's worker, and on SQLite (which reuses row ids) act on that test's rows.
    import redis

    prefix = application.config["REDIS_PREFIX"]
    redis.Redis.from_url(application.config["REDIS_URL"]).delete(f"{prefix}default", f"{prefix}priority")
    import shutil

    mail = Path(os.environ["MAIL_DIR"])
    if mail.is_dir():
        for message in mail.iterdir():
            message.unlink()
    shutil.rmtree(os.environ["UPLOAD_DIR"], ignore_errors=True)


def _empty_every_table(conn, metadata) -> None:
    """Delete every row, the append-only audit log included, by the one narrow way round its guard.

    The audit table's triggers refuse UPDATE and DELETE (migration 3c7a1e5b9d20). On
    PostgreSQL, TRUNCATE fires no row-level trigger; on SQLite the triggers are dropped and
    recreated, from their own stored definition, around the delete in the same transaction.
    """
    from sqlalchemy import text

    audit = "audit_events"
    saved = []
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {audit}"))
    else:
        saved = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": audit}
        ).all()
        for name, _sql in saved:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
    for table in reversed(metadata.sorted_tables):
        if table.name != audit or conn.dialect.name != "postgresql":
            conn.execute(table.delete())
    for _name, sql in saved:
        conn.execute(text(sql))


@pytest.fixture()
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_user(app):
    """Create a verified account of a role (password 'Correct-Horse-Battery-9')."""
    from nup.accounts import services
    from nup.extensions import db
    from nup.timeutil import utcnow

    def make(
        role: str = "applicant",
        email: str | None = None,
        password: str = "Correct-Horse-Battery-9",
        name: str = "테스트 사용자",
        verified: bool = True,
    ):
        with app.app_context():
            user = services.create_user(
                actor=None,
                email=email or f"{role}-{secrets.token_hex(3)}@example.kr",
                role=role,
                name=name,
                password=password,
                now=utcnow(),
            )
            if not verified:
                user.email_verified_at = None
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, page: str) -> str:
    """The CSRF token of the form on `page` (forms are tested with CSRF switched on)."""
    html = client.get(page).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def submit(client, page: str, data: dict, action: str | None = None, **kwargs):
    """Fill the form on `page` like a browser: fetch it for its token, then post."""
    return client.post(action or page, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


def assert_not_stored(response) -> None:
    """A private file or generated content: no browser or proxy may keep a copy."""
    assert response.headers.get("Cache-Control") == "no-store", response.headers.get("Cache-Control")
    assert response.headers.get("Pragma") == "no-cache"


def sign_in(client, email: str, password: str = "Correct-Horse-Battery-9"):
    return submit(client, "/login", {"email": email, "password": password})


@pytest.fixture()
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def login_as(client, user) -> None:
    """Give the test client a signed-in session for `user`, as the sign-in page would."""
    from nup.accounts import services
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.timeutil import utcnow

    with client.application.app_context():  # sessions are kept on the server
        _row, key = services.open_session(
            user=db.session.get(User, user.id), ip="127.0.0.1", user_agent="test client", now=utcnow()
        )
        db.session.commit()
    now = utcnow().timestamp()
    with client.session_transaction() as session:
        session["sid"] = key
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = now
        session["seen_at"] = now


@pytest.fixture()
def api_token(app):
    """Issue a bearer token for a user: api_token(user) -> 'nup_...'."""
    from nup.accounts import services
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.timeutil import utcnow

    def issue(user) -> str:
        with app.app_context():
            _token, plaintext = services.issue_api_token(
                actor=None, user=db.session.get(User, user.id), name="test", now=utcnow()
            )
            db.session.commit()
            return plaintext

    return issue


class LiveServer:
    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on PUBLIC_URL's port (emailed links point at it)."""
    import threading

    from werkzeug.serving import make_server

    base = os.environ["PUBLIC_URL"]
    port = int(urlsplit(base).port)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(base)
    server.shutdown()


def start_worker(tmp_path: Path, extra_env: dict | None = None, concurrency: int = 2, own_group: bool = False):
    """Start a real Celery worker process on this run's database and Redis namespace."""
    import subprocess
    import sys
    import time

    log_path = tmp_path / f"worker-{secrets.token_hex(3)}.log"
    env = {**os.environ, **(extra_env or {})}
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "-Q",
            "priority,default",
            "-c",
            str(concurrency),
            "--prefetch-multiplier",
            "1",
            "-l",
            "INFO",
            "-n",
            f"test-{RUN_ID}-{secrets.token_hex(2)}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=own_group,  # its own process group, so a test can SIGKILL all of it
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    process.log_path = log_path
    return process


def stop_worker(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture()
def worker(app, tmp_path):
    """A real worker for one test: delivers to the mail folder (MAIL_DIR)."""
    process = start_worker(tmp_path)
    yield process
    stop_worker(process)


def wait_for(condition, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """Poll until condition() is truthy; return its value or fail with `what`."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def mail_messages() -> list:
    """Every email in the mail folder, parsed, oldest first."""
    import email
    import email.policy

    folder = Path(os.environ["MAIL_DIR"])
    if not folder.is_dir():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


@pytest.fixture(autouse=True)
def _show_server_errors(request):
    """Print the traceback of any 500 a test provokes, so its failure shows the cause."""
    if "app" not in request.fixturenames:
        yield
        return
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    logger = logging.getLogger("nup.responses")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
