"""The `nup` command: a Flask CLI group with serve, users, tokens, demo, classify, worker and beat."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from nup.config import PROJECT_ROOT
from nup.serving import WORKER_ARGS
from nup.serving import celery_command as _celery_command


def _child_environment() -> dict[str, str]:
    """Children use the same Redis (the embedded one included) and instance folder."""
    if current_app.config["EMBEDDED_REDIS"]:
        from nup.embedded import ensure_embedded_redis

        ensure_embedded_redis(current_app.config["INSTANCE_DIR"])
    env = dict(os.environ)
    env["REDIS_URL"] = current_app.config["REDIS_URL"]
    env["NUP_INSTANCE_DIR"] = current_app.config["INSTANCE_DIR"]
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    return env


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: PORT or 5000.")
@with_appcontext
def serve(host: str, port: int | None) -> None:
    """Serve web, worker and beat together; SIGTERM, SIGINT (Ctrl-C) or SIGHUP stops all of them
    and the embedded Redis in order, a second signal at once (see nup/serving.py)."""
    from nup import serving

    app = current_app._get_current_object()
    serving.exit_now(serving.serve(app, host=host, port=port or app.config["PORT"]))


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker(extra: tuple[str, ...]) -> None:
    """Run a Celery worker on the priority and default queues (extra arguments pass through).

    `nup worker -Q priority` runs a worker dedicated to the priority queue.
    """
    arguments = list(WORKER_ARGS)
    if "-Q" in extra or any(a.startswith("--queues") for a in extra):
        del arguments[1:3]  # the caller chose the queues
    os.execvpe(sys.executable, _celery_command(*arguments, *extra), _child_environment())


@click.command("beat", context_settings={"ignore_unknown_options": True})
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def beat(extra: tuple[str, ...]) -> None:
    """Run Celery beat: the one scheduler of the periodic jobs."""
    schedule = str(Path(current_app.config["INSTANCE_DIR"]) / "celerybeat-schedule")
    os.execvpe(
        sys.executable,
        _celery_command("beat", "-l", "INFO", "-s", schedule, *extra),
        _child_environment(),
    )


@click.group("users")
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["applicant", "reviewer", "officer", "mentor"]))
@click.option("--name", default="")
@with_appcontext
def users_create(email: str, password: str, role: str, name: str) -> None:
    """Create a ready-to-use (verified) account."""
    from nup.accounts import passwords, services
    from nup.errors import DomainError
    from nup.extensions import db
    from nup.timeutil import utcnow

    problems = passwords.password_problems(password)
    if "too_short" in problems or "too_long" in problems:
        raise click.BadParameter(str(services.PASSWORD_MESSAGES[problems[0]]), param_hint="--password")
    if problems:
        click.echo("warning: this password is easy to guess; change it after the first sign-in.", err=True)
    try:
        user = services.create_user(
            actor=None,
            email=email,
            role=role,
            name=name,
            password=password,
            now=utcnow(),
            check_strength=False,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@click.group("tokens")
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
@with_appcontext
def tokens_create(email: str, name: str) -> None:
    """Print a new API token for that user, and nothing else."""
    from sqlalchemy import select

    from nup.accounts import services
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.timeutil import utcnow

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    _token, plaintext = services.issue_api_token(actor=None, user=user, name=name, now=utcnow())
    db.session.commit()
    click.echo(plaintext)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when accounts already exist.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load realistic demo data and print the demo accounts and their new passwords.

    Refused (exit status 1) when NUP_ENV=production: demo accounts never reach production.
    """
    from nup import demo as demo_data

    if current_app.config.get("NUP_ENV") == "production":
        raise click.ClickException("refused: demo data is never loaded when NUP_ENV=production")
    created = demo_data.load(if_empty=if_empty)
    if created is None:
        click.echo("demo data: accounts already exist, nothing loaded")
        return
    click.echo("Demo accounts (email / password / role), passwords made for this load; keep them:")
    for email, password, role in created:
        click.echo(f"  {email:32} {password:28} {role}")
    if created:
        click.echo("Evaluators (evaluator1..7@nup.example.kr) share the reviewer's password, mentors the")
        click.echo("mentor's, and the other demo applicants (founderNN@startup.example.kr) the applicants'.")


@click.command("classify")
@click.option("--track", metavar="KEY", default=None, help="The declared track: a small prior, never decisive.")
def classify(track: str | None) -> None:
    """Read a project description on standard input; print one JSON object: is it Physical AI, and why.

    Needs no database or Redis: the classifier is a pure function.
    """
    import json

    from nup.priority import classifier

    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    result = classifier.classify(text, declared_track=track)
    click.echo(json.dumps(classifier.as_contract_json(result), ensure_ascii=False))


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only print what the retention rules would remove now.")
@with_appcontext
def purge(dry_run: bool) -> None:
    """Run the retention purge now (what the daily beat job does), or show its dry run."""
    from nup.extensions import db
    from nup.privacy import purge as retention_purge
    from nup.timeutil import utcnow

    now = utcnow()
    if dry_run:
        for key, entry in retention_purge.preview(now=now).items():
            click.echo(f"{key}: {entry['count']}")
        return
    totals = retention_purge.run_purge(now=now, commit=db.session.commit)
    for key, count in totals.items():
        click.echo(f"{key}: {count}")


def install(app: Flask) -> None:
    for command in (serve, worker, beat, users, tokens, demo, classify, purge):
        app.cli.add_command(command)


def main() -> None:
    from nup import create_app
    from nup.config import ConfigurationError

    try:
        FlaskGroup(create_app=create_app, add_default_commands=True, help="N-Up programme system.")(prog_name="nup")
    except ConfigurationError as error:  # a setting to fix, said in one line rather than a traceback
        raise SystemExit(f"nup: {error}") from None
