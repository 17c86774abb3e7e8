"""Django's Redis cache, keeping one redis-py client per connection pool, with counters read and
changed in one round trip on a connection of the calling thread's own.

Django's client makes a new `redis.Redis` for every operation; redis-py's constructor builds its
response callbacks each time, which was a sixth of the database threads' time in a Hooligram
sign-in storm (py-spy: three counter operations per sign-in, accounts/throttling.py). A redis-py
client on a connection pool is safe to share between threads.

Django's `incr` is two round trips (whether the key exists, then INCRBY) and a counter that may
not exist yet takes an `add` before it: a login's attempt took four to six. `read_and_count` is
one: a script (GET, SET NX EX and INCRBY), which Redis runs whole, as it would a MULTI of the
three. A password login makes one call (two if its account signed in earlier in the window), a
token sign-in one `read`. Both go straight to a connection the thread keeps: through redis-py's
client and pool (a connection lent and checked for unread data, observability counters, a
retry wrapper) a call cost the client 58-69 µs of CPU, on the connection itself 21-32 µs. (A
Hooligram sign-in counts from the event loop instead, batched: `accounts.throttling.attempting`.)"""

import hashlib
import os
import threading
from typing import Any

from django.core.cache.backends import redis as django_redis
from redis import exceptions

# KEYS: the counter, then the counter to read (if any); ARGV: the delta, the counter's lifetime.
READ_AND_COUNT = """
local read = 0
if KEYS[2] then read = tonumber(redis.call('GET', KEYS[2]) or '0') end
redis.call('SET', KEYS[1], 0, 'EX', ARGV[2], 'NX')
return {read, redis.call('INCRBY', KEYS[1], ARGV[1])}
"""
READ_AND_COUNT_SHA = hashlib.sha1(READ_AND_COUNT.encode()).hexdigest()


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's client, answering the same redis-py client for every operation on a pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers, which django-stubs does not declare.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with the client above, and the login counters'
    commands on a connection of each calling thread's own."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._threads = threading.local()

    def read(self, key: str) -> int:
        """The counter `key` (0 when missing)."""
        return int(self._command("GET", self.make_and_validate_key(key)) or 0)

    def read_and_count(self, read_key: str | None, key: str, delta: int, timeout: int) -> tuple[int, int]:
        """Add `delta` to the counter `key` (made at 0 to live `timeout` seconds when missing) and
        read the counter `read_key` (0 when missing or None), atomically: (read, new count)."""
        keys = [self.make_and_validate_key(key)]
        if read_key is not None:
            keys.append(self.make_and_validate_key(read_key))
        command = ("EVALSHA", READ_AND_COUNT_SHA, len(keys), *keys, delta, timeout)
        try:
            read, count = self._command(*command)
        except exceptions.NoScriptError:  # Redis restarted, or its scripts were flushed
            self._command("SCRIPT", "LOAD", READ_AND_COUNT)
            read, count = self._command(*command)
        return int(read), int(count)

    def _command(self, *args: Any) -> Any:
        """Run one command on this thread's connection (made on first use, of the pool's class and
        settings: TLS for a rediss:// URL, and again in a forked child, which must not share its
        parent's socket); one found broken (Redis restarted, or closed it while idle) is made again
        and the command sent once more."""
        pid, connection = getattr(self._threads, "connection", (None, None))
        if pid != os.getpid():
            pool = self._cache._get_connection_pool(True)  # type: ignore[attr-defined]
            connection = pool.connection_class(**pool.connection_kwargs)
            self._threads.connection = (os.getpid(), connection)
        try:
            return _sent(connection, args)
        except (exceptions.ConnectionError, exceptions.TimeoutError):
            return _sent(connection, args)


def _sent(connection: Any, args: tuple[Any, ...]) -> Any:
    """The reply to one command; on any failure but an error reply (read whole) the connection is
    closed, so that no reply is left half read for the next command."""
    try:
        connection.send_command(*args)
        return connection.read_response()
    except exceptions.ResponseError:
        raise
    except BaseException:
        connection.disconnect()
        raise
