"""The last hour before a deadline, on PostgreSQL + Redis behind gunicorn, on loopback.

A few hundred simulated applicants sign in, open pages, save drafts (autosave and form
posts), upload 2 MB files and submit — some with a double click. Prints throughput,
p50/p95/p99 per kind of request, errors, the ratio of submit throughput to a trivial
endpoint, checks that no submission was lost or duplicated, and counts SQL queries of the
officer's list at two list lengths.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/deadline_rush.py --users 300 --concurrency 50
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench._support import QueryCounter, bench_environment, gunicorn, own_database, percentiles, print_table

PASSWORD = "Deadline-Rush-2026!"  # noqa: S105 - the simulated applicants' password
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PDF_HEAD = b"%PDF-1.4\n%bench\n"


def seed(env: dict, users: int) -> int:
    """Create an open call closing in an hour and `users` applicant accounts; return the call id."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from nup import create_app
    from nup.accounts import passwords
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.programmes import services
    from nup.timeutil import to_kst, utcnow

    app = create_app()
    with app.app_context():
        upgrade()
        now = utcnow()
        officer = User(email="officer@bench.kr", name="Officer", role="officer", email_verified_at=now)
        db.session.add(officer)
        db.session.flush()
        call = services.create_call(
            actor=officer,
            now=now,
            values={
                "title_ko": "마감 직전 벤치마크 공고",
                "announced_on": to_kst(now).date() - timedelta(days=30),
                "opens_at": now - timedelta(days=29),
                "closes_at": now + timedelta(hours=1),
            },
        )
        services.publish_call(call, actor=officer, now=now)
        # One real Argon2id hash (production parameters) shared by all: sign-in costs what it costs.
        shared = passwords.hash_password(PASSWORD, parameters=app.config["ARGON2_PARAMETERS"])
        db.session.add_all(
            [
                User(
                    email=f"founder{i:04d}@bench.kr",
                    name=f"대표{i}",
                    role="applicant",
                    password_hash=shared,
                    email_verified_at=now,
                )
                for i in range(users)
            ]
        )
        db.session.commit()
        return call.id


class Recorder:
    think: tuple[float, float] = (0.0, 0.0)

    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def timed(self, name: str, call, expect=(200, 302, 303)):
        if self.think[1]:
            time.sleep(random.uniform(*self.think))  # a person reads and types between requests
        start = time.perf_counter()
        try:
            response = call()
        except requests.RequestException:
            with self.lock:
                self.errors[name] += 1
            raise
        elapsed = time.perf_counter() - start
        with self.lock:
            self.samples[name].append(elapsed)
            if response.status_code not in expect:
                self.errors[name] += 1
        return response


def token_of(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


def applicant_journey(
    base: str, call_id: int, index: int, rec: Recorder, upload: bytes, double_click: bool, arrive_after: float = 0.0
) -> str:
    time.sleep(arrive_after)
    s = requests.Session()
    login = rec.timed("page: sign-in form", lambda: s.get(f"{base}/login"))
    rec.timed(
        "sign-in (Argon2id)",
        lambda: s.post(
            f"{base}/login",
            data={"csrf_token": token_of(login.text), "email": f"founder{index:04d}@bench.kr", "password": PASSWORD},
            allow_redirects=False,
        ),
    )
    rec.timed("page: dashboard", lambda: s.get(f"{base}/dashboard"))
    page = rec.timed("page: call", lambda: s.get(f"{base}/calls/{call_id}"))
    started = rec.timed(
        "start application",
        lambda: s.post(
            f"{base}/calls/{call_id}/apply", data={"csrf_token": token_of(page.text)}, allow_redirects=False
        ),
    )
    edit_url = started.url if "/edit/" in started.url else started.headers.get("Location", "")
    application_id = int(re.search(r"/applications/(\d+)/", edit_url).group(1))
    form = rec.timed("page: application form", lambda: s.get(f"{base}/applications/{application_id}/edit/company"))
    token = token_of(form.text)
    version = int(re.search(r'name="version" value="(\d+)"', form.text).group(1))
    brn_first = f"{100 + index % 800:03d}{10 + index % 89:02d}{1000 + index:04d}"[:9]
    from nup.applications.rules import brn_check_digit

    company = {
        "company_name": f"벤치로보틱스 {index}",
        "applicant_type": "company",
        "business_registration_number": brn_first + str(brn_check_digit(brn_first)),
        "founded_on": "2021-01-15",
        "ceo_name": f"대표{index}",
        "region": "서울",
        "employees": "10",
        "industry": "로봇",
        "tax_arrears": "no",
        "loan_default": "no",
        "participation_ban": "no",
        "duplicate_support": "no",
    }
    plan = {
        "track": "physical_ai_robotics",
        "summary": "물류 로봇",
        "problem": "문제 " * 200,
        "solution": "해결 " * 200,
        "scale_up": "성장 " * 200,
        "team": "팀 " * 100,
    }
    for step in range(1, 4):  # autosave while typing
        response = rec.timed(
            "draft save (autosave)",
            lambda step=step, version=version: s.post(
                f"{base}/applications/{application_id}/autosave",
                json={**plan, "summary": f"물류 로봇 {step}", "version": version},
                headers={"X-CSRFToken": token},
            ),
        )
        version = response.json().get("version", version)
    rec.timed(
        "draft save (form)",
        lambda: s.post(
            f"{base}/applications/{application_id}/edit/company",
            data={**company, "csrf_token": token, "save": "1", "version": version},
            allow_redirects=False,
        ),
    )
    rec.timed(
        "draft save (form)",
        lambda: s.post(
            f"{base}/applications/{application_id}/edit/plan",
            data={**plan, "csrf_token": token, "save": "1"},
            allow_redirects=False,
        ),
    )
    today = time.strftime("%Y-%m-%d")
    for kind in (
        "business_plan",
        "personal_data_consent",
        "eligibility_declaration",
        "business_registration",
        "corporate_register",
        "national_tax_certificate",
        "local_tax_certificate",
        "financial_statements",
    ):
        body = upload if kind == "business_plan" else PDF_HEAD
        name = "upload 2 MB" if kind == "business_plan" else "upload small"
        rec.timed(
            name,
            lambda kind=kind, body=body: s.post(
                f"{base}/applications/{application_id}/documents",
                data={"csrf_token": token, "kind": kind, "issued_on": today},
                files={"file": (f"{kind}.pdf", body, "application/pdf")},
                allow_redirects=False,
            ),
        )
    rec.timed("page: check and submit", lambda: s.get(f"{base}/applications/{application_id}/edit/review"))

    def submit():
        return rec.timed(
            "submit",
            lambda: s.post(
                f"{base}/applications/{application_id}/submit", data={"csrf_token": token}, allow_redirects=False
            ),
        )

    if double_click:
        clicks = [threading.Thread(target=submit) for _ in range(2)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
    else:
        submit()
    receipt = rec.timed("page: receipt", lambda: s.get(f"{base}/applications/{application_id}/receipt"))
    found = re.search(r"NUP-\d{4}-\d{6}", receipt.text)
    return found.group(0) if found else ""


def throughput(base: str, path: str, count: int, concurrency: int, session_factory) -> float:
    sessions = [session_factory() for _ in range(concurrency)]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda i: sessions[i % concurrency].get(base + path), range(count)))
    return count / (time.perf_counter() - start)


def seed_ready_drafts(env: dict, call_id: int, count: int) -> list[tuple[str, int]]:
    """Applicants whose drafts are complete, for the submission burst: (email, application id)."""
    import io

    os.environ.update(env)
    from nup import create_app
    from nup.accounts.models import User
    from nup.applications import rules, services
    from nup.extensions import db
    from nup.programmes.models import Call
    from nup.timeutil import to_kst, utcnow

    app = create_app()
    ready = []
    with app.app_context():
        call = db.session.get(Call, call_id)
        shared = db.session.scalar(db.select(User.password_hash).where(User.role == "applicant"))
        now = utcnow()
        for index in range(count):
            user = User(
                email=f"ready{index:04d}@bench.kr",
                name=f"준비{index}",
                role="applicant",
                password_hash=shared,
                email_verified_at=now,
            )
            db.session.add(user)
            db.session.flush()
            application = services.start_application(call, actor=user, now=now)
            first = f"{500 + index % 400:03d}{10 + index % 89:02d}{5000 + index:04d}"[:9]
            services.save_draft(
                application,
                actor=user,
                now=now,
                partial=False,
                values={
                    "company_name": f"준비된 회사 {index}",
                    "applicant_type": "company",
                    "ceo_name": user.name,
                    "business_registration_number": first + str(rules.brn_check_digit(first)),
                    "founded_on": "2021-01-15",
                    "region": "서울",
                    "tax_arrears": False,
                    "loan_default": False,
                    "participation_ban": False,
                    "duplicate_support": False,
                    "track": "ai_software",
                    "summary": "s",
                    "problem": "p",
                    "solution": "s",
                    "scale_up": "u",
                    "team": "t",
                },
            )
            for document in call.documents_for("company"):
                services.upload_document(
                    application,
                    actor=user,
                    kind=document["kind"],
                    stream=io.BytesIO(PDF_HEAD),
                    filename="d.pdf",
                    issued_on=to_kst(now).date() if document.get("max_age_days") else None,
                    started_at=now,
                    clock=utcnow,
                )
            ready.append((user.email, application.id))
        db.session.commit()
    return ready


def submit_burst(base: str, ready: list[tuple[str, int]], concurrency: int) -> float:
    """Sign everyone in (not timed), then time their submissions fired together: submissions/s."""

    def prepare(item):
        email, application_id = item
        session = requests.Session()
        login = session.get(f"{base}/login")
        session.post(f"{base}/login", data={"csrf_token": token_of(login.text), "email": email, "password": PASSWORD})
        page = session.get(f"{base}/applications/{application_id}/edit/review")
        return session, application_id, token_of(page.text)

    with ThreadPoolExecutor(concurrency) as pool:
        prepared = list(pool.map(prepare, ready))
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        statuses = list(
            pool.map(
                lambda p: (
                    p[0]
                    .post(f"{base}/applications/{p[1]}/submit", data={"csrf_token": p[2]}, allow_redirects=False)
                    .status_code
                ),
                prepared,
            )
        )
    elapsed = time.perf_counter() - start
    assert all(code == 302 for code in statuses), statuses
    return len(prepared) / elapsed


def query_counts(env: dict, call_id: int) -> dict[str, int]:
    """SQL statements for one page of the officer's list, at two list lengths (in-process)."""
    os.environ.update(env)
    from nup import create_app
    from nup.accounts.models import User
    from nup.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        from nup.accounts import services
        from nup.timeutil import utcnow

        officer = db.session.scalar(db.select(User).where(User.role == "officer"))
        officer_id = f"{officer.id}:{officer.session_token}"
        _row, key = services.open_session(user=officer, ip="127.0.0.1", user_agent="bench", now=utcnow())
        db.session.commit()  # sessions are kept on the server
        counter = QueryCounter(db.engine)
    now = time.time()
    with client.session_transaction() as session:
        session.update({"_user_id": officer_id, "sid": key, "_fresh": True, "signed_in_at": now, "seen_at": now})
    figures = {}
    for per_page in (5, 25):
        client.get(f"/staff/calls/{call_id}/applications?per_page={per_page}")  # warm up
        with counter.measure() as measured:
            response = client.get(f"/staff/calls/{call_id}/applications?per_page={per_page}")
        assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
        figures[f"officer list, page of {per_page}"] = measured["queries"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--upload-mb", type=float, default=2.0)
    parser.add_argument("--double-click-every", type=int, default=10, help="every Nth applicant clicks twice")
    parser.add_argument("--ready", type=int, default=200, help="complete drafts submitted in one burst")
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="the first applicants arrive at random within this many seconds (0: all at once)",
    )
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.0, 0.0),
        metavar=("MIN", "MAX"),
        help="seconds a simulated person pauses before each request (0 0: back to back)",
    )
    args = parser.parse_args()
    Recorder.think = tuple(args.think)
    base_url = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    upload = PDF_HEAD + os.urandom(int(args.upload_mb * 1024 * 1024) - len(PDF_HEAD))
    with own_database(base_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        env = bench_environment(database_url, Path(tmp))
        call_id = seed(env, args.users)
        ready = seed_ready_drafts(env, call_id, args.ready)
        rec = Recorder()
        with gunicorn(env) as base:
            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                futures = [
                    pool.submit(
                        applicant_journey,
                        base,
                        call_id,
                        i,
                        rec,
                        upload,
                        args.double_click_every and i % args.double_click_every == 0,
                        random.uniform(0, args.ramp) if i < args.concurrency else 0.0,
                    )
                    for i in range(args.users)
                ]
                receipts = []
                for future in futures:
                    try:
                        receipts.append(future.result())
                    except Exception as error:
                        receipts.append("")
                        print("journey failed:", repr(error)[:200], file=sys.stderr)
            elapsed = time.perf_counter() - start
            trivial = throughput(base, "/healthz", 2000, args.concurrency, requests.Session)
            submit_rate = submit_burst(base, ready, args.concurrency)
        total_requests = sum(len(v) for v in rec.samples.values())
        print(
            f"\nDeadline rush: {args.users} applicants, {args.concurrency} at a time, {args.upload_mb} MB uploads, "
            f"gunicorn 4 workers x 4 threads, PostgreSQL + Redis, {os.cpu_count()} cores"
        )
        print(f"wall time {elapsed:.1f} s, {total_requests} requests, {total_requests / elapsed:.1f} requests/s")
        print_table("latency per request", {k: percentiles(v) for k, v in sorted(rec.samples.items())})
        print("\nerrors (unexpected status or connection error):", dict(rec.errors) or "none")
        print(
            f"\nthroughput at {args.concurrency} concurrent: trivial endpoint {trivial:.0f} req/s; "
            f"submission {submit_rate:.0f} req/s; ratio {submit_rate / trivial:.2f}"
        )
        os.environ.update(env)
        from sqlalchemy import create_engine, text

        engine = create_engine(database_url)
        with engine.connect() as conn:
            journeys = "FROM applications a JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'founder%%'"
            submitted = conn.execute(text(f"SELECT count(*) {journeys} AND a.status = 'submitted'")).scalar()
            distinct = conn.execute(text(f"SELECT count(DISTINCT a.receipt_number) {journeys}")).scalar()
            mails = conn.execute(
                text(
                    "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id "
                    "WHERE n.kind = 'application_received' AND u.email LIKE 'founder%%'"
                )
            ).scalar()
        engine.dispose()
        good = sum(1 for r in receipts if r)
        print(
            f"\nsubmissions: {good} journeys got a receipt; {submitted} submitted rows; {distinct} distinct receipt "
            f"numbers; {mails} receipt emails queued"
        )
        print("lost submissions:", args.users - submitted, "| duplicated submissions:", submitted - distinct)
        counts = query_counts(env, call_id)
        print("SQL queries:", counts)


if __name__ == "__main__":
    main()
