"""The notification tests use the same calls and applicants as the intake tests."""

from tests.applications.conftest import make_call, officer, open_call  # noqa: F401 - fixtures
