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
