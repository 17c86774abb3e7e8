"""Where connections run their (synchronous) ORM work: a pool of database threads.

Channels' default runs every database call of a process on one shared thread, so each commit's
disk flush stalls all the process's connections behind it. With PostgreSQL a small pool lets
several transactions wait on the disk at once (and PostgreSQL commits them together); SQLite
keeps the single thread, since it writes one transaction at a time anyway. With PostgreSQL's
connection pool each thread keeps the connection it borrowed for a few seconds of units of work
(HOLD_SECONDS)."""

import asyncio
import contextvars
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

# Without the PostgreSQL connection pool (config/settings.py), a thread keeps its connection and
# Django checks it (a `SELECT 1` round trip) before each unit of work. A thread doing hundreds of
# sends a second checks its connection at most this often; a connection that broke in between
# fails one call, and is then closed and replaced (errors_occurred).
HEALTH_CHECK_SECONDS = 5.0
# With the pool, a database thread keeps the connection it borrowed for its units of work during
# this long, then gives it back at the next check before or after a unit (Django's close_at).
# Borrowing and returning it around every unit of work (Django sets a connection up at each loan)
# was 8 % of the database threads' time at Hooligram 10,000 users. A connection that broke fails
# one call, and is then given back and discarded (errors_occurred). An idle thread keeps its
# connection until its next unit of work.
HOLD_SECONDS = 5.0

_executor: ThreadPoolExecutor | None = None
_checked = threading.local()
_database_thread = threading.local()


def _pool() -> ThreadPoolExecutor | None:
    global _executor
    threads = settings.DATABASE_THREADS
    if threads <= 1:
        return None
    if _executor is None:
        holds = threads < settings.DATABASE_POOL_MAX
        if holds:
            connection_created.connect(_hold_pooled_connection, dispatch_uid="realtime.db.hold")
        _executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="db", initializer=_mark_database_thread, initargs=(holds,)
        )
    return _executor


def _mark_database_thread(holds: bool) -> None:
    _database_thread.holds = holds


def _hold_pooled_connection(sender: type, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On a database thread, keep a connection borrowed from the pool for HOLD_SECONDS (only
    while the pool has more connections than there are database threads, so HTTP requests
    still find one)."""
    if getattr(_database_thread, "holds", False) and connection.settings_dict["OPTIONS"].get("pool"):
        connection.close_at = time.monotonic() + HOLD_SECONDS


def _close_old_connections() -> None:
    """Django's `close_old_connections`, with the health check at most every HEALTH_CHECK_SECONDS."""
    now = time.monotonic()
    checked_at = getattr(_checked, "at", 0.0)
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
        if now - checked_at < HEALTH_CHECK_SECONDS:
            # Django sets it in __init__ (4.1+); django-stubs does not declare it.
            connection.health_check_done = True  # type: ignore[attr-defined]
    if now - checked_at >= HEALTH_CHECK_SECONDS:
        _checked.at = now


def _run_here(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        _close_old_connections()


async def run_in_db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous function that uses the ORM off the event loop, on a database thread
    (with the caller's context variables, such as the events outbox)."""
    executor = _pool()
    if executor is None:
        return await database_sync_to_async(function)(*args, **kwargs)
    call = functools.partial(contextvars.copy_context().run, _run_here, function, args, kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


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
