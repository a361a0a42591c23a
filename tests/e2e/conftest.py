"""Browser fixtures: Debian's Chromium driven by Playwright, never a downloaded browser."""

import shutil
import time
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "nup" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"


@cache
def _korean() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.string}


def translator(lang: str):
    """gettext for the journeys: the English msgid, or its Korean text from the app's own catalogue."""

    def _(msgid: str, **values: str) -> str:
        text = _korean()[msgid] if lang == "ko" else msgid
        return text % values if values else text

    return _


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="package")
def e2e_worker(app, tmp_path_factory):
    """One real worker for the browser journeys: emails land in the mail folder.

    Package-scoped: it must be gone before other tests start workers of their own, or it
    would take their tasks.
    """
    from tests.conftest import start_worker, stop_worker

    process = start_worker(tmp_path_factory.mktemp("e2e-worker"))
    yield process
    stop_worker(process)


def wait_until(page, expression: str, *, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true.

    page.evaluate goes through the browser's debugging protocol, which the pages' CSP (no
    'unsafe-eval') allows; wait_for_function, once the condition is not true at first, polls
    with an in-page eval that the CSP refuses, so under load it failed now and then.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
