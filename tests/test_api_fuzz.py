"""Schemathesis drives every operation of /api/v1/openapi.json: no 5xx, every answer as documented.

A bounded, derandomized run through the Flask app itself (WSGI, no network), once with an
officer's token and once with an applicant's, over a little seeded data (a call, a draft) so
that small generated ids also reach rows that exist. Valid and invalid input are both generated.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nup.timeutil import utcnow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture()
def seeded(app, client, make_user, api_token):
    """The schema, and headers of an officer and an applicant, after seeding a call and a draft through the API."""
    officer, founder = make_user("officer"), make_user("applicant")
    staff = {"Authorization": f"Bearer {api_token(officer)}"}
    applicant = {"Authorization": f"Bearer {api_token(founder)}"}
    now = utcnow()
    call = client.post(
        "/api/v1/calls",
        headers=staff,
        json={
            "title": "Fuzzing call",
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=5)).isoformat(),
        },
    )
    assert call.status_code == 201, call.get_json()
    draft = client.post(f"/api/v1/calls/{call.get_json()['id']}/applications", headers=applicant, json={})
    assert draft.status_code == 201, draft.get_json()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema, {"officer": staff, "applicant": applicant}


def _fuzz(schema, headers: dict) -> tuple[Counter, list[str]]:
    """Run every operation with generated valid and invalid requests; return the statuses seen and the failures."""
    statuses: Counter = Counter()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1

        try:
            run()
        except Exception as error:  # one operation's failure must not hide the others'
            failures.append(f"{operation.label}: {error}")
    return statuses, failures


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_every_operation_answers_as_documented_and_never_with_a_5xx(seeded, role):
    schema, headers = seeded
    started = time.monotonic()
    statuses, failures = _fuzz(schema, headers[role])
    cases = sum(statuses.values())
    print(f"schemathesis as {role}: {cases} cases in {time.monotonic() - started:.1f} s, statuses {dict(statuses)}")
    assert not failures, "\n\n".join(failures)
    assert cases > 300 and sum(n for status, n in statuses.items() if status < 300) > 15  # not all refused
