"""The overseas portfolio dashboard on PostgreSQL: response time and SQL statements for 100 and 1,000 startups.

Each startup is selected (a released decision with score and rank), has a 24-month support plan
with three support items, its agreement milestones and 24 monthly KPI reports in KRW, USD, JPY and
EUR (22 accepted), bulk-inserted with SQLAlchemy Core. The dashboard (/staff/overseas/) is requested
in-process through the Flask test client as a signed-in officer, after two warm-up requests; it
prints p50/p95 of the timed requests and the statements of one request, first with 100 startups,
then with 1,000 (900 more added to the same database).

Target: under 300 ms p50 at 1,000 startups, and the same statement count at 100 and 1,000.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/portfolio.py --requests 30
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import FAST_ARGON2, QueryCounter, bench_environment, own_database, percentiles

TARGET_MS = 300.0
CURRENCIES = (("KRW", "1", 1), ("USD", "1385.20", 100), ("JPY", "9.12", 1), ("EUR", "1502.35", 100))
MARKETS = ("US", "JP", "DE", "VN", "SG")
KINDS = ("market_research", "exhibition", "matching", "gpu_cloud", "demonstration", "ir")


def seed(first: int, count: int, *, officer_id: int, call_id: int, rng: random.Random) -> None:
    """Insert `count` selected startups (numbered from `first`), each with a plan and 24 monthly reports."""
    from sqlalchemy import insert

    from nup.accounts.models import User
    from nup.applications.models import Application
    from nup.extensions import db
    from nup.overseas import kpis
    from nup.overseas.models import KpiReport, Milestone, SupportItem, SupportPlan
    from nup.reviews.models import Decision
    from nup.timeutil import to_kst, utcnow

    now = utcnow()
    today = to_kst(now).date()
    starts_on = kpis.add_months(date(today.year, today.month, 1), -25)
    periods = kpis.periods(starts_on, kpis.agreement_end(starts_on, 24), "monthly")[:24]

    def ids(conn, model, rows: list[dict]) -> list[int]:
        table = model.__table__
        return list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())

    with db.engine.begin() as conn:
        numbers = range(first, first + count)
        users = ids(
            conn,
            User,
            [
                {"email": f"founder{n:05d}@bench.kr", "name": f"대표{n}", "role": "applicant", "email_verified_at": now}
                for n in numbers
            ],
        )
        apps = ids(
            conn,
            Application,
            [
                {
                    "call_id": call_id,
                    "user_id": u,
                    "status": "result",
                    "receipt_number": f"NUP-B-{n:06d}",
                    "company_name": f"벤치기업{n:05d}",
                    "track": "physical_ai_robotics" if n % 3 == 0 else "ai_software",
                    "physical_ai": n % 3 == 0,
                    "eligible": True,
                    "target_markets": [MARKETS[n % 5]],
                    "submitted_at": now,
                }
                for n, u in zip(numbers, users, strict=True)
            ],
        )
        conn.execute(
            insert(Decision.__table__),
            [
                {
                    "call_id": call_id,
                    "application_id": a,
                    "stage": "presentation",
                    "outcome": "selected",
                    "final_score": round(70 + rng.random() * 25, 2),
                    "trimmed_mean": 80.0,
                    "rank": n + 1,
                    "ranked_count": first + count,
                    "reasons": "",
                    "decided_at": now,
                    "released_at": now,
                }
                for n, a in zip(numbers, apps, strict=True)
            ],
        )
        plans = ids(
            conn,
            SupportPlan,
            [
                {
                    "application_id": a,
                    "call_id": call_id,
                    "user_id": u,
                    "starts_on": starts_on,
                    "ends_on": kpis.agreement_end(starts_on, 24),
                    "months": 24,
                    "budget_won": 200_000_000,
                    "target_countries": [MARKETS[n % 5]],
                    "created_by_id": officer_id,
                    "at_risk": n % 10 == 0,
                    "risk_reasons": [{"code": "milestone_overdue", "detail": "CES", "since": today.isoformat()}]
                    if n % 10 == 0
                    else [],
                }
                for n, a, u in zip(numbers, apps, users, strict=True)
            ],
        )
        conn.execute(
            insert(SupportItem.__table__),
            [
                {
                    "plan_id": p,
                    "kind": KINDS[(n + k) % len(KINDS)],
                    "partner": "KOTRA",
                    "country": MARKETS[n % 5],
                    "budget_won": 50_000_000,
                    "spent_won": rng.randint(0, 50_000_000),
                    "starts_on": starts_on,
                    "ends_on": starts_on + timedelta(days=300),
                }
                for n, p in zip(numbers, plans, strict=True)
                for k in range(3)
            ],
        )
        conn.execute(
            insert(Milestone.__table__),
            [
                {
                    "plan_id": p,
                    "kind": kind,
                    "title": kind,
                    "due_on": kpis.add_months(starts_on, offset),
                    "status": "done" if offset < 24 else "planned",
                }
                for p in plans
                for kind, offset in (("kickoff", 0), ("midterm", 12), ("final", 24))
            ],
        )
        reports = []
        for n, p in zip(numbers, plans, strict=True):
            for index, period in enumerate(periods):
                code, rate, cents = CURRENCIES[(n + index) % 4]
                sales = rng.randint(0, 50_000) * cents
                reports.append(
                    {
                        "plan_id": p,
                        "period_start": period.start,
                        "period_end": period.end,
                        "period_label": period.label,
                        "status": "accepted" if index < 22 else "submitted",
                        "market": MARKETS[(n + index) % 5],
                        "currency": code,
                        "exchange_rate": rate,
                        "export_contracts": rng.randint(0, 2),
                        "overseas_sales_minor": sales,
                        "overseas_sales_won": int(sales / (cents or 1) * float(rate)),
                        "export_value_minor": sales * 2,
                        "export_value_won": int(2 * sales / (cents or 1) * float(rate)),
                        "investment_won": 100_000_000 if index == 12 and n % 4 == 0 else 0,
                        "jobs_overseas": rng.randint(0, 1),
                        "jobs_domestic": rng.randint(0, 1),
                        "entity_established": index == 18 and n % 5 == 0,
                        "entity_country": MARKETS[n % 5] if index == 18 and n % 5 == 0 else "",
                        "entity_established_on": period.end if index == 18 and n % 5 == 0 else None,
                        "submitted_at": now,
                    }
                )
        for start in range(0, len(reports), 5000):
            conn.execute(insert(KpiReport.__table__), reports[start : start + 5000])


def measure(client, counter, requests: int) -> tuple[dict, int, int]:
    """Warm up twice, count the statements of one request, then time `requests` requests."""
    for _ in range(2):
        assert client.get("/staff/overseas/").status_code == 200
    with counter.measure() as holder:
        response = client.get("/staff/overseas/")
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get("/staff/overseas/")
        samples.append(time.perf_counter() - started)
    return percentiles(samples), holder["queries"], len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sizes", default="100,1000", help="startups at each measurement, ascending")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark makes and drops its own database).")
    sizes = [int(s) for s in args.sizes.split(",")]
    with own_database(base) as url, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(bench_environment(url, Path(tmp)))
        from flask_migrate import upgrade

        from nup import create_app
        from nup.accounts import services
        from nup.extensions import db
        from nup.programmes.models import Call
        from nup.timeutil import utcnow

        app = create_app({"ARGON2_PARAMETERS": FAST_ARGON2})
        rng = random.Random(2026)
        rows = []
        with app.app_context():
            upgrade()
            now = utcnow()
            officer = services.create_user(
                actor=None,
                email="officer@bench.kr",
                role="officer",
                name="담당자",
                password="Bench-Officer-2026!",  # noqa: S106 - a throwaway account in a throwaway database
                now=now,
            )
            call = Call(
                title_ko="2025 N-Up 선정 기업",
                title_en="N-Up 2025 cohort",
                announced_on=now.date(),
                opens_at=now - timedelta(days=900),
                closes_at=now - timedelta(days=800),
                status="closed",
            )
            db.session.add(call)
            db.session.commit()
            officer_id, call_id, session_id = officer.id, call.id, officer.get_id()
            counter = QueryCounter(db.engine)
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(
                {"_user_id": session_id, "_fresh": True, "signed_in_at": time.time(), "seen_at": time.time()}
            )
        done = 0
        for size in sizes:
            started = time.perf_counter()
            with app.app_context():
                seed(done, size - done, officer_id=officer_id, call_id=call_id, rng=rng)
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
            print(f"seeded {size} startups ({size * 24:,} reports) in {time.perf_counter() - started:.1f} s")
            done = size
            figures, statements, size_bytes = measure(client, counter, args.requests)
            rows.append((size, figures, statements, size_bytes))
    print(f"\n{'startups':>9} {'reports':>8} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'statements':>11} {'page KB':>8}")
    for size, figures, statements, size_bytes in rows:
        print(
            f"{size:>9} {size * 24:>8} {figures['n']:>4} {figures['p50']:>8.1f} {figures['p95']:>8.1f} "
            f"{statements:>11} {size_bytes / 1024:>8.0f}"
        )
    same = len({r[2] for r in rows}) == 1
    worst = rows[-1][1]["p50"]
    print(f"\nstatements independent of the number of startups: {'yes' if same else 'NO'}")
    print(
        f"p50 at {rows[-1][0]} startups: {worst:.1f} ms (target < {TARGET_MS:.0f} ms): "
        f"{'met' if worst < TARGET_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
