"""Probes for orchestrators and load balancers: `/healthz` says the process answers, `/readyz` that
it can serve (its database and, when configured, Redis reachable), with each dependency's state,
within a few seconds whatever the other requests wait for."""

import asyncio
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger("config.health")

# Seconds Redis's socket may take to connect and to answer, and any one check (the database's
# waits for a pooled connection too) before it counts as unreachable.
REDIS_TIMEOUT_S = 1.0
CHECK_TIMEOUT_S = 2.0


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering HTTP."""
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's: back to the pool
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


async def _state(check: Callable[[], str], name: str) -> tuple[str, bool]:
    """The check's answer, run on a thread of its own (not the one Django's synchronous views
    share, which a database outage fills with requests waiting for a connection) for at most
    CHECK_TIMEOUT_S."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(check), CHECK_TIMEOUT_S), True
    except Exception as error:  # any failure means not ready; say which and why
        logger.warning("readiness: %s unreachable: %s: %s", name, type(error).__name__, error)
        return f"unavailable: {type(error).__name__}", False


@require_GET
async def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis (if configured) answer, else 503; each one's state in JSON."""
    (database, database_ok), (redis_state, redis_ok) = await asyncio.gather(
        _state(_database, "database"), _state(_redis, "redis")
    )
    ready = database_ok and redis_ok
    body = {"status": "ready" if ready else "not ready", "database": database, "redis": redis_state}
    return JsonResponse(body, status=200 if ready else 503)
