"""A database thread keeps the connection it borrowed from PostgreSQL's pool for a few seconds of
units of work, rather than borrowing and returning it around each one; a connection that broke
fails one unit and is then replaced."""

import asyncio

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
    """Fresh database threads, whose connections are held for a minute (longer than the test)."""
    if getattr(connections["default"], "pool", None) is None:
        pytest.skip("needs the PostgreSQL connection pool")
    await asyncio.to_thread(db.close_pool)
    monkeypatch.setattr(db, "HOLD_SECONDS", 60.0)


async def test_a_database_thread_keeps_its_pooled_connection_between_units_of_work(pooled, settings, monkeypatch):
    assert settings.DATABASE_POOL_MAX > settings.DATABASE_THREADS > 1
    assert await _loans_for(UNITS) <= settings.DATABASE_THREADS

    monkeypatch.setattr(db, "HOLD_SECONDS", 0.0)  # a connection lent from now on goes back after one unit
    await asyncio.to_thread(db.close_pool)  # the threads give back what they hold and stop
    assert await _loans_for(UNITS) == UNITS


async def test_a_held_connection_that_broke_fails_one_unit_and_is_replaced(pooled):
    held = {await db.run_in_db(_backend_pid) for _ in range(UNITS)}
    await sync_to_async(_terminate)(held)
    failures, pids = 0, set()
    for _ in range(UNITS):
        try:
            pids.add(await db.run_in_db(_backend_pid_after_a_query))
        except OperationalError:
            failures += 1
    assert 1 <= failures <= len(held)
    assert pids and not pids & held


def _terminate(pids: set[int]) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [sorted(pids)])
    finally:
        connection.close()  # this thread is not a database thread: it gives its connection back


def _backend_pid_after_a_query() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
