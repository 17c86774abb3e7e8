"""Every process's hub reads each event once and hands it to its connections at its addresses; a
closing connection leaves them, is freed at once, and makes no trip to a database thread; the hub's
tasks run in no connection's log context."""

import asyncio
import gc
import weakref

import pytest
from channels.layers import get_channel_layer

from config import logs
from realtime.hub import Hub, current_hub
from tests.helpers import db, make_user, sama_connected, settle

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_malformed_hub_message_is_skipped_and_delivery_goes_on():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid = await a.group_create(bob)
    assert "system_message" in await b.receive()  # the creation notice
    layer, hub = get_channel_layer(), current_hub()
    await layer.send(hub.channel, {"type": "domain.event", "kind": "no_such_kind", "data": {}, "to": []})
    typing = {"conversation_id": int(cid), "user_id": alice.pk}
    await layer.send(hub.channel, {"type": "domain.event", "kind": "typing", "data": typing})  # no "to"
    await a.send({"message": {"id": "m1", "body": "still here", "cid": cid}})
    assert "ack" in await a.receive()
    assert (await b.receive())["message"]["body"] == "still here"
    await a.close()
    await b.close()


async def test_a_batch_of_events_is_delivered_in_order_past_an_unreadable_one():
    alice, bob = await db(make_user)(), await db(make_user)()
    b = await sama_connected(bob)
    typing = {"conversation_id": 5, "user_id": alice.pk}
    batch = [
        {"kind": "typing", "data": {**typing, "conversation_id": 1}, "to": [f"user.{bob.pk}"]},
        {"kind": "no_such_kind", "data": {}, "to": [f"user.{bob.pk}"]},
        {"kind": "typing", "data": {**typing, "conversation_id": 2}, "to": [f"user.{alice.pk}"]},  # not bob's
        {"kind": "typing", "data": {**typing, "conversation_id": 3}, "to": [f"user.{bob.pk}"]},
    ]
    await get_channel_layer().send(current_hub().channel, {"type": "domain.event", "batch": batch})
    assert [(await b.receive())["typing"]["cid"] for _ in range(2)] == ["1", "3"]
    await b.nothing()
    await b.close()


async def test_a_closed_connection_leaves_its_addresses():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid = await a.group_create(bob)
    assert "system_message" in await b.receive()
    await b.close()
    b2 = await sama_connected(bob, "second-device")
    await a.send({"message": {"id": "m2", "body": "to the open one", "cid": cid}})
    assert "ack" in await a.receive()
    assert (await b2.receive())["message"]["body"] == "to the open one"
    await b2.nothing()
    await a.close()
    await b2.close()


async def test_a_closed_connection_is_freed_without_the_garbage_collector():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    (consumer,) = current_hub().members[f"user.{alice.pk}"]
    freed = weakref.ref(consumer)
    del consumer
    gc.disable()  # a cycle would keep the consumer until a collection
    try:
        await a.close()
        await settle()
        assert freed() is None
    finally:
        gc.enable()


async def test_a_closing_connection_makes_no_trip_to_a_database_thread(monkeypatch):
    trips = []

    async def close_old_connections() -> None:
        trips.append(1)

    monkeypatch.setattr("channels.generic.websocket.aclose_old_connections", close_old_connections)
    alice = await db(make_user)()
    a = await sama_connected(alice)
    await a.close()
    await settle()
    assert f"user.{alice.pk}" not in current_hub().members
    assert trips == []


class RecordingHub(Hub):
    """A hub whose renewing task records the log fields it runs with."""

    bound: list[dict] = []

    async def _rejoin(self) -> None:
        self.bound.append(logs.bound())


async def test_a_hubs_tasks_run_in_none_of_its_connections_log_context():
    hub = RecordingHub(get_channel_layer())
    logs.bind(connection="first")  # the connection that came first
    await hub.ready()
    await asyncio.sleep(0.01)
    assert RecordingHub.bound == [{}]
    hub.close()
