"""The Redis cache (config/redis_cache.py): Django's cache API, one redis-py client per pool, and the
login counters on a connection of each thread's own."""

import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor

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
    _, connection = cache._threads.connection
    commands = []
    send = connection.send_command

    def counted(*args, **kwargs):
        commands.append(args[0])
        return send(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "send_command", counted)
        assert cache.read_and_count(None, "on_account", 1, 60) == (0, 2)
        assert cache.read_and_count("missing", "on_account", -2, 60) == (0, 0)
        assert (cache.read("by_address"), cache.read("missing")) == (3, 0)
    assert commands == ["EVALSHA", "EVALSHA", "GET", "GET"]
    assert cache.get("on_account") == 0
    assert 0 < client.ttl(cache.make_and_validate_key("on_account")) <= 60
    # A counter given back after it expired is made again, to expire in turn: never a key for good.
    client.delete(cache.make_and_validate_key("on_account"))
    assert cache.read_and_count(None, "on_account", -1, 60) == (0, -1)
    assert 0 < client.ttl(cache.make_and_validate_key("on_account")) <= 60


def test_each_thread_counts_on_a_connection_of_its_own_made_again_when_broken():
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    cache.set("seen", 2, 60)

    def read_on_a_thread() -> tuple[object, int]:
        seen = cache.read("seen")
        return cache._threads.connection[1], seen

    assert cache.read("seen") == 2
    mine = cache._threads.connection[1]
    with ThreadPoolExecutor(1) as pool:
        theirs, seen = pool.submit(read_on_a_thread).result()
    assert theirs is not mine and seen == 2
    # Redis closes this thread's connection (a restart, an idle timeout): the next call still counts.
    mine.send_command("CLIENT", "ID")
    cache._cache.get_client(write=True).client_kill_filter(_id=mine.read_response())
    assert cache.read_and_count("seen", "tries", 1, 60) == (2, 1)
    assert cache.read("tries") == 1


def test_a_forked_child_counts_on_a_connection_of_its_own():
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    cache.set("forked", 5, 60)
    assert cache.read("forked") == 5  # the parent's connection is made
    parent = cache._threads.connection

    def child(answers: multiprocessing.Queue) -> None:
        seen = cache.read("forked")
        made_in, connection = cache._threads.connection
        answers.put((seen, made_in == os.getpid(), connection is not parent[1]))

    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    process = context.Process(target=child, args=(answers,))
    process.start()
    assert answers.get(timeout=10) == (5, True, True)
    process.join(timeout=10)
    assert cache._threads.connection is parent and cache.read("forked") == 5
