"""`nup serve`: the web server, a worker and beat run as one service, and how it stops.

SIGTERM, SIGINT and SIGHUP all stop it the same way, in order: the web server stops
accepting requests and lets those in progress finish; the worker finishes (or returns)
its current task and beat stops; then the embedded Redis stops, if this process started
it. Whatever has not stopped by the deadline is killed, process group and all, so the
whole stop takes under STOP_DEADLINE_SECONDS. A second signal during the stop kills
every child's process group and the embedded Redis at once.

The worker and beat each run in a session of their own: a signal sent to the terminal's
or the service's process group reaches only this process, which stops them in order
(and, should it die itself, the kernel sends them SIGTERM).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from werkzeug.serving import ThreadedWSGIServer

from nup.config import PROJECT_ROOT

log = logging.getLogger("nup.serve")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_DEADLINE_SECONDS = 20
REQUESTS_GRACE_SECONDS = 3  # requests in progress when the stop begins
CHILDREN_DEADLINE_SECONDS = 15  # from the signal: the worker's current task; then its group is killed
REDIS_STOP_SECONDS = 3
WORKER_ARGS = ["worker", "-Q", "priority,default", "--prefetch-multiplier", "1", "-l", "INFO"]
_PR_SET_PDEATHSIG = 1


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.celery_app", *args]


class _WebServer(ThreadedWSGIServer):
    """Werkzeug's threaded server that counts the requests in progress."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._busy = 0
        self._busy_lock = threading.Lock()

    def process_request_thread(self, request, client_address):
        with self._busy_lock:
            self._busy += 1
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._busy_lock:
                self._busy -= 1

    def wait_for_requests(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._busy and time.monotonic() < deadline:
            time.sleep(0.05)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the serving process dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Service:
    """One `nup serve`: start everything, wait for a stop signal, stop everything."""

    def __init__(self, app, *, host: str, port: int, env: dict[str, str], schedule_file: str):
        self.app, self.host, self.port = app, host, port
        self.env, self.schedule_file = env, schedule_file
        self.children: dict[str, subprocess.Popen] = {}
        self.server: _WebServer | None = None
        self._stop = threading.Event()
        self._stop_reason = ""
        self._serving = False

    # Signals -------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if self._stop.is_set():
            self._stop_at_once(name)
            return
        self._stop_reason = name
        self._stop.set()

    def _stop_at_once(self, name: str) -> None:
        from nup.embedded import kill_embedded_redis_now

        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=2)
        kill_embedded_redis_now()
        _say(f" * N-Up stopped at once ({name} again): web, worker, beat and the embedded Redis killed.")
        os._exit(1)

    # Running -------------------------------------------------------------------------

    def run(self, ensure_redis: Callable[[], None] | None) -> int:
        """Serve until a stop signal; return the exit code (0: stopped in order)."""
        previous = {s: signal.signal(s, self._on_signal) for s in STOP_SIGNALS}
        code = 0
        try:
            self.server = _WebServer(self.host, self.port, self.app)  # a taken port fails here, first
            if ensure_redis is not None:
                ensure_redis()
            if not self._stop.is_set():
                self._start_children()
            if not self._stop.is_set():
                threading.Thread(target=self.server.serve_forever, name="web", daemon=True).start()
                self._serving = True
                _say(
                    f" * N-Up: http://{self.host}:{self.port}  (pid {os.getpid()}, worker pid"
                    f" {self.children['worker'].pid}, beat pid {self.children['beat'].pid})"
                )
            code = self._wait()
        finally:
            self._stop.set()  # a second signal from here on stops at once
            started = time.monotonic()
            self._stop_all()
            _say(
                f" * N-Up stopped ({self._stop_reason or 'error'}) in {time.monotonic() - started:.1f} s:"
                " web, worker, beat and the embedded Redis."
            )
            for s, handler in previous.items():
                signal.signal(s, handler)
        return code

    def _start_children(self) -> None:
        commands = {
            # One worker: no peers to synchronise with at start (mingle) or to chat with (gossip).
            "worker": celery_command(*WORKER_ARGS, "--without-mingle", "--without-gossip"),
            "beat": celery_command("beat", "-l", "INFO", "-s", self.schedule_file),
        }
        for name, command in commands.items():
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                env=self.env,
                cwd=PROJECT_ROOT,
                start_new_session=True,  # its own process group, stopped (or killed) by us
                preexec_fn=_die_with_parent,  # only the main thread runs yet: safe
            )

    def _wait(self) -> int:
        while not self._stop.wait(0.5):
            for name, child in self.children.items():
                if child.poll() is not None:
                    log.error("the %s (pid %s) exited with code %s: stopping N-Up", name, child.pid, child.returncode)
                    self._stop_reason = f"{name} exited"
                    return 1
        return 0

    # Stopping ------------------------------------------------------------------------

    def _stop_all(self) -> None:
        deadline = time.monotonic() + CHILDREN_DEADLINE_SECONDS
        if self.server is not None:
            self._shutdown_web()
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()  # the worker: warm shutdown (finish the task); beat: exit
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("the %s (pid %s) did not stop in time: killing its process group", name, child.pid)
            # Whatever is left of its group (a pool process of a worker that died) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=1)
        from nup.embedded import stop_embedded_redis

        stop_embedded_redis(timeout=REDIS_STOP_SECONDS)

    def _shutdown_web(self) -> None:
        server = self.server
        self.server = None
        if self._serving:
            stopper = threading.Thread(target=server.shutdown, daemon=True)  # returns when serving stops
            stopper.start()
            stopper.join(timeout=2)
        server.server_close()  # no new connections from here on
        server.wait_for_requests(REQUESTS_GRACE_SECONDS)


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # a closed terminal must not stop the stop
        print(text, flush=True)


def serve(app, *, host: str, port: int) -> int:
    """Run the whole system from this process; return the exit code."""
    from pathlib import Path

    instance = app.config["INSTANCE_DIR"]
    env = dict(os.environ)
    env["REDIS_URL"] = app.config["REDIS_URL"]
    env["NUP_INSTANCE_DIR"] = instance
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    ensure_redis = None
    if app.config["EMBEDDED_REDIS"]:
        from nup.embedded import ensure_embedded_redis

        def ensure_redis() -> None:
            ensure_embedded_redis(instance)

    service = Service(app, host=host, port=port, env=env, schedule_file=str(Path(instance) / "celerybeat-schedule"))
    return service.run(ensure_redis)


def exit_now(code: int) -> None:
    """Exit once everything has stopped, without the interpreter's tear-down of the whole app.

    That tear-down has nothing left to release, yet on a busy machine it took seconds of
    the stop deadline; the logs and standard streams are flushed first.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
