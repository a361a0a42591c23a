"""A call written as CONTRACT.md says is accepted, whatever its rubric: tie-breakers follow the call's own rubric."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nup.programmes.services import default_tie_breakers
from nup.timeutil import utcnow

KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=20)
LABEL = st.text(min_size=1, max_size=40).filter(lambda text: "\x00" not in text)
POINTS = st.integers(min_value=1, max_value=100) | st.floats(min_value=0.5, max_value=100, allow_nan=False)
WEIGHT = st.sampled_from([0.5, 1, 1.5, 2, 3])


@st.composite
def rubrics(draw):
    keys = draw(st.lists(KEY, min_size=1, max_size=6, unique=True))
    rubric = []
    for key in keys:
        criterion = {"key": key, "label": draw(LABEL), "max_points": draw(POINTS)}
        if draw(st.booleans()):
            criterion["weight"] = draw(WEIGHT)
        rubric.append(criterion)
    return rubric


def _body(rubric, **extra):
    now = utcnow()
    return {
        "title": "Own-rubric call",
        "announced_on": (now - timedelta(days=2)).date().isoformat(),
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "tracks": ["ai_software"],
        "rubric": rubric,
        "reviewers_per_application": 5,
        "trim_min_reviews": 5,
        "bonus_rules": [{"when": "physical_ai", "points": 2}],
        "eligibility": {"min_business_years": 0, "max_business_years": 7},
        "required_documents": ["business_plan"],
        **extra,
    }


def _expected_tie_breakers(rubric):
    worth = [(-c["max_points"] * c.get("weight", 1), i, c["key"]) for i, c in enumerate(rubric)]
    return [key for _w, _i, key in sorted(worth)][:2]


def test_the_psst_default_keeps_solution_then_problem():
    from nup.programmes.catalogue import PSST_RUBRIC

    assert default_tie_breakers(PSST_RUBRIC) == ["solution", "problem"]


def test_a_call_with_its_own_rubric_and_no_tie_breakers_is_created_with_tie_breakers_from_it(
    client, make_user, api_token
):
    staff = {"Authorization": f"Bearer {api_token(make_user('officer'))}"}
    rubric = [
        {"key": "market", "label": "Market", "max_points": 40, "weight": 1},
        {"key": "tech", "label": "Technology", "max_points": 35, "weight": 2},
        {"key": "team", "label": "Team", "max_points": 25},
    ]
    created = client.post("/api/v1/calls", json=_body(rubric), headers=staff)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["tie_breakers"] == ["tech", "market"]
    read = client.get(f"/api/v1/calls/{created.get_json()['id']}", headers=staff).get_json()
    assert read["tie_breakers"] == ["tech", "market"]
    assert [c["key"] for c in read["rubric"]] == ["market", "tech", "team"]


def test_tie_breakers_the_client_sends_are_kept_or_refused_naming_the_unknown_key(client, make_user, api_token):
    staff = {"Authorization": f"Bearer {api_token(make_user('officer'))}"}
    rubric = [{"key": "a", "label": "A", "max_points": 10}, {"key": "b", "label": "B", "max_points": 20}]
    kept = client.post("/api/v1/calls", json=_body(rubric, tie_breakers=["a"]), headers=staff)
    assert kept.status_code == 201 and kept.get_json()["tie_breakers"] == ["a"]
    refused = client.post("/api/v1/calls", json=_body(rubric, tie_breakers=["solution"]), headers=staff)
    assert refused.status_code == 422
    assert "solution" in " ".join(refused.get_json()["error"]["fields"]["tie_breakers"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rubric=rubrics())
def test_any_documented_rubric_is_accepted_and_read_back_with_its_tie_breakers(client, make_user, api_token, rubric):
    staff = {"Authorization": f"Bearer {api_token(make_user('officer'))}"}
    created = client.post("/api/v1/calls", json=_body(rubric), headers=staff)
    assert created.status_code == 201, created.get_json()
    call = client.get(f"/api/v1/calls/{created.get_json()['id']}", headers=staff).get_json()
    assert call["tie_breakers"] == _expected_tie_breakers(rubric)
    assert set(call["tie_breakers"]) <= {c["key"] for c in rubric}
    assert [(c["key"], c["max_points"], c["weight"]) for c in call["rubric"]] == [
        (c["key"], c["max_points"], c.get("weight", 1)) for c in rubric
    ]


def test_a_count_with_a_fraction_or_points_out_of_range_are_refused_and_nothing_is_created(
    client, make_user, api_token
):
    staff = {"Authorization": f"Bearer {api_token(make_user('officer'))}"}
    rubric = [{"key": "a", "label": "A", "max_points": 10}]
    before = client.get("/api/v1/calls", headers=staff).get_json()["total"]
    for extra, field in (
        ({"reviewers_per_application": 1.5}, "reviewers_per_application"),
        ({"trim_min_reviews": 4.2}, "trim_min_reviews"),
        ({"bonus_rules": [{"when": "physical_ai", "points": 1e20}]}, "bonus_rules"),
    ):
        response = client.post("/api/v1/calls", json=_body(rubric, **extra), headers=staff)
        assert response.status_code == 422, (extra, response.get_json())
        assert field in response.get_json()["error"]["fields"], response.get_json()
    assert client.get("/api/v1/calls", headers=staff).get_json()["total"] == before
    # A whole number written 5.0 or "5" is still read as 5.
    read = client.post("/api/v1/calls", json=_body(rubric, reviewers_per_application=5.0), headers=staff)
    assert read.status_code == 201 and read.get_json()["reviewers_per_application"] == 5
