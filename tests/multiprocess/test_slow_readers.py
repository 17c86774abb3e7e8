"""Clients that read or send faster than the server can keep up, over real TCP against a real
server process (daphne): one that stops reading is dropped once it has left more than
WEBSOCKET_SEND_BUFFER_MAX_BYTES unread, and one that sends faster than its messages are handled
is read no faster than that; either way the server's memory stays bounded."""

import asyncio
import json
import socket

import psutil
import pytest
import websockets

from tests.helpers import access_token_for, db, make_group, make_user
from tests.servers import daphne_processes, daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

LIMIT = 300_000  # the least the setting allows: WEBSOCKET_FRAME_MAX_BYTES
MESSAGES = 500  # of 9,000 characters: 4.5 MB, far above what the kernel holds for a small window
BODY = "x" * 9000


async def _signed_in(port: int, token: str) -> websockets.ClientConnection:
    socket_ = await websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None)
    await socket_.send(json.dumps({"request": {"connect": {"token": token, "device_id": "d"}, "id": "c"}}))
    assert json.loads(await asyncio.wait_for(socket_.recv(), 5))["response"]["success"] is True
    return socket_


async def test_a_client_that_stops_reading_is_dropped_and_the_sender_goes_on():
    alice, bob = await db(make_user)(), await db(make_user)()
    conversation = await db(make_group)(alice, bob)
    alice_token, bob_token = await db(access_token_for)(alice), await db(access_token_for)(bob)
    with daphne_servers(1, env={"WEBSOCKET_SEND_BUFFER_MAX_BYTES": str(LIMIT)}) as (port,):
        sender, reader = await _signed_in(port, alice_token), await _signed_in(port, bob_token)
        reader.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.transport.pause_reading()  # the client stops reading
        for n in range(MESSAGES):
            await sender.send(json.dumps({"message": {"id": f"m{n}", "cid": str(conversation.pk), "body": BODY}}))
        acks = 0
        while acks < MESSAGES:  # every message is stored and answered
            acks += "ack" in json.loads(await asyncio.wait_for(sender.recv(), 10))
        reader.transport.resume_reading()
        received = 0
        with pytest.raises(websockets.ConnectionClosedError) as dropped:
            while True:
                received += "message" in json.loads(await asyncio.wait_for(reader.recv(), 10))
        assert dropped.value.rcvd is None  # dropped: no close frame could have reached it
        assert received < MESSAGES
        await sender.send(json.dumps({"request": {"conversation_list": {}, "id": "l"}}))
        assert json.loads(await asyncio.wait_for(sender.recv(), 5))["response"]["id"] == "l"
        await sender.close()


FLOOD = 4000  # messages of 9,000 characters: 36 MB, sent without waiting for an answer


async def test_a_client_sending_faster_than_its_messages_are_handled_is_read_no_faster():
    alice, bob = await db(make_user)(), await db(make_user)()
    conversation = await db(make_group)(alice, bob)
    with daphne_processes(1) as [(port, process)]:
        sender = await _signed_in(port, await db(access_token_for)(alice))
        server = psutil.Process(process.pid)
        before = server.memory_info().rss
        frames = (
            json.dumps({"message": {"id": f"m{n}", "cid": str(conversation.pk), "body": BODY}}) for n in range(FLOOD)
        )
        sending = asyncio.gather(*(sender.send(frame) for frame in frames))
        acks = 0
        while acks < FLOOD:  # every message is handled and answered, in time
            acks += "ack" in json.loads(await asyncio.wait_for(sender.recv(), 10))
            if acks == FLOOD // 2:
                grown = server.memory_info().rss - before
        await sending
        assert grown < 20_000_000  # the server holds at most WEBSOCKET_QUEUED_MESSAGES_MAX of them
        await sender.close()
