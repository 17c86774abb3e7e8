"""`/healthz` and `/readyz` over HTTP: the process answers; it is ready when its database and Redis
(if configured) answer, and says which one is not."""

import pytest
from django.db import OperationalError

from config import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert client.post("/healthz").status_code == 405


def test_readyz_without_redis_configured_needs_only_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "redis": "not configured"}


@pytest.mark.redis
def test_readyz_checks_the_configured_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "redis": "ok"}


def test_readyz_is_503_and_names_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": "ok", "redis": "unavailable: ConnectionError"}


def test_readyz_is_503_and_names_an_unreachable_database(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def refused() -> str:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "database": "unavailable: OperationalError",
        "redis": "not configured",
    }


def test_readyz_answers_within_its_limit_when_the_database_does_not(client, settings, monkeypatch):
    """A database that hangs (every pooled connection taken, or a host that drops packets)."""
    import threading

    settings.REDIS_URL = ""
    released = threading.Event()
    monkeypatch.setattr(health, "CHECK_TIMEOUT_S", 0.2)
    monkeypatch.setattr(health, "_database", lambda: released.wait(5) and "ok")
    threading.Timer(0.5, released.set).start()  # after the answer (the test client's loop waits for it)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable: TimeoutError"
