"""Each event loop's asyncio Redis client on REDIS_URL (a client cannot be shared between loops)."""

import asyncio
import weakref
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import redis.asyncio

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis]" = weakref.WeakKeyDictionary()
# Redis connections per process: when clients sign in by the hundred at once (after a restart),
# the rest wait for a free one instead of failing with "Too many connections".
REDIS_CONNECTIONS = 50
REDIS_WAIT_SECONDS = 10


def loop_client() -> "redis.asyncio.Redis | None":
    """The running event loop's Redis client, or None without REDIS_URL."""
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        import redis.asyncio

        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_SECONDS
        )
        client = _clients[loop] = redis.asyncio.Redis(connection_pool=pool)
    return client
