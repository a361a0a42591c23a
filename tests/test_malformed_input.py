"""Malformed input gets a 4xx, never a 5xx: huge ids and numbers, lone surrogates, deep JSON, NaN and Infinity."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nup.input_guard import MAX_INT64, MAX_JSON_DEPTH, MalformedJSON, strict_loads
from tests.conftest import login_as

ERROR_KEYS = {"code", "message", "fields"}
HUGE = "99999999999999999999"
CALL = '{"title": "x", "opens_at": "2026-01-01T00:00:00+00:00", "closes_at": "2026-02-01T00:00:00+00:00"'


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _assert_api_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body["error"]) == ERROR_KEYS and body["error"]["message"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/sessions/9223372036854775808", 404),
        ("/api/v1/sessions/2147483648", 404),  # past the INTEGER id columns of PostgreSQL
        (f"/api/v1/calls/{HUGE}", 404),
        ("/api/v1/calls/0", 404),
        ("/api/v1/calls/" + "9" * 5000, 404),
        ("/api/v1/calls/\u0663", 404),  # an Arabic-Indic three is a digit to Python, not an id
        (f"/api/v1/calls?per_page={HUGE}", 422),
        (f"/api/v1/calls?page={HUGE}", 422),
        ("/api/v1/calls?per_page=101", 422),
        ("/api/v1/calls?page=0", 422),
        (f"/api/v1/sessions?application_id={HUGE}", 422),
        ("/api/v1/matches?application_id=2147483648", 422),
        (f"/api/v1/matches?application_id={HUGE}", 422),
        (f"/api/v1/assignments?call_id={HUGE}", 422),
        (f"/api/v1/outbox?call_id={HUGE}", 422),
        (f"/api/v1/overseas/plans?call_id={HUGE}", 422),
    ],
)
def test_out_of_range_numbers_in_api_urls_are_a_4xx(client, make_user, api_token, path, status):
    response = client.get(path, headers=_auth(api_token(make_user("officer"))))
    _assert_api_error(response, status)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (CALL.replace('"x"', '"\\ud800"') + "}", "surrogate"),
        (CALL.replace('"x"', '"a\\udfffb"') + "}", "surrogate"),
        (CALL + ', "tracks": ["\\ud83d"]}', "surrogate"),
        (CALL + ', "description": "a\\u0000b"}', "NUL"),
        ("[" * 5000 + "]" * 5000, "nested"),
        (CALL + ', "rubric": ' + "[" * 3000 + "]" * 3000 + "}", "nested"),
        (CALL + ', "bonus_cap": NaN}', "NaN"),
        (CALL + ', "bonus_cap": -Infinity}', "NaN"),
        (CALL + ', "bonus_cap": 1e400}', "range"),
        (CALL + ', "reviewers_per_application": 99999999999999999999999}', "range"),
        (CALL + ', "trim_min_reviews": ' + "9" * 5000 + "}", "range"),
    ],
)
def test_unreadable_json_bodies_are_a_400_that_says_why(client, make_user, api_token, body, says):
    response = client.post(
        "/api/v1/calls?lang=en",
        data=body,
        content_type="application/json",
        headers=_auth(api_token(make_user("officer"))),
    )
    _assert_api_error(response, 400)
    assert response.get_json()["error"]["code"] == "bad_request"
    assert says in response.get_json()["error"]["message"]


def test_a_lone_surrogate_in_a_patch_is_refused_and_nothing_is_stored(client, make_user, api_token, app):
    from nup.applications.models import Application
    from nup.extensions import db
    from tests.applications.test_intake_api import _call_body

    staff, founder = _auth(api_token(make_user("officer"))), _auth(api_token(make_user("applicant")))
    call = client.post("/api/v1/calls", json=_call_body(), headers=staff).get_json()
    draft = client.post(
        f"/api/v1/calls/{call['id']}/applications", json={"summary": "before"}, headers=founder
    ).get_json()
    response = client.patch(
        f"/api/v1/applications/{draft['id']}",
        data='{"summary": "after \\udc00"}',
        content_type="application/json",
        headers=founder,
    )
    _assert_api_error(response, 400)
    with app.app_context():
        assert db.session.get(Application, draft["id"]).summary == "before"


def test_pages_answer_404_for_ids_past_64_bits_and_ignore_odd_paging(client, make_user):
    login_as(client, make_user("officer"))
    assert client.get(f"/calls/{HUGE}").status_code == 404
    assert client.get("/calls/9223372036854775808").status_code == 404
    for query in ("page=\u00b2", "per_page=\u00b2", f"page={HUGE}", f"per_page={HUGE}", "page=-1"):
        assert client.get(f"/calls?{query}").status_code == 200
        assert client.get(f"/staff/outbox?call_id=\u00b2&{query}").status_code in (200, 404)


def test_the_database_guard_refuses_values_the_driver_cannot_store(app):
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.input_guard import MalformedInput

    with app.app_context():
        with pytest.raises(MalformedInput):
            db.session.get(User, MAX_INT64 + 1)
        db.session.rollback()
        with pytest.raises(MalformedInput):
            db.session.execute(db.select(User).where(User.name == "lone \ud800")).all()
        db.session.rollback()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-MAX_INT64 - 1, max_value=MAX_INT64)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=30,
    )
)
def test_strict_loads_reads_every_document_it_should_exactly_as_json_does(document):
    text = json.dumps(document)
    depth = text.count("[") + text.count("{")  # an upper bound; strings with brackets only raise it
    if depth <= MAX_JSON_DEPTH and "\\ud" not in text.lower() and "\\u0000" not in text:
        assert strict_loads(text) == json.loads(text)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=MAX_INT64 + 1) | st.integers(max_value=-MAX_INT64 - 2),
        st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]),
        st.integers(min_value=0xD800, max_value=0xDFFF).map(lambda c: f'"x\\u{c:04x}y"'),
        st.just('"a\\u0000b"'),
        st.integers(min_value=MAX_JSON_DEPTH + 1, max_value=3000).map(lambda n: "[" * n + "]" * n),
    ),
    st.sampled_from(["{}", '{"a": []}', "[1, 2]"]),
)
def test_strict_loads_refuses_every_unreadable_value_wherever_it_sits(bad, around):
    value = str(bad) if isinstance(bad, int) else bad
    if around == "{}":
        text = '{"k": ' + value + "}"
    elif around == '{"a": []}':
        text = '{"a": [' + value + "]}"
    else:
        text = "[1, " + value + ", 2]"
    with pytest.raises(MalformedJSON):
        strict_loads(text)


def test_a_form_post_with_a_nul_character_is_refused_not_a_server_error(app, client, make_user):
    from nup.accounts.models import User
    from nup.extensions import db
    from tests.conftest import submit

    user = make_user("applicant", name="Before")
    login_as(client, user)
    response = submit(client, "/profile", {"name": "After\x00", "language": "ko"})
    assert 400 <= response.status_code < 500 or response.status_code in (200, 302)
    with app.app_context():
        assert db.session.get(User, user.id).name == "Before"


@pytest.mark.parametrize(
    "change",
    [
        {"bonus_cap": "nan"},
        {"rubric": "problem | 문제 | Problem | inf | 1\nsolution | 해결 | Solution | 30 | nan"},
        {"bonus_rules": "physical_ai | nan"},
        {"reviewers_per_application": "99999999999999999999"},
        {"tracks": "ai | AI | AI | 99999999999999999999999"},
        {"required_documents": "business_plan | company | \u00b2"},
    ],
)
def test_the_call_form_refuses_odd_numbers_and_stores_nothing(app, client, make_user, change):
    from sqlalchemy import select

    from nup.extensions import db
    from nup.programmes.models import Call
    from tests.applications.test_call_pages import _form_fields
    from tests.conftest import sign_in, submit

    officer = make_user("officer")
    sign_in(client, officer.email)
    fields = _form_fields(client.get("/staff/calls/new").get_data(as_text=True))
    fields.update(
        {
            "title_ko": "이상한 숫자",
            "announced_on": "2027-01-05",
            "opens_at": "2027-01-10T09:00",
            "closes_at": "2027-02-10T18:00",
            **change,
        }
    )
    response = submit(client, "/staff/calls/new", fields)
    assert response.status_code in (200, 400), response.status_code
    with app.app_context():
        assert db.session.scalars(select(Call)).all() == []
