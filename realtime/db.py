"""Where connections run their (synchronous) ORM work: a pool of database threads.

Channels' default runs every database call of a process on one shared thread, so each commit's
disk flush stalls all the process's connections behind it. With PostgreSQL a small pool lets
several transactions wait on the disk at once (and PostgreSQL commits them together); SQLite
keeps the single thread, since it writes one transaction at a time anyway."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor | None:
    global _executor
    threads = settings.DATABASE_THREADS
    if threads <= 1:
        return None
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db")
    return _executor


async def run_in_db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous function that uses the ORM off the event loop, on a database thread."""
    executor = _pool()
    if executor is None:
        return await database_sync_to_async(function)(*args, **kwargs)
    return await database_sync_to_async(function, thread_sensitive=False, executor=executor)(*args, **kwargs)


def close_pool() -> None:
    """Close every database thread's connections and stop the pool (tests, shutdown)."""
    global _executor
    executor, _executor = _executor, None
    if executor is None:
        return
    workers = executor._max_workers
    barrier = threading.Barrier(workers)

    def close_here() -> None:
        barrier.wait(timeout=10)  # one task per thread, so every thread closes its own
        connections.close_all()

    for future in [executor.submit(close_here) for _ in range(workers)]:
        future.result()
    executor.shutdown(wait=True)
