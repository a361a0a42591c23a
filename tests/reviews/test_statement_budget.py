"""SQL statements per evaluation page: at most 15, and the same for a call five times larger.

Two calls are bulk-inserted as the benchmark does (bench/review.py): 12 and 60 applications,
five sheets each from six evaluators (10 and 50 assignments each), one conflict per
application. Each list and form page is requested once to warm up and once counted (a
`before_cursor_execute` listener on the engine); an N+1 query or a read that grows with the
call shows as a different count.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from bench.review import RUBRIC, seed_conflicts, seed_scored_call
from nup.accounts.models import User
from nup.extensions import db
from nup.reviews.models import Assignment
from tests.conftest import csrf_token, login_as

MOST = 15
SIZES = {"small": 12, "large": 60}


@contextmanager
def counted(engine):
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:140])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture()
def two_calls(app):
    calls = {}
    with app.app_context():
        for tag, size in SIZES.items():
            seeded = seed_scored_call(
                applications=size, evaluators=6, per_application=5, submitted_share=0.8, plan_chars=200, tag=tag
            )
            seed_conflicts(seeded, 7)
            evaluator = seeded.evaluator_ids[0]
            own = db.session.scalars(
                select(Assignment.id).where(Assignment.reviewer_id == evaluator).order_by(Assignment.id)
            ).all()
            calls[tag] = {
                "call": seeded.call_id,
                "officer": db.session.get(User, seeded.officer_id),
                "evaluator": db.session.get(User, evaluator),
                "assignment": own[0],
                "load": len(own),
            }
        db.session.remove()
    assert calls["large"]["load"] == 5 * calls["small"]["load"]
    return calls


def score_form(client, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    data = {"csrf_token": csrf_token(client, path), "version": version, "action": "submit", "overall_comment": "의견"}
    for criterion in RUBRIC:
        data[f"points-{criterion['key']}"] = f"{criterion['max_points'] * 0.75:g}"
        data[f"comment-{criterion['key']}"] = "의견"
    return data


def page_counts(app, client, setup) -> dict[str, tuple[int, list[str]]]:
    call = setup["call"]
    form_path = f"/review/assignments/{setup['assignment']}"
    pages = {
        "evaluator": {
            "queue": "/review/",
            "queue, 100 a page": "/review/?per_page=100",
            "queue, to do": "/review/?status=todo",
            "score form": form_path,
        },
        "officer": {
            "officer list": f"/staff/calls/{call}/applications",
            "officer list, 100 a page": f"/staff/calls/{call}/applications?per_page=100",
            "officer list, by company": f"/staff/calls/{call}/applications?sort=company",
            "conflict list": f"/staff/calls/{call}/conflicts",
            "conflict list, 100 a page": f"/staff/calls/{call}/conflicts?per_page=100",
            "ranking": f"/staff/calls/{call}/ranking",
            "ranking, one track": f"/staff/calls/{call}/ranking?track=ai_software",
        },
    }
    with app.app_context():
        engine = db.engine
    counts = {}
    for who, paths in pages.items():
        login_as(client, setup[who])
        for name, path in paths.items():
            assert client.get(path).status_code == 200, (name, path)  # warm up (and fill the ranking cache)
            with counted(engine) as statements:
                response = client.get(path)
            assert response.status_code == 200, (name, path)
            counts[name] = (len(statements), statements)
    login_as(client, setup["evaluator"])
    data = score_form(client, form_path)
    with counted(engine) as statements:
        response = client.post(form_path, data=data)
    assert response.status_code == 302
    counts["score save"] = (len(statements), statements)
    return counts


def test_each_page_runs_the_same_few_statements_at_two_call_sizes(app, two_calls):
    small = page_counts(app, app.test_client(), two_calls["small"])
    large = page_counts(app, app.test_client(), two_calls["large"])
    for name, (count, statements) in large.items():
        assert count <= MOST, (name, count, statements)
        assert count == small[name][0], (name, small[name][0], count, statements)
