"""The intake fixtures (an open call, an officer) for the Physical AI tests."""

from tests.applications.conftest import make_call, officer, open_call  # noqa: F401
from tests.reviews.conftest import review_setup  # noqa: F401
