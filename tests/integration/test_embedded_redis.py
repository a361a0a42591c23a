"""The embedded Redis after a crash that took the server down too: its leftovers are cleaned.

(The crash that leaves the server running is in test_serve.py.) Run in a child process:
this one already runs the test session's embedded server.
"""

import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nup.embedded import OWNER_FILE, embedded_socket_path, read_owner_record

pytestmark = pytest.mark.integration

START_AND_STOP = """
import logging, sys
import redis
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s: %(message)s")
from nup.embedded import ensure_embedded_redis, read_owner_record, stop_embedded_redis
url = ensure_embedded_redis(sys.argv[1])
print("pong", redis.Redis.from_url(url).ping(), "server", read_owner_record(sys.argv[1])["server_pid"])
stop_embedded_redis()
"""


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_dead_servers_socket_folder_and_record_are_cleaned_and_said_so_once(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    path = embedded_socket_path(str(instance))
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))  # a socket file nothing listens on any more, as a SIGKILL leaves it
    stale.close()
    old_folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (instance / OWNER_FILE).write_text(
        f'{{"owner_pid": {_dead_pid()}, "server_pid": {_dead_pid()}, "socket": "{path}",'
        f' "redis_dir": "{old_folder}", "instance_dir": "{instance}"}}'
    )

    run = subprocess.run(
        [sys.executable, "-c", START_AND_STOP, str(instance)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-3000:]
    said = [line for line in run.stdout.splitlines() if "embedded Redis:" in line]
    assert len(said) == 1, run.stdout
    assert "cleaned up after an earlier start" in said[0] and "removed the stale socket" in said[0]
    assert "pong True" in run.stdout
    server_pid = int(run.stdout.split("server ")[-1].split()[0])
    assert not Path(f"/proc/{server_pid}").exists() or "Z" in Path(f"/proc/{server_pid}/stat").read_text().split()[2]
    assert not path.exists() and not old_folder.exists()
    assert read_owner_record(str(instance)) is None


def test_a_clean_start_says_nothing_about_an_earlier_one(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", START_AND_STOP, str(tmp_path / "fresh")], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "pong True" in run.stdout and "embedded Redis:" not in run.stdout
