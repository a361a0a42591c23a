"""Which rows each role sees: the visible_* queries, the policy, and every page and API door agree."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from nup import security
from nup.accounts.models import User
from nup.extensions import db
from tests.conftest import login_as
from tests.visibility_world import KINDS, build_world

ACTORS = ("officer", "founder1", "founder2", "reviewer1", "reviewer2", "mentor1", "mentor2")
VIEW_ACTION = {
    "application": "application.view",
    "assignment": "assignment.view",
    "match": "match.view",
    "session": "session.view",
    "plan": "overseas.plan.view",
}


def _visible_select(kind: str, actor):
    from nup.applications.queries import visible_applications
    from nup.mentoring.queries import visible_matches, visible_sessions
    from nup.overseas.queries import visible_plans
    from nup.reviews.queries import visible_assignments

    return {
        "application": visible_applications,
        "assignment": visible_assignments,
        "match": visible_matches,
        "session": visible_sessions,
        "plan": visible_plans,
    }[kind](actor)


def _model(kind: str):
    from nup.applications.models import Application
    from nup.mentoring.models import MentoringSession, MentorMatch
    from nup.overseas.models import SupportPlan
    from nup.reviews.models import Assignment

    return {
        "application": Application,
        "assignment": Assignment,
        "match": MentorMatch,
        "session": MentoringSession,
        "plan": SupportPlan,
    }[kind]


def _or_404(kind: str):
    from nup.applications.queries import application_visible_or_404
    from nup.mentoring.queries import match_visible_or_404, session_visible_or_404
    from nup.overseas.queries import plan_visible_or_404
    from nup.reviews.queries import assignment_visible_or_404

    return {
        "application": application_visible_or_404,
        "assignment": assignment_visible_or_404,
        "match": match_visible_or_404,
        "session": session_visible_or_404,
        "plan": plan_visible_or_404,
    }[kind]


def visible_ids(kind: str, actor) -> set[int]:
    return {row.id for row in db.session.scalars(_visible_select(kind, actor))}


@pytest.fixture()
def world(app, make_user):
    return build_world(app, make_user)


def _actor(world, name: str) -> User:
    return db.session.get(User, world.users[name].id)


# ----------------------------------------------------------------------------- the queries


def test_each_visible_query_returns_exactly_the_allowed_rows(app, world):
    from werkzeug.exceptions import NotFound

    with app.app_context():
        for name in ACTORS:
            actor = _actor(world, name)
            for kind in KINDS:
                seen = visible_ids(kind, actor)
                assert seen == world.expected[name][kind], f"{name} sees {kind} {seen}"
                for row_id in world.all_ids(kind) | {999_999}:
                    if row_id in seen:
                        assert _or_404(kind)(actor, row_id).id == row_id
                    else:
                        with pytest.raises(NotFound):
                            _or_404(kind)(actor, row_id)


def test_the_queries_agree_with_the_one_policy_row_for_row(app, world):
    with app.app_context():
        for name in ACTORS:
            actor = _actor(world, name)
            for kind in KINDS:
                seen = visible_ids(kind, actor)
                for row in db.session.scalars(select(_model(kind))):
                    assert security.can(actor, VIEW_ACTION[kind], row) == (row.id in seen), (name, kind, row.id)


def test_a_conflict_hides_an_assignment_row_from_scoring_too(app, world):
    """The policy itself refuses a conflicted pair, so a service called directly refuses it as well."""
    from nup.reviews.models import Assignment

    with app.app_context():
        reviewer = _actor(world, "reviewer1")
        conflicted = db.session.get(Assignment, world.ids["assignment"]["r1a2"])
        assert conflicted.active  # the row is live, only the conflict hides it
        assert not security.can(reviewer, "assignment.score", conflicted)
        own = db.session.get(Assignment, world.ids["assignment"]["r1a1"])
        assert security.can(reviewer, "assignment.score", own)


def test_callers_page_and_filter_further(app, world):
    from nup.reviews.models import Assignment

    with app.app_context():
        officer = _actor(world, "officer")
        query = _visible_select("assignment", officer).where(Assignment.status == "recused")
        assert {a.id for a in db.session.scalars(query)} == {world.ids["assignment"]["r2a2"]}
        page = db.paginate(_visible_select("session", officer).order_by(_model("session").id), page=1, per_page=1)
        assert page.total == 2 and len(page.items) == 1


# ------------------------------------------------------------------------------- the doors


def _api(client, api_token, world, name: str) -> dict:
    return {"Authorization": f"Bearer {api_token(world.users[name])}"}


API_LISTS = {
    "assignment": "/api/v1/assignments?per_page=100",
    "match": "/api/v1/matches?per_page=100",
    "session": "/api/v1/sessions?per_page=100",
    "plan": "/api/v1/overseas/plans?per_page=100",
}
API_DETAILS = {
    "application": "/api/v1/applications/{}",
    "session": "/api/v1/sessions/{}",
    "plan": "/api/v1/overseas/plans/{}",
}


@pytest.mark.parametrize("name", ACTORS)
def test_api_lists_and_details_show_exactly_the_allowed_rows(app, client, api_token, world, name):
    headers = _api(client, api_token, world, name)
    for kind, url in API_LISTS.items():
        response = client.get(url, headers=headers)
        if response.status_code == 403:  # the route is not for this role (the route matrix covers it)
            assert not world.expected[name][kind], (name, kind)
            continue
        assert response.status_code == 200, (name, url, response.status_code)
        body = response.get_json()
        assert {item["id"] for item in body["items"]} == world.expected[name][kind], (name, kind)
        assert body["total"] == len(world.expected[name][kind])
    for kind, url in API_DETAILS.items():
        readable = world.expected[name][kind]
        if kind == "application":  # an evaluator reads their assignments' applications in the blind view
            readable = readable | world.evaluator_reads.get(name, set())
        for row_id in world.all_ids(kind):
            status = client.get(url.format(row_id), headers=headers).status_code
            if row_id in readable:
                assert status == 200, (name, kind, row_id, status)
            else:
                # Where the role has rows of this kind the route is theirs: another's row is 404.
                assert status == 404 if readable else status in (403, 404), (name, kind, row_id)


def test_someone_elses_row_is_not_found_not_forbidden(client, api_token, world):
    """Where the route lets the role in, another's row answers 404: its existence is not told."""
    founder1 = _api(client, api_token, world, "founder1")
    mentor2 = _api(client, api_token, world, "mentor2")
    assert client.get(f"/api/v1/sessions/{world.ids['session']['s2']}", headers=founder1).status_code == 404
    assert client.get(f"/api/v1/sessions/{world.ids['session']['s1']}", headers=mentor2).status_code == 404
    assert client.get(f"/api/v1/overseas/plans/{world.ids['plan']['p2']}", headers=founder1).status_code == 404
    assert client.get(f"/api/v1/applications/{world.ids['application']['a2']}", headers=founder1).status_code == 404
    booking = client.post(
        "/api/v1/sessions",
        headers=founder1,
        json={"match_id": world.ids["match"]["m2"], "starts_at": "2030-01-01T10:00:00+09:00", "minutes": 60},
    )
    assert booking.status_code == 422 and "match_id" in booking.get_json()["error"]["fields"]
    answer = client.post(
        f"/api/v1/matches/{world.ids['match']['m1']}/respond", headers=mentor2, json={"accept": True, "note": ""}
    )
    assert answer.status_code == 404


PAGE_DETAILS = {
    "application": ("/applications/{}", "/mentoring/startup/{}", "/applications/{}/result"),
    "assignment": ("/review/assignments/{}",),
    "session": ("/mentoring/sessions/{}", "/mentoring/sessions/{}/invite.ics"),
    "match": ("/mentoring/matches/{}/book",),
    "plan": ("/overseas/plans/{}", "/staff/overseas/plans/{}"),
}


@pytest.mark.parametrize("name", ACTORS)
def test_pages_open_exactly_the_allowed_rows(app, client, world, name):
    user = world.users[name]
    login_as(client, user)
    for kind, urls in PAGE_DETAILS.items():
        for url in urls:
            for row_id in world.all_ids(kind):
                response = client.get(url.format(row_id))
                where = (name, url.format(row_id), response.status_code)
                if response.status_code == 403:
                    continue  # the route is not for this role: the route matrix covers it
                if row_id in world.expected[name][kind]:
                    assert response.status_code in (200, 302), where
                    if response.status_code == 302:  # only the pledge may stand in the way
                        assert "/pledge" in response.headers["Location"], where
                else:
                    assert response.status_code == 404, where


def test_list_pages_show_exactly_the_allowed_rows(app, client, world):
    from nup.reviews.queries import blind_code

    for name in ("reviewer1", "reviewer2"):
        login_as(client, world.users[name])
        html = client.get("/review/").get_data(as_text=True)
        shown = {int(n) for n in re.findall(r"R-(\d{5})", html)}
        assert shown == world.expected[name]["assignment"], (name, shown)
        assert blind_code(next(iter(shown))) in html
    for name in ("mentor1", "mentor2"):
        login_as(client, world.users[name])
        html = client.get("/mentoring/").get_data(as_text=True)
        shown = {int(n) for n in re.findall(r"/mentoring/sessions/(\d+)", html)}
        assert shown == world.expected[name]["session"], (name, shown)
    for name in ("founder1", "founder2"):
        login_as(client, world.users[name])
        plan_page = client.get("/overseas")
        assert plan_page.status_code == 302
        assert plan_page.headers["Location"].endswith(f"/overseas/plans/{next(iter(world.expected[name]['plan']))}")
        mine = client.get("/mentoring/mine")
        assert mine.headers["Location"].endswith(
            f"/mentoring/startup/{next(iter(world.expected[name]['application']))}"
        )


# ------------------------------------------------------------------- generated layouts


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    layout=st.lists(
        st.tuples(
            st.integers(0, 1),  # application
            st.integers(0, 2),  # evaluator
            st.sampled_from(["assigned", "draft", "submitted", "recused", "removed"]),
            st.sampled_from([None, "active", "requested", "rejected"]),  # a conflict on the pair
        ),
        max_size=6,
        unique_by=lambda t: (t[0], t[1]),
    )
)
def test_generated_assignment_layouts_show_each_evaluator_exactly_their_live_unconflicted_rows(
    app, world_for_layouts, layout
):
    from nup.reviews.models import Assignment, Conflict

    apps, reviewer_ids, officer_id, call_id = world_for_layouts
    with app.app_context():
        db.session.execute(delete(Assignment))
        db.session.execute(delete(Conflict))
        allowed: dict[int, set[int]] = {r: set() for r in reviewer_ids}
        every = set()
        for app_index, reviewer_index, status, conflict in layout:
            row = Assignment(
                call_id=call_id, application_id=apps[app_index], reviewer_id=reviewer_ids[reviewer_index], status=status
            )
            db.session.add(row)
            if conflict:
                db.session.add(
                    Conflict(
                        call_id=call_id,
                        application_id=apps[app_index],
                        reviewer_id=reviewer_ids[reviewer_index],
                        kind="declared",
                        status=conflict,
                        reason="x",
                    )
                )
            db.session.flush()
            every.add(row.id)
            if status in ("assigned", "draft", "submitted") and conflict != "active":
                allowed[reviewer_ids[reviewer_index]].add(row.id)
        db.session.commit()
        for reviewer_id in reviewer_ids:
            reviewer = db.session.get(User, reviewer_id)
            assert visible_ids("assignment", reviewer) == allowed[reviewer_id]
            for row in db.session.scalars(select(Assignment)):
                assert security.can(reviewer, "assignment.view", row) == (row.id in allowed[reviewer_id])
        assert visible_ids("assignment", db.session.get(User, officer_id)) == every
        db.session.rollback()


@pytest.fixture()
def world_for_layouts(app, make_user):
    from tests.cohort import make_cohort_call, make_selected_startup

    officer = make_user("officer")
    reviewers = [make_user("reviewer") for _ in range(3)]
    with app.app_context():
        call_id = make_cohort_call(officer.id)
        apps = [make_selected_startup(call_id, company=f"회사{i}", rank=i + 1).application_id for i in range(2)]
    return apps, [r.id for r in reviewers], officer.id, call_id
