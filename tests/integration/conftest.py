"""A real SMTP server (aiosmtpd on loopback) and a real worker that delivers to it."""

import email
import email.policy
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import _free_port, start_worker, stop_worker


class Sink:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


@pytest.fixture()
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture()
def smtp_worker(app, tmp_path, smtp_sink):
    process = start_worker(tmp_path, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port)})
    yield process
    stop_worker(process)


# The review fixtures (a closed call, a panel, submitted applications) for the assignment tests.
from tests.mentoring.conftest import mentoring  # noqa: E402, F401 - selected startups and a mentor pool
from tests.reviews.conftest import make_call, officer, review_setup  # noqa: E402, F401
