"""Email throughput through the outbox, a real worker and SMTP, against a bare smtplib loop.

Prints emails per second for 10,000 notifications (queued, published after commit,
delivered by `celery worker` to aiosmtpd on loopback), the rate of a bare smtplib loop
sending the same messages to the same server (one connection per message, as the worker
does, and one connection for all), their ratios, and how long a priority email takes to
arrive while 5,000 ordinary emails wait in the queue (target: under 2 s).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/notifications.py --count 10000 --backlog 5000
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller

from bench._support import bench_environment, celery_worker, free_port, own_database


class Sink:
    def __init__(self):
        self.count = 0
        self.subjects: list[str] = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.watch_for = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            if self.watch_for and self.watch_for.encode() in envelope.content:
                self.arrived.set()
        return "250 OK"


def wait_until(condition, timeout: float) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("timed out")
        time.sleep(0.01)
    return time.perf_counter() - start


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    process = celery_worker(env, log)
    time.sleep(6)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--backlog", type=int, default=5000)
    args = parser.parse_args()
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    base_url = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with own_database(base_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        env = {**bench_environment(database_url, Path(tmp)), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}
        os.environ.update(env)
        from flask_migrate import upgrade

        from nup import create_app
        from nup.accounts.models import User
        from nup.extensions import db
        from nup.notifications import delivery, services
        from nup.notifications.models import Notification
        from nup.timeutil import utcnow

        app = create_app()
        with app.app_context():
            upgrade()
            users = [
                User(email=f"person{i}@bench.kr", name=f"사람{i}", role="applicant", email_verified_at=utcnow())
                for i in range(100)
            ]
            db.session.add_all(users)
            db.session.commit()

            # 1. Throughput through the outbox and the worker.
            worker = start_worker(env, Path(tmp) / "worker.log")
            start = time.perf_counter()
            for index in range(args.count):
                services.queue(
                    "password_changed",
                    to=users[index % 100],
                    key=f"t{index}",
                    context={"name": users[index % 100].name},
                )
            db.session.commit()  # published to the broker here
            queued_at = time.perf_counter()
            wait_until(lambda: sink.count >= args.count, timeout=3600)
            elapsed = time.perf_counter() - start
            delivered = time.perf_counter() - queued_at
            rate = args.count / elapsed
            print(f"\n{args.count} emails through outbox + worker (2 processes) to aiosmtpd on loopback")
            print(f"  queueing (rows + commit + publish): {queued_at - start:.1f} s")
            print(
                f"  end to end: {elapsed:.1f} s = {rate:.0f} emails/s (delivery alone {args.count / delivered:.0f}/s)"
            )

            # 2. The practical limit: smtplib sending the same rendered messages to the same server.
            messages = [delivery.render(n) for n in db.session.scalars(db.select(Notification).limit(2000))]
            before = sink.count
            start = time.perf_counter()
            for message in messages:
                with smtplib.SMTP("127.0.0.1", port) as client:
                    client.send_message(message)
            per_connection = len(messages) / (time.perf_counter() - start)
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as client:
                for message in messages:
                    client.send_message(message)
            one_connection = len(messages) / (time.perf_counter() - start)
            assert sink.count == before + 2 * len(messages)
            print(
                f"  bare smtplib, one connection per message: {per_connection:.0f} emails/s "
                f"(ratio {rate / per_connection:.2f})"
            )
            print(
                f"  bare smtplib, one connection for all:     {one_connection:.0f} emails/s "
                f"(ratio {rate / one_connection:.2f})"
            )

            # 3. A priority email behind a backlog of ordinary ones.
            for index in range(args.backlog):
                services.queue(
                    "password_changed",
                    to=users[index % 100],
                    key=f"b{index}",
                    context={"name": users[index % 100].name},
                )
            db.session.commit()
            time.sleep(0.5)  # the backlog is in the queue and the workers are busy with it
            backlog_left = args.count + 2 * len(messages) + args.backlog - sink.count
            sink.watch_for = "priority-probe"
            start = time.perf_counter()
            services.queue("verify_email", to=users[0], key="probe", context={"name": "priority-probe", "token": "x"})
            db.session.commit()
            sink.arrived.wait(120)
            latency = time.perf_counter() - start
            print(
                f"  priority email with {backlog_left} ordinary emails still queued: delivered in "
                f"{latency * 1000:.0f} ms (target < 2000 ms)"
            )
            worker.terminate()
            worker.wait(30)
            db.session.remove()
            db.engine.dispose()
    controller.stop()


if __name__ == "__main__":
    main()
