"""Real worker processes, a real broker and a real SMTP server, and ways to break them."""

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import _free_port, start_worker
from tests.integration.conftest import Sink

FAST = {"NOTIFY_RETRY_BASE_SECONDS": "1", "NOTIFY_SWEEP_AFTER_SECONDS": "2", "NOTIFY_CLAIM_SECONDS": "4"}


class SmtpServer:
    """aiosmtpd on a fixed loopback port that can be stopped and started again."""

    def __init__(self):
        self.port = _free_port()
        self.sink = Sink()
        self.controller = None

    def start(self):
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> Counter:
        with self.sink.lock:
            return Counter(str(m["Message-ID"]) for m in self.sink.messages)


@pytest.fixture()
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


class Workers:
    """Start worker processes (each in its own process group, so SIGKILL takes all of it)."""

    def __init__(self, tmp: Path, env: dict):
        self.tmp, self.env, self.processes = tmp, env, []

    def start(self, concurrency: int = 2):
        process = start_worker(self.tmp, self.env, concurrency=concurrency, own_group=True)
        self.processes.append(process)
        return process

    def kill(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture()
def workers(app, tmp_path, smtp):
    pool = Workers(tmp_path, {**os.environ, **FAST, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)})
    yield pool
    pool.stop_all()
