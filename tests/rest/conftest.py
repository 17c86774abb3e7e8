import pytest

from tests.helpers import make_user
from tests.rest.support import Api


@pytest.fixture(autouse=True)
def _fresh_media(settings, tmp_path):
    """Uploads land in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def api():
    """`api()` is an anonymous JSON client, `api(user)` one signed in as the user."""

    def make(user=None) -> Api:
        client = Api()
        return client.as_user(user) if user is not None else client

    return make


@pytest.fixture
def users():
    """`users(n)` makes n users through the service layer."""
    return lambda n: [make_user() for _ in range(n)]
