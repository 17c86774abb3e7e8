"""The Redis cache (config/redis_cache.py): Django's cache API, one redis-py client per pool."""

import threading

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

pytestmark = pytest.mark.redis


def test_the_cache_reads_and_counts_through_one_client_shared_by_threads():
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    assert cache.add("attempts", 1, 60)
    assert not cache.add("attempts", 1, 60)

    def count() -> None:
        for _ in range(50):
            cache.incr("attempts")

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("attempts") == 201
    assert cache.decr("attempts") == 200
    client = cache._cache.get_client()
    assert client is cache._cache.get_client(write=True)
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_counters_change_and_read_atomically_in_one_round_trip_and_always_expire():
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    cache.set("by_address", 3, 60)  # written through Django's API
    client = cache._cache.get_client(write=True)
    client.script_flush()  # as after a restart of Redis: the script is loaded again when missing
    assert cache.read_and_count("by_address", "on_account", 1, 60) == (3, 1)
    commands = []
    execute = client.execute_command

    def counted(*args, **kwargs):
        commands.append(args[0])
        return execute(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(client, "execute_command", counted)
        assert cache.read_and_count(None, "on_account", 1, 60) == (0, 2)
        assert cache.read_and_count("missing", "on_account", -2, 60) == (0, 0)
    assert commands == ["EVALSHA", "EVALSHA"]
    assert cache.get("on_account") == 0
    assert 0 < client.ttl(cache.make_and_validate_key("on_account")) <= 60
    # A counter given back after it expired is made again, to expire in turn: never a key for good.
    client.delete(cache.make_and_validate_key("on_account"))
    assert cache.read_and_count(None, "on_account", -1, 60) == (0, -1)
    assert 0 < client.ttl(cache.make_and_validate_key("on_account")) <= 60
