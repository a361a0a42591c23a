"""`nup demo` never loads into production, and makes its passwords when it loads."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.extensions import db
from tests.conftest import sign_in


def test_nup_demo_refuses_in_production_and_loads_nothing(app):
    runner = app.test_cli_runner()
    app.config["NUP_ENV"] = "production"
    try:
        for args in (["demo"], ["demo", "--if-empty"]):
            result = runner.invoke(args=args)
            assert result.exit_code != 0
            assert "NUP_ENV=production" in result.output
    finally:
        app.config["NUP_ENV"] = "development"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_demo_prints_fresh_passwords_that_sign_in(app, client):
    from nup import demo

    assert "N-Up-2026" not in Path(demo.__file__).read_text(encoding="utf-8")
    with app.app_context():
        first = demo.load(if_empty=True)
    assert first is not None
    passwords = {email: password for email, password, _role in first}
    assert set(passwords) >= {"officer@nup.example.kr", "reviewer@nup.example.kr", "founder@robotics.example.kr"}
    assert len({passwords["officer@nup.example.kr"], passwords["reviewer@nup.example.kr"]}) == 2
    assert sign_in(client, "officer@nup.example.kr", passwords["officer@nup.example.kr"]).status_code == 302
    # Loading again on a filled database does nothing; a second fresh load would make other passwords.
    with app.app_context():
        assert demo.load(if_empty=True) is None
    assert re.fullmatch(r"Officer-[\w-]{16}", demo.new_password("officer"))
    assert demo.new_password("officer") != demo.new_password("officer")


@pytest.mark.parametrize("written", ["prod", " production"])
def test_a_misspelt_nup_env_stops_the_command_with_one_line(tmp_path, written):
    """A slip in NUP_ENV is not taken for development: the demo is never loaded by mistake."""
    environment = {**os.environ, "NUP_ENV": written, "NUP_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "from nup.cli import main; main()", "demo"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    expected = f"nup: NUP_ENV must be one of development, production, not {written!r}."
    assert done.stderr.strip().splitlines() == [expected]
    assert not (tmp_path / "nup.db").exists()
