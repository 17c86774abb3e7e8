"""A database thread keeps the connection it borrowed from PostgreSQL's pool for a few seconds of
units of work, rather than borrowing and returning it around each one; a connection that broke
fails one unit and is then replaced, the pool's idle connections are tested then, and the other
threads test theirs before their next unit; a thread idle for a while tests its connection before
using it, so that one broken by a PostgreSQL restart fails nothing. A unit runs
on a database thread with its caller's context variables and answers its result or its error; one
whose caller was cancelled while it was queued does not run."""

import asyncio
import contextvars
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection, connections

from realtime import db

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

UNITS = 40


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


async def _loans_for(units: int) -> int:
    """How many connections the pool lent while the database threads ran `units` units of work."""
    pool = connections["default"].pool
    before = pool.get_stats()["requests_num"]
    for _ in range(units):
        await db.run_in_db(_backend_pid)
    return pool.get_stats()["requests_num"] - before


@pytest.fixture
async def pooled(monkeypatch):
    """Fresh database threads, whose connections are held for a minute (longer than the test).
    Afterwards the threads give them back and the pool tests its idle connections: one this test
    broke and no thread used since still looks sound to the pool (no I/O told it otherwise), and
    would fail whichever later test borrowed it."""
    pool = getattr(connections["default"], "pool", None)
    if pool is None:
        pytest.skip("needs the PostgreSQL connection pool")
    await asyncio.to_thread(db.close_pool)
    monkeypatch.setattr(db, "HOLD_SECONDS", 60.0)
    yield
    await asyncio.to_thread(db.close_pool)
    await asyncio.to_thread(pool.check)


async def test_a_database_thread_keeps_its_pooled_connection_between_units_of_work(pooled, settings, monkeypatch):
    assert settings.DATABASE_POOL_MAX > settings.DATABASE_THREADS > 1
    assert await _loans_for(UNITS) <= settings.DATABASE_THREADS

    monkeypatch.setattr(db, "HOLD_SECONDS", 0.0)  # a connection lent from now on goes back after one unit
    await asyncio.to_thread(db.close_pool)  # the threads give back what they hold and stop
    assert await _loans_for(UNITS) == UNITS


async def test_held_connections_that_broke_fail_one_unit_and_are_replaced(pooled, monkeypatch):
    monkeypatch.setattr(db, "HEALTH_CHECK_SECONDS", 60.0)  # no test falls due meanwhile
    held = {await db.run_in_db(_backend_pid) for _ in range(UNITS)}
    assert len(held) > 1  # several threads hold one
    await sync_to_async(_terminate)(held)
    failures, pids = 0, set()
    for _ in range(UNITS):
        try:
            pids.add(await db.run_in_db(_backend_pid_after_a_query))
        except OperationalError:
            failures += 1
    assert failures == 1  # the other threads tested theirs after it
    assert pids and not pids & held


async def test_threads_idle_while_postgresql_restarted_replace_their_connections_before_using_them(pooled, monkeypatch):
    monkeypatch.setattr(db, "HEALTH_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(db, "_swept_at", -db.SWEEP_SECONDS)
    pool = connections["default"].pool
    held = {await db.run_in_db(_backend_pid) for _ in range(UNITS)}
    await asyncio.to_thread(_lend_and_take_back, pool, 3)
    idle = await asyncio.to_thread(_idle_pids, pool)
    broken = await sync_to_async(_terminate)(held | idle)  # every connection, as a restart leaves them
    assert held <= broken and len(idle - broken) <= 1
    await asyncio.sleep(0.3)
    pids = {await db.run_in_db(_backend_pid_after_a_query) for _ in range(UNITS)}  # none fails
    assert pids and not pids & broken


async def test_a_unit_that_failed_on_the_database_has_the_pools_idle_connections_tested(pooled, monkeypatch):
    """As after a PostgreSQL restart: every connection broken, those idle in the pool too."""
    monkeypatch.setattr(db, "_swept_at", -db.SWEEP_SECONDS)
    pool = connections["default"].pool
    held = {await db.run_in_db(_backend_pid) for _ in range(UNITS)}
    await asyncio.to_thread(_lend_and_take_back, pool, 3)
    idle = await asyncio.to_thread(_idle_pids, pool)
    assert len(idle) >= 3 and not idle & held
    await sync_to_async(_terminate)(held | idle)
    for _ in range(UNITS):
        try:
            await db.run_in_db(_backend_pid_after_a_query)
        except OperationalError:
            break
    else:
        raise AssertionError("no unit met a broken connection")
    assert await asyncio.to_thread(_idle_pids, pool, broken_only=True) == set()


def _lend_and_take_back(pool, count: int) -> None:
    """Leave at least `count` connections idle in the pool."""
    borrowed = [pool.getconn() for _ in range(count)]
    for conn in borrowed:
        pool.putconn(conn)


def _idle_pids(pool, *, broken_only: bool = False) -> set[int]:
    """The backends of the connections idle in the pool (those that fail a query, with `broken_only`)."""
    borrowed, pids = [], set()
    while pool.get_stats()["pool_available"]:
        borrowed.append(pool.getconn())
    for conn in borrowed:
        try:
            conn.execute("SELECT 1")
            if not broken_only:
                pids.add(conn.info.backend_pid)
        except Exception:
            pids.add(conn.info.backend_pid)
        pool.putconn(conn)
    return pids


def _terminate(pids: set[int]) -> set[int]:
    """End these backends but the one this runs on (borrowed from the pool, maybe among them);
    answers those ended."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid WHERE pid <> pg_backend_pid()",
                [sorted(pids)],
            )
            return {pid for pid, ended in cursor.fetchall() if ended}
    finally:
        connection.close()  # this thread is not a database thread: it gives its connection back


def _backend_pid_after_a_query() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


MARKER: contextvars.ContextVar[str] = contextvars.ContextVar("marker")


def _where_and_marker() -> tuple[str, str]:
    return threading.current_thread().name, MARKER.get()


def _fail(error: BaseException) -> None:
    raise error


async def test_a_unit_runs_on_a_database_thread_with_its_callers_context_and_answers_its_error():
    MARKER.set("the caller's")
    name, marker = await db.run_in_db(_where_and_marker)
    assert name.startswith("db_") and marker == "the caller's"
    with pytest.raises(ValueError, match="refused"):
        await db.run_in_db(_fail, ValueError("refused"))
    with pytest.raises(RuntimeError, match="StopIteration"):  # a future cannot hold StopIteration
        await db.run_in_db(_fail, StopIteration())
    assert await db.run_in_db(sum, [1, 2, 3]) == 6  # the threads go on


async def test_a_unit_whose_caller_was_cancelled_while_it_was_queued_does_not_run(settings):
    release, started, ran = threading.Event(), threading.Semaphore(0), []

    def hold_a_thread() -> None:
        started.release()
        release.wait(10)

    holding = [asyncio.ensure_future(db.run_in_db(hold_a_thread)) for _ in range(settings.DATABASE_THREADS)]
    for _ in holding:  # every thread is busy
        assert await asyncio.to_thread(started.acquire, timeout=10)
    queued = asyncio.ensure_future(db.run_in_db(ran.append, "ran"))
    await asyncio.sleep(0)
    queued.cancel()
    release.set()
    await asyncio.gather(*holding)
    # Units run in the order they were queued: once these have, the cancelled one was taken.
    await asyncio.gather(*(db.run_in_db(ran.append, "after") for _ in range(settings.DATABASE_THREADS)))
    assert ran == ["after"] * settings.DATABASE_THREADS
    assert queued.cancelled()
