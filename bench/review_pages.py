"""The evaluation pages behind gunicorn on PostgreSQL: latency and SQL statements per page.

A call with 1,000 applications under review, five evaluators each, from 59 evaluators with about
80 assignments each and one with 250 (pretalx's 250-row reviewer dashboard, for comparison),
bulk-inserted with SQLAlchemy Core. gunicorn (2 workers x 4 threads) serves `wsgi:app` on
loopback; each user signs in once through /login. For each page it prints p50/p95 of 200
requests after a warm-up, one at a time and 4 at a time, and the SQL statements of one request
counted in-process (Flask test client on the same database): the evaluator's queue (80 and 250
rows; pages of 25 and 100), the score form, a score submission (form, CSRF and the sheet's
version), the officer's application list (pages of 25 and 100) and the ranking page.

Targets: every page under 100 ms p50 with at most 15 statements, whatever the list length;
the score form and a submission under 50 ms p50.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/review_pages.py --requests 200 --concurrency 4
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench._support import ROOT, bench_environment, free_port, own_database, percentiles
from bench.review import (
    PASSWORD,
    RUBRIC,
    ScoredCall,
    StatementLog,
    forget_redis_keys,
    seed_conflicts,
    seed_scored_call,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
EXEC_TIME = re.compile(r"Execution Time: ([\d.]+) ms")
PAGE_TARGET_MS, FORM_TARGET_MS, MOST_STATEMENTS = 100.0, 50.0, 15
P95_TARGET_MS, CONCURRENT_P95_TARGET_MS = 250.0, 500.0
# pretalx 2025.2 on this machine (measured for comparison; see bench/README.md).
PRETALX = {
    "queue-250": "5.2-5.4 s, 552 statements (250-row reviewer dashboard)",
    "officer": "0.9 s, 135 statements (organiser's list of 50)",
    "form": "170 ms (review form)",
    "submit": "120 ms (save)",
}


@dataclass
class Page:
    """One kind of request: how to make it as `who`, and what counts as a success."""

    name: str
    who: str  # "evaluator", "heavy" or "officer"
    path: Callable[[int], str]  # request number -> path
    target_ms: float = PAGE_TARGET_MS
    pair: str = ""  # pages whose statement counts must be equal (same page, longer list)
    pretalx: str = ""
    post: bool = False
    base: str = ""  # the server's address, set when it is up
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    statements: int = 0
    summary: list[str] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)
    codes: list = field(default_factory=list)  # the answers' status codes (what an error was)


def flash_of(html: str) -> str:
    """The first flashed message of a page (why a save was not accepted)."""
    match = re.search(r'class="[^"]*(?:alert|flash|nup-flash)[^"]*"[^>]*>(.{0,120})', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()[:80] if match else ""


def token_of(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


def score_form_data(token: str, version: str, index: int) -> dict[str, str]:
    """A complete score sheet, a little different each time (what an evaluator submits)."""
    data = {"csrf_token": token, "version": version, "action": "submit", "overall_comment": f"종합 의견 {index}"}
    for offset, criterion in enumerate(RUBRIC):
        points = criterion["max_points"] * (0.5 + 0.05 * ((index + offset) % 10))
        data[f"points-{criterion['key']}"] = f"{round(points * 2) / 2:g}"
        data[f"comment-{criterion['key']}"] = f"{criterion['label_ko']} 의견 {index}"
    return data


def seed(env: dict[str, str], args: argparse.Namespace) -> tuple[ScoredCall, dict[str, object]]:
    """Migrate and bulk-insert the scored call; pick the users and assignments the requests use."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from nup import create_app
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.reviews.models import Assignment

    app = create_app()
    with app.app_context():
        upgrade()
        seeded = seed_scored_call(
            applications=args.applications,
            evaluators=args.evaluators,
            per_application=args.per_application,
            submitted_share=args.submitted,
            heavy_load=args.heavy,
            plan_chars=args.plan_chars,
            seed=args.seed,
        )
        seed_conflicts(seeded, args.seed)
        loads = dict(
            db.session.execute(select(Assignment.reviewer_id, func.count()).group_by(Assignment.reviewer_id)).all()
        )
        evaluator_id = seeded.evaluator_ids[0]
        own = list(
            db.session.scalars(
                select(Assignment.id).where(Assignment.reviewer_id == evaluator_id).order_by(Assignment.id)
            )
        )
        picked = {
            "emails": {
                "evaluator": db.session.get(User, evaluator_id).email,
                "heavy": db.session.get(User, seeded.heavy_id).email,
                "officer": db.session.get(User, seeded.officer_id).email,
            },
            "ids": {"evaluator": evaluator_id, "heavy": seeded.heavy_id, "officer": seeded.officer_id},
            "loads": {"evaluator": loads[evaluator_id], "heavy": loads[seeded.heavy_id]},
            "regular_loads": sorted(loads[r] for r in seeded.evaluator_ids),
            "assignments": own,
        }
        db.session.remove()
        # As autovacuum would soon after a bulk load: statistics for the planner, the visibility map
        # for index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return seeded, picked


def pages_for(seeded: ScoredCall, picked: dict) -> list[Page]:
    own = picked["assignments"]
    light, heavy = picked["loads"]["evaluator"], picked["loads"]["heavy"]
    call = seeded.call_id
    return [
        Page(f"queue, {light} rows, page of 25", "evaluator", lambda i: "/review/", pair="queue"),
        Page(f"queue, {light} rows, per_page=100", "evaluator", lambda i: "/review/?per_page=100", pair="queue"),
        Page(f"queue, {heavy} rows, page of 25", "heavy", lambda i: "/review/", pair="queue"),
        Page(
            f"queue, {heavy} rows, per_page=100",
            "heavy",
            lambda i: "/review/?per_page=100",
            pair="queue",
            pretalx=PRETALX["queue-250"],
        ),
        Page(
            "score form (GET)",
            "evaluator",
            lambda i: f"/review/assignments/{own[i % len(own)]}",
            target_ms=FORM_TARGET_MS,
            pretalx=PRETALX["form"],
        ),
        Page(
            "score submission (POST)",
            "evaluator",
            lambda i: f"/review/assignments/{own[i % len(own)]}",
            target_ms=FORM_TARGET_MS,
            pretalx=PRETALX["submit"],
            post=True,
        ),
        Page("officer list, page of 25", "officer", lambda i: f"/staff/calls/{call}/applications", pair="officer"),
        Page(
            "officer list, per_page=100",
            "officer",
            lambda i: f"/staff/calls/{call}/applications?per_page=100",
            pair="officer",
            pretalx=PRETALX["officer"],
        ),
        Page("conflict list, page of 25", "officer", lambda i: f"/staff/calls/{call}/conflicts", pair="conflicts"),
        Page(
            "conflict list, per_page=100",
            "officer",
            lambda i: f"/staff/calls/{call}/conflicts?per_page=100",
            pair="conflicts",
        ),
        Page(f"ranking, 50 of {len(seeded.application_ids)} rows", "officer", lambda i: f"/staff/calls/{call}/ranking"),
    ]


# ------------------------------------------------------------------------ SQL statements


def count_statements(env: dict[str, str], pages: list[Page], picked: dict, *, explain: bool = False) -> None:
    """Count one request's SQL statements per page in-process (the test client, signed in as login_as does)."""
    os.environ.update(env)
    from sqlalchemy import event

    from nup import create_app
    from nup.accounts import services
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.timeutil import utcnow

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        engine = db.engine
        log = StatementLog(engine)
        clients = {}
        for who, user_id in picked["ids"].items():
            user = db.session.get(User, user_id)
            # Sessions are kept on the server: open one as the sign-in page does.
            _row, key = services.open_session(user=user, ip="127.0.0.1", user_agent="bench", now=utcnow())
            db.session.commit()
            client = app.test_client()
            now = time.time()
            with client.session_transaction() as session:
                session.update(
                    {"sid": key, "_user_id": user.get_id(), "_fresh": True, "signed_in_at": now, "seen_at": now}
                )
            clients[who] = client
        db.session.remove()
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        captured.append((statement, parameters))

    for page in pages:
        client = clients[page.who]
        for attempt in range(2):  # the first warms the app up; the second is counted
            captured.clear()
            if attempt and explain and not page.post:
                event.listen(engine, "before_cursor_execute", capture)
            path = page.path(1000 + attempt)
            if page.post:
                form = client.get(path).get_data(as_text=True)
                data = score_form_data("", VERSION.search(form).group(1), attempt)
                with log.measure() as measured:
                    response = client.post(path, data=data)
                expected = 302
            else:
                with log.measure() as measured:
                    response = client.get(path)
                expected = 200
            if attempt and explain and not page.post:
                event.remove(engine, "before_cursor_execute", capture)
            assert response.status_code == expected, (page.name, response.status_code, response.headers.get("Location"))
        page.statements, page.summary = measured.count, measured.summary(100)
        if explain and not page.post:
            page.plans = explain_statements(engine, list(captured))
    with app.app_context():
        db.engine.dispose()


BIG_TABLES = ("applications", "assignments", "conflicts", "documents", "penalties", "decisions")


def explain_statements(engine, statements: list[tuple[str, object]]) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) each SELECT of one request: its time, buffers and any sequential scan."""
    plans = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
            scans = sorted({m.group(1) for line in lines for m in [SEQ_SCAN.search(line)] if m})
            timing = next((float(m.group(1)) for line in lines for m in [EXEC_TIME.search(line)] if m), 0.0)
            buffers = next((line.strip() for line in lines if line.strip().startswith("Buffers:")), "")
            plans.append(
                {
                    "statement": " ".join(statement.split())[:90],
                    "ms": timing,
                    "seq_scans": scans,
                    "big_seq_scans": [t for t in scans if t in BIG_TABLES],
                    "buffers": buffers,
                    "plan": lines,
                }
            )
        raw.rollback()
    finally:
        raw.close()
    return plans


# ------------------------------------------------------------------------ HTTP load


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int):
    """Serve wsgi:app with gunicorn in a process group of its own; stop the whole group afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--keep-alive", "75", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield base
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def sign_in(base: str, email: str) -> requests.Session:
    """Sign in once through the sign-in form (a real Argon2id check); the cookie is reused after."""
    session = requests.Session()
    form = session.get(f"{base}/login")
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token_of(form.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302, (email, response.status_code)
    return session


def clone(session: requests.Session) -> requests.Session:
    """Another connection with the same signed-in cookie (no second sign-in)."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def one_request(page: Page, session: requests.Session, index: int) -> tuple[float, bool]:
    """Make request `index` of `page`; return its time and whether it answered as expected."""
    path = page.base + page.path(index)
    if not page.post:
        start = time.perf_counter()
        response = session.get(path, allow_redirects=False)
        page.codes.append(response.status_code)
        return time.perf_counter() - start, response.status_code == 200
    form = session.get(path)  # not timed: the evaluator reads the form, then saves
    version = VERSION.search(form.text)
    data = score_form_data(token_of(form.text), version.group(1) if version else "", index)
    start = time.perf_counter()
    response = session.post(path, data=data, allow_redirects=False)
    page.codes.append(response.status_code if response.status_code != 200 else f"200 {flash_of(response.text)}")
    return time.perf_counter() - start, response.status_code == 302


def load(page: Page, sessions: list[requests.Session], count: int, label: str) -> None:
    """`count` requests spread over `len(sessions)` threads, each with its own connection."""
    samples: list[float] = []
    errors = 0
    lock = threading.Lock()
    width = len(sessions)

    def worker(slot: int) -> None:
        nonlocal errors
        # Each thread takes every width-th request number, so concurrent saves never share a sheet.
        for index in range(slot, count, width):
            elapsed, ok = one_request(page, sessions[slot], index)
            with lock:
                samples.append(elapsed)
                errors += not ok

    with ThreadPoolExecutor(width) as pool:
        list(pool.map(worker, range(width)))
    page.samples[label], page.errors[label] = samples, errors


def measure(base: str, pages: list[Page], picked: dict, args: argparse.Namespace) -> None:
    signed_in = {who: sign_in(base, email) for who, email in picked["emails"].items()}
    for page in pages:
        page.base = base
        print(f"  measuring {page.name} ...", flush=True)
        first = signed_in[page.who]
        load(page, [first], args.warmup, "warm-up")
        load(page, [first], args.requests, "sequential")
        load(page, [first] + [clone(first) for _ in range(args.concurrency - 1)], args.requests, "concurrent")


# ------------------------------------------------------------------------ report


def save_or_compare_statements(pages: list[Page], path: Path) -> None:
    """Write each page's statement count to `path`, or compare with the counts a run at another size wrote."""
    import json

    def key(page: Page) -> str:
        return re.sub(r"\d[\d,]* (rows|of [\d,]+ rows)", "N rows", page.name)

    counts = {key(page): page.statements for page in pages}
    if not path.exists():
        path.write_text(json.dumps(counts, indent=1))
        print(f"statement counts written to {path} (run the other size with the same file to compare)")
        return
    earlier = json.loads(path.read_text())
    print(f"\nstatements against the run that wrote {path}:")
    for name, count in counts.items():
        if name in earlier:
            same = "same" if earlier[name] == count else "DIFFERENT"
            print(f"  {name:34} {earlier[name]:>3} then, {count:>3} now: {same}")


def report(pages: list[Page], args: argparse.Namespace) -> bool:
    pairs: dict[str, set[int]] = {}
    for page in pages:
        if page.pair:
            pairs.setdefault(page.pair, set()).add(page.statements)
    c = args.concurrency
    print(
        f"\n{'page':34} {'p50':>7} {'p95':>7} {f'p50 c{c}':>8} {f'p95 c{c}':>8} {'SQL':>4} {'err':>4}  "
        f"{'target':>7}  met?"
    )
    all_met = True
    for page in pages:
        seq, conc = percentiles(page.samples["sequential"]), percentiles(page.samples["concurrent"])
        errors = page.errors["sequential"] + page.errors["concurrent"]
        independent = not page.pair or len(pairs[page.pair]) == 1
        reasons = []
        if seq["p50"] >= page.target_ms:
            reasons.append(f"p50 >= {page.target_ms:.0f}")
        if seq["p95"] >= P95_TARGET_MS:
            reasons.append(f"p95 >= {P95_TARGET_MS:.0f}")
        if conc["p95"] >= CONCURRENT_P95_TARGET_MS:
            reasons.append(f"p95 c{c} >= {CONCURRENT_P95_TARGET_MS:.0f}")
        if page.statements > MOST_STATEMENTS:
            reasons.append(f">{MOST_STATEMENTS} SQL")
        if not independent:
            reasons.append("SQL grows with the list")
        if errors:
            reasons.append("errors")
        met, verdict = not reasons, ", ".join(reasons)
        all_met = all_met and met
        print(
            f"{page.name:34} {seq['p50']:>7.1f} {seq['p95']:>7.1f} {conc['p50']:>8.1f} {conc['p95']:>8.1f} "
            f"{page.statements:>4} {errors:>4}  <{page.target_ms:>4.0f} ms  {'yes' if met else 'NO: ' + verdict}"
        )
    print(f"(milliseconds; {args.requests} requests each after {args.warmup} to warm up; c{c}: {c} at a time)")
    print(
        f"targets: one at a time p50 < {PAGE_TARGET_MS:.0f} ms (score form and save < {FORM_TARGET_MS:.0f} ms) and "
        f"p95 < {P95_TARGET_MS:.0f} ms; {c} at a time p95 < {CONCURRENT_P95_TARGET_MS:.0f} ms; at most "
        f"{MOST_STATEMENTS} statements, equal for the same page at any list length"
    )
    if args.statements_file:
        save_or_compare_statements(pages, Path(args.statements_file))
    for page in pages:
        unexpected = Counter(c for c in page.codes if c not in (200, 302))
        if unexpected:
            print(f"{page.name}: unexpected answers {dict(unexpected)}")
    for page in pages:
        if page.name.startswith("ranking") and page.samples.get("warm-up"):
            first = page.samples["warm-up"]
            print(
                f"{page.name}: slowest warm-up request {max(first) * 1000:.0f} ms (the first view after the "
                "score submissions above recomputes the ranking once for every process)"
            )
    print("\npretalx 2025.2 on this machine, for scale:")
    for page in pages:
        if page.pretalx:
            p50 = percentiles(page.samples["sequential"])["p50"]
            print(f"  {page.name}: {p50:.0f} ms, {page.statements} statements here; pretalx {page.pretalx}")
    for page in pages:
        if page.statements > MOST_STATEMENTS or (page.pair and len(pairs[page.pair]) > 1):
            print(f"\nSQL statements of one request: {page.name} ({page.statements})")
            for line in page.summary:
                print("  " + line)
    explained = [page for page in pages if page.plans]
    if explained:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of each SELECT of one request (list pages):")
        for page in explained:
            big = sorted({t for plan in page.plans for t in plan["big_seq_scans"]})
            other = sorted({t for plan in page.plans for t in plan["seq_scans"]} - set(big))
            total = sum(plan["ms"] for plan in page.plans)
            verdict = "no sequential scan of a large table" if not big else "SEQUENTIAL SCAN of " + ", ".join(big)
            small = f" (small tables scanned: {', '.join(other)})" if other else ""
            print(f"  {page.name}: {len(page.plans)} SELECTs, {total:.1f} ms executing; {verdict}{small}")
            for plan in sorted(page.plans, key=lambda p: -p["ms"])[:3]:
                print(f"    {plan['ms']:7.2f} ms  {plan['buffers'][:60]:60}  {plan['statement']}")
            if big and args.explain_all:
                for plan in page.plans:
                    if plan["big_seq_scans"]:
                        print("\n".join("      " + line for line in plan["plan"]))
            all_met = all_met and not big
    return all_met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--evaluators", type=int, default=59, help="evaluators besides the one with --heavy")
    parser.add_argument("--heavy", type=int, default=250, help="assignments of the one heavily loaded evaluator")
    parser.add_argument("--per-application", type=int, default=5)
    parser.add_argument("--submitted", type=float, default=0.8, help="share of the sheets already submitted")
    parser.add_argument("--plan-chars", type=int, default=1500, help="characters per business-plan section")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and mode")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip EXPLAIN of the list pages")
    parser.add_argument("--explain-only", action="store_true", help="count statements and EXPLAIN; time nothing")
    parser.add_argument("--explain-all", action="store_true", help="print whole plans that scan a large table")
    parser.add_argument(
        "--statements-file", default="", help="save the statement counts there, or compare with the ones saved"
    )
    parser.add_argument("--pages", default="", help="only the pages whose name contains one of these (comma-separated)")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with own_database(base_url) as database_url, tempfile.TemporaryDirectory() as tmp:
        env = bench_environment(database_url, Path(tmp))
        env["NUP_ENV"] = "development"
        try:
            start = time.perf_counter()
            seeded, picked = seed(env, args)
            loads = picked["regular_loads"]
            print(
                f"\nEvaluation pages, {date.today().isoformat()}, {os.cpu_count()} cores: "
                f"{len(seeded.application_ids)} applications x {args.per_application} reviews "
                f"({dict(seeded.statuses)}) from {len(loads)} evaluators with {loads[0]}-{loads[-1]} assignments "
                f"and one with {picked['loads']['heavy']}; seeded in {time.perf_counter() - start:.0f} s"
            )
            print(
                f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL + Redis on loopback; "
                "the load generator shares the machine"
            )
            pages = pages_for(seeded, picked)
            if args.pages:
                wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
                pages = [page for page in pages if any(w in page.name for w in wanted)]
            count_statements(env, pages, picked, explain=args.explain)
            if args.explain_only:
                for page in pages:
                    page.samples = {"sequential": [0.0], "concurrent": [0.0]}
                    page.errors = {"sequential": 0, "concurrent": 0}
                print("(--explain-only: no requests timed; the latencies below are placeholders)")
            else:
                with gunicorn(env, workers=args.workers, threads=args.threads) as base:
                    measure(base, pages, picked, args)
            met = report(pages, args)
        finally:
            print(f"\nRedis keys removed under {env['NUP_REDIS_PREFIX']}: {forget_redis_keys(env)}")
    print("all targets met" if met else "some targets MISSED")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
