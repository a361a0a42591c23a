"""Physical AI priority: classification throughput on one core, and queue latency behind ordinary work.

Throughput: the descriptions of tests/data/physical_ai_labelled.jsonl, as they are (a few hundred
bytes each) and joined into PSST-sized descriptions of 1–3 KB, repeated to about --count of each,
classified back to back in this one process pinned to one CPU. Prints descriptions per second,
the sizes measured, and whether the 1–3 KB rate meets the target of 500 per second.

Latency: a real `celery worker -Q priority,default` (2 processes, prefetch 1) on a scratch installation
(SQLite and the embedded Redis in a temp dir; `--stack services`: a database of its own on PostgreSQL and
REDIS_URL). Times a Physical AI submission from submit_application to its receipt email sent and its
classification done, with the queues empty and behind `--backlog` ordinary emails on `default`; prints the
p50 of each and their ratio (target: under 2x).

    .venv/bin/python bench/priority.py --count 5000
    .venv/bin/python bench/priority.py --part latency --backlog 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nup.priority import classify

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "physical_ai_labelled.jsonl"
TARGET_PER_SECOND = 500
TYPICAL_BYTES = (1024, 3072)
# The CPUs this process may use before the throughput part pins it to one (the latency part gives them back).
ORIGINAL_AFFINITY = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None


def labelled_texts() -> list[str]:
    """Return the descriptions of the labelled set, in file order."""
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def typical_descriptions(texts: list[str]) -> list[str]:
    """Join consecutive labelled descriptions into PSST-sized ones, their sizes spread evenly over 1–3 KB of UTF-8."""
    low, high = TYPICAL_BYTES
    joined = []
    for start in range(len(texts)):
        target = low + (high - low) * start // len(texts)
        current = ""
        for text in texts[start:] + texts[:start]:
            longer = f"{current} {text}".strip()
            if len(longer.encode()) > high:
                break
            current = longer
            if len(current.encode()) >= target:
                break
        if len(current.encode()) >= low:
            joined.append(current)
    return joined


def rate(descriptions: list[str], count: int, rounds: int) -> tuple[float, int]:
    """Classify `count` descriptions (cycling through the list) `rounds` times; return the best rate and the count."""
    batch = [descriptions[i % len(descriptions)] for i in range(count)]
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for text in batch:
            classify(text)
        best = max(best, len(batch) / (time.perf_counter() - started))
    return best, len(batch)


def pin_to_one_core() -> str:
    """Run on a single CPU where the OS allows it, so the figure is per core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here): one thread, one process"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def bench_priority_throughput(args: argparse.Namespace) -> None:
    """Print classification throughput for the labelled descriptions and for 1–3 KB descriptions."""
    print(f"throughput: {pin_to_one_core()}")
    texts = labelled_texts()
    typical = typical_descriptions(texts)
    classify(texts[0])  # warm up: the lexicon is compiled at import, this touches the code paths once
    rates = {}
    for name, descriptions in (("labelled set as is", texts), ("1-3 KB descriptions", typical)):
        sizes = [len(text.encode()) for text in descriptions]
        rates[name], count = rate(descriptions, args.count, args.rounds)
        print(
            f"  {name:22} {count:>6} descriptions, median {statistics.median(sizes):>5.0f} bytes "
            f"(min {min(sizes)}, max {max(sizes)}): {rates[name]:>7.0f} descriptions/s (best of {args.rounds})"
        )
    typical_rate = rates["1-3 KB descriptions"]
    verdict = "meets" if typical_rate >= TARGET_PER_SECOND else "MISSES"
    print(f"  target: >= {TARGET_PER_SECOND}/s for 1-3 KB descriptions on one core: {verdict} ({typical_rate:.0f}/s)")


# ---------------------------------------------------------------------------------------------
# Latency: a Physical AI submission's work, with an empty queue and behind ordinary work.
# ---------------------------------------------------------------------------------------------
LATENCY_TARGET_RATIO = 2.0
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ROBOT_PLAN = {
    "track": "physical_ai_robotics",
    "summary": "용접 로봇 비전 제어 시스템",
    "problem": "조선소 용접 품질 편차",
    "solution": "3D 비전과 강화학습으로 용접 로봇 매니퓰레이터의 경로를 실시간 보정합니다",
    "scale_up": "조선·자동차 부품 공장 도입",
    "team": "로봇공학 박사 2명",
}
BACKLOG_KIND = "password_changed"


def unpin() -> None:
    """Give this process (and the worker it starts) back every CPU the throughput part may have taken away."""
    if ORIGINAL_AFFINITY is not None:
        os.sched_setaffinity(0, ORIGINAL_AFFINITY)


@contextmanager
def latency_stack(stack: str, tmp: Path):
    """Yield the environment of a scratch installation: SQLite and the embedded Redis, or PostgreSQL and Redis."""
    from bench._support import bench_environment, own_database

    if stack == "services":
        base_url = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        with own_database(base_url) as database_url:
            env = bench_environment(database_url, tmp)
            try:
                yield env
            finally:
                forget_redis_keys(env)
        return
    from nup.embedded import ensure_embedded_redis, stop_embedded_redis

    redis_url = ensure_embedded_redis(str(tmp / "redis"))
    try:
        yield {**bench_environment(f"sqlite:///{tmp / 'bench.db'}", tmp), "REDIS_URL": redis_url}
    finally:
        stop_embedded_redis()


def forget_redis_keys(env: dict[str, str]) -> None:
    """Delete what the run left under its key prefix on a shared Redis (queue bindings, any leftover messages)."""
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    keys = list(client.scan_iter(match=env["NUP_REDIS_PREFIX"] + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def seed_ready_drafts(count: int) -> tuple[list[tuple[int, int]], list[int]]:
    """An open call, `count` founders with complete Physical AI drafts and 100 ordinary users.

    Returns (founder id, application id) pairs and the ordinary users' ids.
    """
    import io
    from datetime import timedelta

    from nup.accounts.models import User
    from nup.applications import rules
    from nup.applications import services as applications
    from nup.extensions import db
    from nup.programmes import services as calls
    from nup.timeutil import to_kst, utcnow

    now = utcnow()
    officer = User(email="officer@bench.kr", name="Officer", role="officer", email_verified_at=now)
    db.session.add(officer)
    db.session.flush()
    call = calls.create_call(
        actor=officer,
        now=now,
        values={
            "title_ko": "우선순위 지연 벤치마크 공고",
            "announced_on": to_kst(now).date() - timedelta(days=2),
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=1),
        },
    )
    calls.publish_call(call, actor=officer, now=now)
    drafts = []
    for index in range(count):
        founder = User(email=f"robot{index}@bench.kr", name=f"로봇{index}", role="applicant", email_verified_at=now)
        db.session.add(founder)
        db.session.flush()
        application = applications.start_application(call, actor=founder, now=now)
        first = f"{300 + index:03d}81{62510 + index:04d}"[:9]
        applications.save_draft(
            application,
            actor=founder,
            now=now,
            partial=False,
            values={
                "company_name": f"로봇 회사 {index}",
                "applicant_type": "company",
                "ceo_name": founder.name,
                "business_registration_number": first + str(rules.brn_check_digit(first)),
                "founded_on": (to_kst(now).date() - timedelta(days=3 * 365)).isoformat(),
                "region": "대전",
                "employees": "12",
                "industry": "로봇 제조",
                "tax_arrears": "no",
                "loan_default": "no",
                "participation_ban": "no",
                "duplicate_support": "no",
                "funding_requested": "200,000,000",
                **ROBOT_PLAN,
            },
        )
        for document in call.documents_for("company"):
            applications.upload_document(
                application,
                actor=founder,
                kind=document["kind"],
                stream=io.BytesIO(PDF),
                filename=f"{document['kind']}.pdf",
                issued_on=to_kst(now).date() if document.get("max_age_days") else None,
                started_at=now,
                clock=utcnow,
            )
        drafts.append((founder.id, application.id))
    people = [
        User(email=f"person{i}@bench.kr", name=f"사람{i}", role="applicant", email_verified_at=now) for i in range(100)
    ]
    db.session.add_all(people)
    db.session.commit()
    return drafts, [person.id for person in people]


def start_latency_worker(env: dict[str, str], log: Path, concurrency: int) -> subprocess.Popen:
    """A real worker on both queues, prefetch 1, as production runs it."""
    from bench._support import celery_worker

    return celery_worker(env, log, concurrency=concurrency)


@dataclass
class Sample:
    """One submission: seconds from the start of submit_application to each piece of its work being done."""

    committed: float
    receipt: float
    classified: float
    waiting_before: int
    waiting_after: int

    @property
    def done(self) -> float:
        return max(self.receipt, self.classified)


class LatencyProbe:
    """Submit Physical AI drafts and time their receipt email and classification, through the real worker."""

    def __init__(self, app, worker: subprocess.Popen, log: Path):
        import redis

        self.app, self.worker, self.log = app, worker, log
        self.redis = redis.Redis.from_url(app.config["REDIS_URL"])
        self.default_key = f"{app.config['REDIS_PREFIX']}default"

    def waiting(self) -> int:
        """Messages in the `default` queue (kombu keeps a queue as a Redis list under the key prefix)."""
        return self.redis.llen(self.default_key)

    def wait(self, condition, timeout: float, what: str) -> float:
        """Poll every 5 ms until condition() is true; return the seconds it took."""
        started = time.perf_counter()
        while not condition():
            if self.worker.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log.read_text()[-3000:]}")
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.005)
        return time.perf_counter() - started

    def submit(self, founder_id: int, application_id: int, timeout: float = 60) -> Sample:
        """Submit one draft and wait for its receipt to be sent and its text to be classified."""
        from sqlalchemy import select

        from nup.accounts.models import User
        from nup.applications import services as applications
        from nup.applications.models import Application
        from nup.extensions import db
        from nup.notifications.models import Notification, NotificationStatus
        from nup.timeutil import utcnow

        application, founder = db.session.get(Application, application_id), db.session.get(User, founder_id)
        waiting_before = self.waiting()
        started = time.perf_counter()
        applications.submit_application(application, actor=founder, now=utcnow())
        db.session.commit()  # the receipt email and the classification are published here
        committed = time.perf_counter() - started
        key = f"application_received:application:{application_id}:{founder_id}"
        receipt_id = db.session.scalar(select(Notification.id).where(Notification.idempotency_key == key))
        db.session.remove()
        times: dict[str, float] = {}

        def done() -> bool:
            with db.engine.connect() as conn:
                if "receipt" not in times:
                    status = conn.scalar(select(Notification.status).where(Notification.id == receipt_id))
                    if status == NotificationStatus.SENT:
                        times["receipt"] = time.perf_counter() - started
                if "classified" not in times:
                    classified_at = conn.scalar(
                        select(Application.classified_at).where(Application.id == application_id)
                    )
                    if classified_at is not None:
                        times["classified"] = time.perf_counter() - started
            return len(times) == 2

        self.wait(done, timeout, "the receipt email and the classification")
        return Sample(committed, times["receipt"], times["classified"], waiting_before, self.waiting())

    def queue_backlog(self, people: list[int], count: int, tag: str) -> float:
        """Queue `count` ordinary emails through the outbox and commit (published to `default`); return seconds."""
        from nup.accounts.models import User
        from nup.extensions import db
        from nup.notifications import services as notifications

        started = time.perf_counter()
        users = [db.session.get(User, person) for person in people]
        for index in range(count):
            user = users[index % len(users)]
            notifications.queue(
                BACKLOG_KIND, to=user, key=f"{tag}-{index}", context={"name": user.name}, priority=False
            )
        db.session.commit()
        db.session.remove()
        return time.perf_counter() - started

    def sent_of(self, tag: str) -> int:
        from sqlalchemy import func, select

        from nup.extensions import db
        from nup.notifications.models import Notification, NotificationStatus

        with db.engine.connect() as conn:
            return conn.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.idempotency_key.like(f"{BACKLOG_KIND}:{tag}-%"))
                .where(Notification.status == NotificationStatus.SENT)
            )

    def drop_backlog(self) -> None:
        """Empty the `default` queue (the rest of the backlog is never sent) and let the worker go idle."""
        self.redis.delete(self.default_key)
        time.sleep(0.5)  # the tasks in the worker's hands (prefetch 1) finish
        self.redis.delete(self.default_key)


def p50_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_priority_latency(args: argparse.Namespace) -> None:
    """Print how long a Physical AI submission's work takes with empty queues and behind a `default` backlog.

    The work is the receipt email (priority outbox row) and the classification task, both on the `priority`
    queue, done by a real worker; the backlog is `--backlog` ordinary emails. Target: p50 ratio under 2x.
    """
    import tempfile

    unpin()
    with tempfile.TemporaryDirectory(prefix="nup-bench-priority-") as tmp_name:
        tmp = Path(tmp_name)
        with latency_stack(args.stack, tmp) as env:
            os.environ.update(env)
            from flask_migrate import upgrade

            from nup import create_app
            from nup.extensions import db

            app = create_app()
            logging.disable(logging.INFO)  # the migrations' and the app's INFO lines would bury the figures
            with app.app_context():
                upgrade()
                warm_ups = 2
                drafts, people = seed_ready_drafts(warm_ups + 2 * args.repeat)
                worker = start_latency_worker(env, tmp / "worker.log", args.concurrency)
                probe = LatencyProbe(app, worker, tmp / "worker.log")
                try:
                    database = db.engine.url.get_backend_name()
                    print(
                        f"latency: {database} + Redis ({args.stack}), celery worker -c {args.concurrency} "
                        f"-Q priority,default, prefetch 1, acks late; {args.repeat} submissions each way"
                    )
                    # Warm up: the worker starts, each process imports, renders and classifies once.
                    for founder_id, application_id in drafts[:warm_ups]:
                        probe.submit(founder_id, application_id, timeout=120)
                    probe.queue_backlog(people, 20, "warm")
                    probe.wait(lambda: probe.sent_of("warm") == 20, 60, "the warm-up emails")
                    empty, behind, queueing = [], [], []
                    pairs = drafts[warm_ups:]
                    for round_ in range(args.repeat):
                        empty.append(probe.submit(*pairs[2 * round_]))
                        tag = f"backlog{round_}"
                        queueing.append(probe.queue_backlog(people, args.backlog, tag))
                        # The worker is busy with the backlog when the Physical AI application comes in.
                        probe.wait(lambda tag=tag: probe.sent_of(tag) >= 20, 60, "the worker to start on the backlog")
                        behind.append(probe.submit(*pairs[2 * round_ + 1]))
                        probe.drop_backlog()
                finally:
                    worker.terminate()  # a warm shutdown: the tasks in hand finish
                    try:
                        worker.wait(30)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait()
                    db.session.remove()
                    db.engine.dispose()
                    probe.redis.close()
    report_latency(args, empty, behind, queueing)


def report_latency(args: argparse.Namespace, empty: list[Sample], behind: list[Sample], queueing: list[float]) -> None:
    """Print the samples, the p50s and the ratio against the target."""
    print(f"  {args.backlog} ordinary emails queued (rows + commit + publish): {p50_ms(queueing):.0f} ms p50")
    for name, samples in (("empty queue", empty), (f"behind {args.backlog}", behind)):
        done = [s.done for s in samples]
        print(
            f"  {name:14} done p50 {p50_ms(done):5.0f} ms, max {max(done) * 1000:5.0f} ms "
            f"[{', '.join(f'{value * 1000:.0f}' for value in done)}]"
        )
        print(
            f"  {'':14} receipt sent p50 {p50_ms([s.receipt for s in samples]):.0f} ms, "
            f"classified p50 {p50_ms([s.classified for s in samples]):.0f} ms, "
            f"submit + commit p50 {p50_ms([s.committed for s in samples]):.0f} ms; "
            f"default queue {statistics.median(s.waiting_before for s in samples):.0f} before, "
            f"{statistics.median(s.waiting_after for s in samples):.0f} after"
        )
    ratio = p50_ms([s.done for s in behind]) / p50_ms([s.done for s in empty])
    verdict = "meets" if ratio < LATENCY_TARGET_RATIO else "MISSES"
    print(f"  p50 behind the backlog / empty: {ratio:.2f}x (target < {LATENCY_TARGET_RATIO:.0f}x: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="descriptions classified per kind and round")
    parser.add_argument("--rounds", type=int, default=3, help="repeat and keep the best round")
    parser.add_argument("--part", choices=("throughput", "latency", "all"), default="all")
    parser.add_argument("--backlog", type=int, default=5000, help="ordinary emails queued ahead (latency)")
    parser.add_argument("--repeat", type=int, default=5, help="submissions timed each way (latency)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (latency)")
    parser.add_argument(
        "--stack",
        choices=("embedded", "services"),
        default="embedded",
        help="latency on SQLite and the embedded Redis in a temp dir, or on PostgreSQL (DATABASE_URL) and REDIS_URL",
    )
    args = parser.parse_args()
    if args.part in ("throughput", "all"):
        bench_priority_throughput(args)
    if args.part in ("latency", "all"):
        bench_priority_latency(args)


if __name__ == "__main__":
    main()
