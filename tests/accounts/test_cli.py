"""The `nup` commands of CONTRACT.md: users create, tokens create (prints the token only)."""

from sqlalchemy import select

from nup.accounts.models import User
from nup.extensions import db


def test_users_create_then_tokens_create_gives_a_working_token(app, client):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Judge@Example.kr",
            "--password",
            "Quiet-Meadow-Lamp-3",
            "--role",
            "reviewer",
            "--name",
            "박평가",
        ]
    )
    assert created.exit_code == 0, created.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "judge@example.kr"))
        assert user.role == "reviewer" and user.is_verified and user.password_hash.startswith("$argon2id$")
    issued = runner.invoke(args=["tokens", "create", "--email", "judge@example.kr"])
    assert issued.exit_code == 0
    token = issued.output.strip()
    assert token.startswith("nup_") and "\n" not in token  # the token and nothing else
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "judge@example.kr" and me["role"] == "reviewer"


def test_users_create_refuses_bad_input_with_a_message(app):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["users", "create", "--email", "a@example.kr", "--password", "short", "--role", "officer"]
    )
    assert short.exit_code != 0 and "8" in short.output
    wrong_role = runner.invoke(
        args=["users", "create", "--email", "a@example.kr", "--password", "Quiet-Meadow-Lamp-3", "--role", "king"]
    )
    assert wrong_role.exit_code != 0
    unknown = runner.invoke(args=["tokens", "create", "--email", "nobody@example.kr"])
    assert unknown.exit_code != 0 and "no account" in unknown.output
