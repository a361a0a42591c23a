"""The shared ranking cache gives exactly what compute_ranking gives, after any write it depends on.

Hypothesis drives a call through generated writes (score sheets submitted or saved as drafts,
penalties, the trimming rule, the bonus cap, the tie-breakers, an officer's Physical AI
decision), each committed as a page would; after each one every page of `ranking_page`, for
every track filter, must equal a fresh `compute_ranking` sliced the same way, with the rank
without the priority policy beside each row.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import decisions, scores
from nup.reviews.models import Assignment
from nup.reviews.ranking import compute_ranking, ranking_page
from nup.timeutil import utcnow
from tests.reviews.conftest import assign_now, score_all

PER_PAGE = 2


def expected_rows(call: Call, track: str = ""):
    without = {r.application_id: r.rank for r in compute_ranking(call, with_priority=False).rows}
    rows = [replace(r, rank_without=without.get(r.application_id)) for r in compute_ranking(call).rows]
    return [r for r in rows if not track or r.track == track]


def all_pages(call: Call, track: str = ""):
    first = ranking_page(call, page=1, per_page=PER_PAGE, track=track, chart=3)
    rows = list(first.rows)
    for number in range(2, -(-first.total // PER_PAGE) + 1):
        rows += ranking_page(call, page=number, per_page=PER_PAGE, track=track).rows
    return first, rows


def assert_cache_matches(call_id: int) -> None:
    db.session.expire_all()
    call = db.session.get(Call, call_id)
    fresh = compute_ranking(call)
    for track in ("", "physical_ai_robotics", "ai_software"):
        expected = expected_rows(call, track)
        first, rows = all_pages(call, track)
        assert rows == expected
        assert first.total == len(expected) and first.chart == expected[:3]
        assert first.count == len(fresh.rows) and first.scored == fresh.scored
        assert first.agreement == fresh.agreement and first.max_total == fresh.max_total
        assert first.moved == sum(1 for r in expected_rows(call) if r.rank != r.rank_without)


write = st.one_of(
    st.tuples(st.just("score"), st.integers(0, 1000), st.lists(st.floats(0, 1), min_size=4, max_size=4), st.booleans()),
    st.tuples(st.just("penalty"), st.integers(0, 1000), st.integers(1, 40)),
    st.tuples(st.just("trim"), st.integers(3, 6)),
    st.tuples(st.just("cap"), st.sampled_from([0.0, 1.0, 5.0])),
    st.tuples(st.just("ties"), st.sampled_from([[], ["solution"], ["team", "problem"]])),
    st.tuples(st.just("physical_ai"), st.integers(0, 1000), st.booleans()),
)


def apply(write_: tuple, call_id: int, officer_id: int) -> None:
    call = db.session.get(Call, call_id)
    kind = write_[0]
    if kind == "score":
        _kind, pick, fractions, submit = write_
        sheets = db.session.scalars(select(Assignment).where(Assignment.call_id == call_id).order_by(Assignment.id))
        sheets = list(sheets)
        sheet = sheets[pick % len(sheets)]
        points = {c["key"]: round(c["max_points"] * f * 2) / 2 for c, f in zip(call.rubric, fractions, strict=False)}
        if sheet.status == "submitted" and not submit:
            submit = True  # a submitted sheet is changed by submitting it again
        scores.save_score(
            sheet, actor=db.session.get(User, sheet.reviewer_id), points=points, submit=submit, now=utcnow()
        )
    elif kind == "penalty":
        ids = list(db.session.scalars(select(Application.id).where(Application.call_id == call_id).order_by("id")))
        application = db.session.get(Application, ids[write_[1] % len(ids)])
        decisions.record_penalty(
            application, actor=db.session.get(User, officer_id), points=write_[2] / 2, reason="서류 미비"
        )
    elif kind == "trim":
        call.trim_min_reviews = write_[1]
    elif kind == "cap":
        call.bonus_cap = write_[1]
    elif kind == "ties":
        call.tie_breakers = write_[1]
    else:
        ids = list(db.session.scalars(select(Application.id).where(Application.call_id == call_id).order_by("id")))
        db.session.get(Application, ids[write_[1] % len(ids)]).physical_ai = write_[2]
    db.session.commit()


def test_the_cached_ranking_equals_the_computed_one_after_any_write(app, review_setup):
    setup = review_setup(applications=5, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        # A few sheets back to drafts-in-waiting would need the services; the generated writes vary them.
        assert_cache_matches(setup.call_id)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(write, min_size=1, max_size=4))
    def writes_then_compare(writes):
        with app.app_context():
            for one in writes:
                apply(one, setup.call_id, setup.officer.id)
                assert_cache_matches(setup.call_id)
            db.session.remove()

    writes_then_compare()


def test_an_uncommitted_change_is_ranked_afresh_and_not_shared(app, review_setup):
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        before = ranking_page(call).rows
        application = db.session.get(Application, setup.application_ids[0])
        decisions.record_penalty(application, actor=db.session.get(User, setup.officer.id), points=3, reason="감점")
        pending = {r.application_id: r.penalty for r in ranking_page(call).rows}
        assert pending[application.id] == 3  # this transaction sees its own penalty
        db.session.rollback()
        call = db.session.get(Call, setup.call_id)
        assert ranking_page(call).rows == before  # and nobody else ever saw it


def test_a_cached_page_reads_one_sql_row(app, review_setup):
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        ranking_page(call)
        statements: list[str] = []

        def listener(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            ranking_page(call, page=2, per_page=1, track="ai_software", chart=2)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1 and "ranking_versions" in statements[0]


def test_without_redis_the_page_is_computed_not_refused(app, review_setup):
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
        score_all(setup)
        call = db.session.get(Call, setup.call_id)
        url = app.config["REDIS_URL"]
        app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
        try:
            page = ranking_page(call, per_page=10)
        finally:
            app.config["REDIS_URL"] = url
        assert page.rows == expected_rows(call)
