"""Each event loop's asyncio Redis client on REDIS_URL (a client cannot be shared between loops).

A server process has one loop for its life. Synchronous code (a management command, a view served
without a running loop) publishes through asgiref's `async_to_sync`, which makes a loop per call
and closes it: the client of such a loop is closed with it, as channels-redis does for its layers,
or every call would leave a Redis connection open (10,000 phones provisioned by the load tester
once held 10,000 and Redis refused every client after)."""

import asyncio
import types
import weakref
from typing import TYPE_CHECKING, Any

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
        _close_with(loop)
    return client


def _close_with(loop: asyncio.AbstractEventLoop) -> None:
    """Make closing `loop` close its client's connections first."""
    close = loop.close

    def closing(self: asyncio.AbstractEventLoop, *args: Any, **kwargs: Any) -> None:
        client = _clients.pop(self, None)
        if client is not None and not self.is_running():
            self.run_until_complete(client.aclose(close_connection_pool=True))
        close(*args, **kwargs)

    loop.close = types.MethodType(closing, loop)  # type: ignore[method-assign]
