"""Django's Redis cache, keeping one redis-py client per connection pool, with counters that
change in one round trip.

Django's client makes a new `redis.Redis` for every operation; redis-py's constructor builds its
response callbacks each time, which was a sixth of the database threads' time in a Hooligram
sign-in storm (py-spy: three counter operations per sign-in, accounts/throttling.py). A redis-py
client on a connection pool is safe to share between threads.

Django's `incr` is two round trips (whether the key exists, then INCRBY) and a counter that may
not exist yet takes an `add` before it: a login's attempt took four to six. `read_and_count` is
one: a script (GET, SET NX EX and INCRBY), which Redis runs whole, as it would a MULTI of the
three. A call costs the client about 90 µs of CPU where the MULTI, five commands to pack and five
replies to parse, cost 115-125 µs; a Hooligram sign-in makes one (two if its account signed in
earlier in the window)."""

from typing import Any

from django.core.cache.backends import redis as django_redis

# KEYS: the counter, then the counter to read (if any); ARGV: the delta, the counter's lifetime.
READ_AND_COUNT = """
local read = 0
if KEYS[2] then read = tonumber(redis.call('GET', KEYS[2]) or '0') end
redis.call('SET', KEYS[1], 0, 'EX', ARGV[2], 'NX')
return {read, redis.call('INCRBY', KEYS[1], ARGV[1])}
"""


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
    """`django.core.cache.backends.redis.RedisCache` with the client above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._read_and_count: Any = None  # the script, registered on first use

    def read_and_count(self, read_key: str | None, key: str, delta: int, timeout: int) -> tuple[int, int]:
        """Add `delta` to the counter `key` (made at 0 to live `timeout` seconds when missing) and
        read the counter `read_key` (0 when missing or None), atomically: (read, new count)."""
        redis_key = self.make_and_validate_key(key)
        client = self._cache.get_client(redis_key, write=True)
        keys = [redis_key] if read_key is None else [redis_key, self.make_and_validate_key(read_key)]
        if self._read_and_count is None:
            self._read_and_count = client.register_script(READ_AND_COUNT)
        read, count = self._read_and_count(keys=keys, args=[delta, timeout], client=client)
        return int(read), int(count)
