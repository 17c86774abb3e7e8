"""Probes for orchestrators and load balancers: `/healthz` says the process answers, `/readyz` that
it can serve (its database and, when configured, Redis reachable), with each dependency's state."""

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger("config.health")

# Seconds a readiness check waits for Redis before calling it unreachable.
REDIS_TIMEOUT_S = 1.0


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering HTTP."""
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _state(check: Any, name: str) -> tuple[str, bool]:
    try:
        return check(), True
    except Exception as error:  # any failure means not ready; say which and why
        logger.warning("readiness: %s unreachable: %s: %s", name, type(error).__name__, error)
        return f"unavailable: {type(error).__name__}", False


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis (if configured) answer, else 503; each one's state in JSON."""
    database, database_ok = _state(_database, "database")
    redis_state, redis_ok = _state(_redis, "redis")
    ready = database_ok and redis_ok
    body = {"status": "ready" if ready else "not ready", "database": database, "redis": redis_state}
    return JsonResponse(body, status=200 if ready else 503)
