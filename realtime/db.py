"""Where connections run their (synchronous) ORM work: a pool of database threads.

Channels' default runs every database call of a process on one shared thread, so each commit's
disk flush stalls all the process's connections behind it. With PostgreSQL a small pool lets
several transactions wait on the disk at once (and PostgreSQL commits them together); SQLite
keeps the single thread, since it writes one transaction at a time anyway. With PostgreSQL's
connection pool each thread keeps the connection it borrowed for a few seconds of units of work
(HOLD_SECONDS).

The threads take units of work from one queue, in order, and each unit's answer goes straight to
its event loop (`call_soon_threadsafe`). A `ThreadPoolExecutor` made a `concurrent.futures.Future`
with its `threading.Condition` for every unit and chained it to an asyncio future: 22-30 µs of
CPU a unit against 8-9 (two in a Hooligram sign-in, one in a SAMA sign-in or a send)."""

import asyncio
import contextlib
import contextvars
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

# A database thread tests the connection it keeps (a `SELECT 1` round trip) before a unit of work
# at most this often, and before its next unit whenever a unit on any thread failed on the
# database since its last test: a thread doing hundreds of sends a second tests its connection
# every few seconds, one that stayed idle while PostgreSQL restarted replaces its broken
# connection before its first unit, and once one unit met a restart the other threads replace
# theirs before meeting it too. A connection that broke in between fails one unit, and is then
# closed and replaced (errors_occurred).
HEALTH_CHECK_SECONDS = 5.0
# With the pool, a database thread keeps the connection it borrowed for its units of work during
# this long, then gives it back at the next check before or after a unit (Django's close_at).
# Borrowing and returning it around every unit of work (Django sets a connection up at each loan)
# was 8 % of the database threads' time at Hooligram 10,000 users. A connection that broke fails
# one call, and is then given back and discarded (errors_occurred). An idle thread keeps its
# connection until its next unit of work.
HOLD_SECONDS = 5.0
# After a unit of work failed on the database, the pool's idle connections are tested, at most this
# often (`_sweep_broken_connections`).
SWEEP_SECONDS = 5.0
_swept_at = -SWEEP_SECONDS
# When a unit last failed on the database (time.monotonic), on any thread.
_failed_at = -HEALTH_CHECK_SECONDS

logger = logging.getLogger("realtime")

_checked = threading.local()
_database_thread = threading.local()


class DatabaseThreads:
    """`count` threads running units of work from one queue, in the order they were queued.

    Daemon threads: a process that exits does not wait for units still queued (the event loop their
    callers wait on has stopped), and PostgreSQL rolls back a transaction cut off in the middle."""

    def __init__(self, count: int, *, holds: bool) -> None:
        self.units: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._serve, args=(holds,), name=f"db_{n}", daemon=True) for n in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def _serve(self, holds: bool) -> None:
        _database_thread.holds = holds
        try:
            while (unit := self.units.get()) is not None:
                unit()
        finally:
            connections.close_all()  # this thread's own

    def stop(self) -> None:
        """Let every thread finish the units queued before, close its connections and end."""
        for _ in self.threads:
            self.units.put(None)  # a thread ends at the first it takes, so each takes one
        for thread in self.threads:
            thread.join()


_threads: DatabaseThreads | None = None


def _pool() -> DatabaseThreads | None:
    global _threads
    count = settings.DATABASE_THREADS
    if count <= 1:
        return None
    if _threads is None:
        holds = count < settings.DATABASE_POOL_MAX
        if holds:
            connection_created.connect(_hold_pooled_connection, dispatch_uid="realtime.db.hold")
        _threads = DatabaseThreads(count, holds=holds)
    return _threads


def _hold_pooled_connection(sender: type, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On a database thread, keep a connection borrowed from the pool for HOLD_SECONDS (only
    while the pool has more connections than there are database threads, so HTTP requests
    still find one)."""
    if getattr(_database_thread, "holds", False) and connection.settings_dict["OPTIONS"].get("pool"):
        connection.close_at = time.monotonic() + HOLD_SECONDS


def _close_old_connections(*, before_a_unit: bool) -> None:
    """Django's `close_old_connections`; before a unit, the thread's connection is tested when
    due (HEALTH_CHECK_SECONDS), and one found broken is given back and the pool's idle ones tested.
    Django's own check is left off: it would test at every unit with CONN_HEALTH_CHECKS."""
    now = time.monotonic()
    checked_at = getattr(_checked, "at", -HEALTH_CHECK_SECONDS)
    due = before_a_unit and (now - checked_at >= HEALTH_CHECK_SECONDS or checked_at < _failed_at)
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
        # Django sets it in __init__ (4.1+); django-stubs does not declare it.
        connection.health_check_done = True  # type: ignore[attr-defined]
        if due and connection.connection is not None and not connection.is_usable():
            connection.close()  # the pool discards a connection that failed
            _sweep_broken_connections()
    if due:
        _checked.at = now


def _run_here(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    global _failed_at
    _close_old_connections(before_a_unit=True)
    try:
        return function(*args, **kwargs)
    except OperationalError:
        _failed_at = time.monotonic()
        _sweep_broken_connections()
        raise
    finally:
        _close_old_connections(before_a_unit=False)


def _sweep_broken_connections() -> None:
    """After a unit failed on the database, test the pool's idle connections (at most every
    SWEEP_SECONDS): once PostgreSQL restarted, every idle one is broken, and each would otherwise
    fail the unit or request that borrowed it next, for minutes while the pool lent them in turn."""
    global _swept_at
    pool = getattr(connections["default"], "pool", None)
    now = time.monotonic()
    if pool is None or now - _swept_at < SWEEP_SECONDS:
        return
    _swept_at = now
    try:
        pool.check()
    except Exception as error:  # the database still away: the next failure tries again
        logger.warning("database pool check failed: %s: %s", type(error).__name__, error)


async def run_in_db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous function that uses the ORM off the event loop, on a database thread
    (with the caller's context variables, such as the events outbox). A unit whose caller was
    cancelled before a thread took it does not run."""
    threads = _pool()
    if threads is None:
        return await database_sync_to_async(function)(*args, **kwargs)
    loop = asyncio.get_running_loop()
    answer = loop.create_future()
    context = contextvars.copy_context()

    def unit() -> None:
        if answer.done():  # cancelled while queued
            return
        try:
            result = context.run(_run_here, function, args, kwargs)
        except BaseException as error:
            _answer(loop, answer, None, error)
        else:
            _answer(loop, answer, result, None)

    threads.units.put(unit)
    return await answer


def _answer(loop: asyncio.AbstractEventLoop, answer: asyncio.Future, result: Any, error: BaseException | None) -> None:
    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: no one waits
        loop.call_soon_threadsafe(_settle, answer, result, error)


def _settle(answer: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if answer.done():  # its caller was cancelled
        return
    if error is None:
        answer.set_result(result)
    elif isinstance(error, StopIteration):  # which a future refuses to hold
        answer.set_exception(RuntimeError(f"database work raised {error!r}"))
    else:
        answer.set_exception(error)


def close_pool() -> None:
    """Close every database thread's connections and stop the threads (tests, shutdown)."""
    global _threads
    threads, _threads = _threads, None
    if threads is not None:
        threads.stop()
