import pytest

from realtime.db import close_pool


@pytest.fixture(autouse=True, scope="session")
def _close_database_threads(django_db_setup, django_db_blocker):
    """Close the database thread pool's connections before the test database is dropped.

    Channels' test communicator turns off its connection cleanup, so pool threads keep theirs."""
    yield
    with django_db_blocker.unblock():
        close_pool()
