"""The presence lease's sweep (realtime/presence_lease.py) against Redis: it removes only the
entries of holders whose lease expired, and each user who goes offline is answered once; a holder's
tasks run in no connection's log context."""

import asyncio
import secrets

import pytest

from accounts.models import User
from config import logs
from realtime import presence, presence_lease
from realtime.presence_lease import held_key, holders_key, lease_key, record, sweep, sweep_holder
from tests.helpers import db, make_user

# Presence lives in Redis only with REDIS_URL: like the multi-process tests, this runs on Redis.
pytestmark = pytest.mark.multiprocess


@pytest.fixture(autouse=True)
def _own_prefix(settings):
    settings.CHANNEL_LAYER_PREFIX = f"lease{secrets.token_hex(4)}"


async def _hold(holder: str, entries: list[tuple[int, str]], *, alive: bool) -> None:
    client = presence._client()
    async with client.pipeline(transaction=True) as pipe:
        pipe.sadd(holders_key(), holder)
        if alive:
            pipe.set(lease_key(holder), "1", ex=60)
        await pipe.execute()
    await record(client, holder, entries)


async def test_two_sweepers_at_once_answer_each_offline_user_once(monkeypatch):
    monkeypatch.setattr(presence_lease, "SWEEP_CHUNK", 3)  # several script runs per sweeper, interleaved
    dead = [(uid, f"conn.{uid}.{n}") for uid in range(1, 21) for n in range(2)]
    await _hold("dead", dead, alive=False)
    await _hold("alive", [(1, "conn.1.elsewhere"), (2, "conn.2.elsewhere")], alive=True)
    client = presence._client()
    first, second = await asyncio.gather(sweep_holder(client, "dead"), sweep_holder(client, "dead"))
    assert sorted(first + second) == list(range(3, 21))  # 1 and 2 are still connected elsewhere
    assert await presence.online_user_ids(list(range(1, 21))) == {1, 2}
    assert await client.smembers(holders_key()) == {b"alive"}
    assert await client.exists(held_key("dead")) == 0


async def test_a_holder_whose_lease_runs_is_left_alone():
    await _hold("alive", [(5, "conn.5")], alive=True)
    client = presence._client()
    assert await sweep_holder(client, "alive") == []
    assert await presence.online_user_ids([5]) == {5}
    await client.delete(lease_key("alive"))
    assert await sweep_holder(client, "alive") == [5]


async def test_a_connection_closed_after_the_sweep_took_it_does_not_go_offline_again():
    await _hold("dead", [(6, "conn.6")], alive=False)
    assert await sweep_holder(presence._client(), "dead") == [6]
    assert await presence.connection_closed(6, "conn.6") is False


@pytest.mark.django_db(transaction=True)
async def test_a_sweep_records_last_activity_of_the_users_it_takes_offline():
    alice = await db(make_user)()
    await _hold("dead", [(alice.pk, "conn.a")], alive=False)
    assert await sweep(presence._client()) == [alice.pk]
    assert await db(lambda: User.objects.get(pk=alice.pk).last_activity_at)() is not None
    assert await sweep(presence._client()) == []


@pytest.mark.django_db(transaction=True)  # the last connection's close records last activity
async def test_a_holder_whose_lease_lapsed_records_its_connections_again():
    assert await presence.connection_opened(7, "conn.7") is True
    holder = presence_lease.holder_of_this_loop(presence._client())
    client = presence._client()
    await client.delete(lease_key(holder.id))  # as if this loop had stalled longer than the lease
    assert await sweep_holder(client, holder.id) == [7]
    assert await presence.online_user_ids([7]) == set()
    await holder.renew()
    assert await presence.online_user_ids([7]) == {7}
    assert await presence.connection_closed(7, "conn.7") is True


class RecordingHolder(presence_lease.Holder):
    """A holder whose renewing task records the log fields it runs with."""

    bound: list[dict] = []

    async def _renewing(self) -> None:
        self.bound.append(logs.bound())


async def test_a_holders_tasks_run_in_none_of_its_connections_log_context():
    holder = RecordingHolder(presence._client())
    logs.bind(connection="first")  # the connection whose sign-in takes the lease
    await holder.ready()
    await asyncio.sleep(0.01)
    assert RecordingHolder.bound == [{}]
    for task in holder._tasks:  # its sweeper
        task.cancel()
