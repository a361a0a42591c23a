"""`nup serve` as a service: every stop signal stops web, worker, beat and the embedded Redis
in order and leaves no process behind; a second signal stops at once; a start after a crash
takes over the Redis left running; a lost outbox message is delivered at the sweep's pace.

Each test runs the embedded default (`nup serve`, the embedded Redis, this run's database)
in a session of its own and kills whatever is left of it afterwards, pass or fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.conftest import _free_port, wait_for

pytestmark = pytest.mark.integration

SWEEP_AFTER = 4  # NOTIFY_SWEEP_AFTER_SECONDS for the served system
NUP = str(Path(sys.executable).parent / "nup")


def _proc_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, state) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return table


def _alive(pid: int) -> bool:
    state = _proc_table().get(pid)
    return state is not None and state[2] != "Z"


class Served:
    """One `nup serve` in a session of its own, with its log and the pids it runs."""

    def __init__(self, tmp: Path, name: str):
        self.instance = tmp / "instance"
        self.mail = tmp / "mail"
        self.log_path = tmp / f"{name}.log"
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the embedded default
        env.update(
            NUP_INSTANCE_DIR=str(self.instance),
            MAIL_DIR=str(self.mail),
            PORT=str(self.port),
            NOTIFY_SWEEP_AFTER_SECONDS=str(SWEEP_AFTER),
            PYTHONUNBUFFERED="1",
        )
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [NUP, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.known: set[int] = {self.process.pid}

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90, children: bool = True) -> None:
        """Until the health check answers (and, with `children`, the worker is ready and beat has started)."""

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"nup serve exited with {self.process.returncode}:\n{self.text()[-3000:]}")
            log = self.text()
            if children and ("ready." not in log or "beat: Starting" not in log):
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(ready, timeout=timeout, interval=0.3, what="nup serve to be ready")

    def redis_pid(self) -> int:
        socket = json.loads((self.instance / "redis-owner.json").read_text())["socket"]
        return int(redis.Redis(unix_socket_path=socket).info("server")["process_id"])

    def pids(self) -> dict[str, set[int]]:
        """Taken before any signal: serve, its children and their process groups, and the Redis."""
        table = _proc_table()
        tree = {self.process.pid}
        changed = True
        while changed:
            grown = {pid for pid, (ppid, _, _) in table.items() if ppid in tree}
            changed = not grown <= tree
            tree |= grown
        groups = {table[pid][1] for pid in tree if pid in table}
        tree |= {pid for pid, (_, pgid, _) in table.items() if pgid in groups}
        children = {pid for pid in tree if table.get(pid, (0,))[0] == self.process.pid}
        redis_pid = self.redis_pid()
        found = {"children": children, "redis": {redis_pid}, "all": tree | {redis_pid}}
        self.known |= found["all"]
        return found

    def signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)  # its group, as a terminal or a service manager does

    def kill_everything(self) -> None:
        """SIGKILL every process it ever ran (its children's groups included)."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            self.pids()
        table = _proc_table()
        for pid in self.known:
            if pid not in table:
                continue
            group = table[pid][1]
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if group != os.getpgrp():
                    os.killpg(group, signal.SIGKILL)
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.log.close()


@pytest.fixture()
def serve(app, tmp_path):
    started: list[Served] = []

    def start(name: str = "serve") -> Served:
        served = Served(tmp_path, name)
        started.append(served)
        return served

    yield start
    for served in started:  # pass or fail, nothing of it outlives the test
        served.kill_everything()


def _stopped_within(served: Served, seconds: float) -> float:
    started = time.monotonic()
    try:
        served.process.wait(seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {seconds} s:\n{served.text()[-3000:]}") from None
    return time.monotonic() - started


def _assert_all_gone(pids: set[int], served: Served) -> None:
    wait_for(lambda: not [p for p in pids if _alive(p)], timeout=3, what="every process to be gone")
    left = [p for p in pids if _alive(p)]
    assert not left, f"left behind: {left}\n{served.text()[-2000:]}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_each_stop_signal_stops_web_worker_beat_and_redis_in_order(serve, signum):
    served = serve()
    served.wait_ready()
    pids = served.pids()
    assert len(pids["children"]) == 2, "a worker and beat"
    assert len(pids["all"]) >= 5, "serve, worker (and its pool), beat and Redis"
    served.signal(signum)
    took = _stopped_within(served, 20)
    print(f"\n{signum.name}: stopped in {took:.1f} s")
    assert served.process.returncode == 0, served.text()[-3000:]
    _assert_all_gone(pids["all"], served)
    log = served.text()
    assert f"N-Up stopped ({signum.name})" in log
    assert "Warm shutdown" in log  # the worker was asked to finish, not killed
    assert not (served.instance / "redis.sock").exists()
    assert not (served.instance / "redis-owner.json").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{served.port}/healthz", timeout=2)


def test_a_second_signal_stops_at_once_without_orphans(serve):
    served = serve()
    served.wait_ready()
    pids = served.pids()
    served.signal(signal.SIGTERM)
    time.sleep(0.3)  # the orderly stop is under way (stopping the web server alone takes longer)
    served.signal(signal.SIGTERM)
    took = _stopped_within(served, 5)
    print(f"\nsecond SIGTERM: stopped in {took:.1f} s")
    assert served.process.returncode == 1
    assert "stopped at once (SIGTERM again)" in served.text()
    _assert_all_gone(pids["all"], served)
    assert not (served.instance / "redis.sock").exists()


def test_after_a_crash_the_next_start_takes_over_redis_and_a_lost_message_arrives(app, make_user, serve):
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.notifications import services
    from nup.notifications.models import Notification, NotificationStatus

    crashed = serve("crashed")
    crashed.wait_ready(children=False)  # the web server answers: Redis is up, the rest is starting
    before = crashed.pids()
    # kill -9 of the service's tree: the Redis server (a daemon, in a session of its own) survives it.
    for pid in before["all"] - before["redis"]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    crashed.process.wait(5)
    assert all(_alive(pid) for pid in before["redis"]), "the Redis server outlived the crash"

    served = serve("after-crash")
    served.wait_ready()
    log = served.text()
    takeovers = [line for line in log.splitlines() if "embedded Redis:" in line]
    assert len(takeovers) == 1 and "reusing the server an earlier start left running" in takeovers[0], log[-3000:]
    assert served.redis_pid() in before["redis"]

    # A lost message: the row is written, its broker message never reaches this Redis.
    user = make_user("applicant")
    with app.app_context():
        to = db.session.get(User, user.id)
        row = services.queue("password_changed", to=to, key="lost", context={"name": to.name})
        db.session.commit()
        row_id, queued_at = row.id, time.monotonic()

    def delivered():
        with app.app_context():
            db.session.remove()
            return db.session.get(Notification, row_id).status == NotificationStatus.SENT

    # Due SWEEP_AFTER s after it was written, taken up by the next sweep (every 5 s): 9 s, and slack.
    wait_for(delivered, timeout=SWEEP_AFTER + 5 + 6, interval=0.2, what="the lost message to be swept and sent")
    recovered = time.monotonic() - queued_at
    print(f"\nlost message delivered {recovered:.1f} s after it was queued (sweep after {SWEEP_AFTER} s)")
    assert recovered >= SWEEP_AFTER - 0.5, "sent before it was due: it was not lost"
    assert list(served.mail.glob("*.eml")), "the email is in the mail folder"

    pids = served.pids()
    served.signal(signal.SIGTERM)
    _stopped_within(served, 20)
    assert served.process.returncode == 0
    _assert_all_gone(pids["all"] | before["all"], served)  # the server it took over is stopped too
