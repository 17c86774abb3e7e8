"""A real session moves the metrics of its protocol: connections open, messages sent, frames
delivered, each batch's size, and the time from a send's arrival to its commit and its delivery.
The registry is the test process's, so each test reads `/metrics` before and after."""

import pytest

from messaging.models import Message
from tests.helpers import db, make_user, sama_connected
from tests.metrics_samples import moved, samples, value

pytestmark = pytest.mark.django_db(transaction=True)


async def _scrape(async_client) -> dict:
    response = await async_client.get("/metrics")
    assert response.status_code == 200
    return samples(response.content.decode())


async def test_a_sama_message_moves_its_protocols_counters_and_the_send_histograms(async_client):
    alice, bob = await db(make_user)(), await db(make_user)()
    opened = await _scrape(async_client)
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()  # the group's creation notice
    before = await _scrape(async_client)
    assert moved(opened, before, "chat_websocket_connections", protocol="sama") == 2

    await a.send({"message": {"id": "m1", "body": "hello", "cid": cid}})
    assert "ack" in await a.receive()
    assert (await b.receive())["message"]["body"] == "hello"
    after = await _scrape(async_client)

    assert moved(before, after, "chat_messages_sent_total", protocol="sama") == 1
    assert moved(before, after, "chat_deliveries_total", protocol="sama") == 1  # bob's frame; alice has her ack
    assert moved(before, after, "chat_messages_sent_total", protocol="hooligram") == 0
    assert moved(before, after, "chat_batch_size_count", batch="send") == 1
    assert moved(before, after, "chat_batch_size_sum", batch="send") == 1
    assert moved(before, after, "chat_send_commit_seconds_count") == 1
    assert moved(before, after, "chat_send_delivery_seconds_count") == 1  # once per event and process
    committed = moved(before, after, "chat_send_commit_seconds_sum")
    assert 0 < committed <= moved(before, after, "chat_send_delivery_seconds_sum")  # delivered after commit

    await a.close()
    await b.close()
    closed = await _scrape(async_client)
    assert value(closed, "chat_websocket_connections", protocol="sama") == value(
        opened, "chat_websocket_connections", protocol="sama"
    )


async def test_a_resent_message_is_not_counted_again(async_client):
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    cid = await a.group_create(bob)
    await a.send({"message": {"id": "same", "body": "once", "cid": cid}})
    first = (await a.receive())["ack"]["server_mid"]
    before = await _scrape(async_client)
    await a.send({"message": {"id": "same", "body": "once", "cid": cid}})  # its ack was lost, say
    assert (await a.receive())["ack"]["server_mid"] == first
    after = await _scrape(async_client)
    assert moved(before, after, "chat_messages_sent_total", protocol="sama") == 0
    assert moved(before, after, "chat_send_commit_seconds_count") == 0
    assert await db(Message.objects.filter(client_id="same").count)() == 1
    await a.close()
