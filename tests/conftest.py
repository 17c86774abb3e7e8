import itertools
import shutil

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import connections

from realtime.db import close_pool
from realtime.hub import current_hub
from tests import event_capture

_test_numbers = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _close_database_threads(django_db_setup, django_db_blocker):
    """Close the database threads' connections before the test database is dropped: the pool's,
    and that of asgiref's one thread for synchronous code (`tests.helpers.db`), which Channels'
    test communicator leaves open (it turns Django's connection cleanup off while it waits)."""
    yield
    with django_db_blocker.unblock():
        close_pool()
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test counts logins and registrations afresh: its cache keys have a prefix of their own
    (nothing is flushed, so other runs on the same Redis keep theirs)."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}.{next(_test_numbers)}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture
async def captured_events(monkeypatch):
    """The events services publish and this process's hub delivers during the test; a test awaits
    `captured_events.next(kind, **fields)` instead of sleeping (see tests/event_capture.py). The
    hub listens from the start, with no connection yet."""
    capture = event_capture.EventCapture()
    event_capture.install(capture, monkeypatch)
    await current_hub().ready()
    yield capture
    event_capture.uninstall(capture)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL (`postgresql`, `multiprocess`), Redis (`redis`, `multiprocess`) or
    nginx (`nginx`) skip, saying why, when the run is not configured with them (`.ci/run` fails on any skip)."""
    on_postgresql = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    needs = {
        "postgresql": None if on_postgresql else "needs PostgreSQL: set DATABASE_URL=postgres://...",
        "redis": None if settings.REDIS_URL else "needs Redis: set REDIS_URL=redis://...",
        "multiprocess": None
        if on_postgresql and settings.REDIS_URL
        else "starts server processes: needs DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    }
    needs["nginx"] = None if shutil.which("nginx") else "needs nginx: apt-get install -y nginx (.ci/run does)"
    for item in items:
        for marker, reason in needs.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
