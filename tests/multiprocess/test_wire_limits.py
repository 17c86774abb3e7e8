"""Frame sizes and unencodable text over real TCP, against a real server process (daphne): a
frame over WEBSOCKET_FRAME_MAX_BYTES gets the protocol's error, one over the transport limit a
clean close with code 1009, never a dropped connection."""

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async

from tests.helpers import access_token_for, make_group, make_user
from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

FRAME_MAX = 1000  # so the transport limit, 16 times that, is 16,000 bytes
LIMITS = {"WEBSOCKET_FRAME_MAX_BYTES": str(FRAME_MAX)}

# Each protocol's path, a frame of its padded with `size` characters, and its answer to a frame too large.
PROTOCOLS = {
    "sama": (
        "/",
        lambda size: json.dumps({"request": {"user_search": {"keyword": "x" * size}, "id": "r"}}),
        {"response": {"id": None, "error": {"status": 413, "message": "Frame is too large"}}},
    ),
    "hooligram": (
        "/v2",
        lambda size: json.dumps({"id": "a", "type": "CONN_KEEP_ALIVE_REQUEST", "payload": {"x": "x" * size}}),
        {"id": None, "payload": {"errors": ["frame is too large"]}, "type": "ACTION_FAILURE"},
    ),
    "nkchat": (
        "/nkchat",
        lambda size: json.dumps({"class": "core", "subclass": "user", "cmd": "login", "data": {"user": "x" * size}}),
        {"result": "error", "data": {"error": "Frame is too large", "code": 413}, "tid": None},
    ),
}


async def _receive(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), 5))


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_frame_sizes_get_an_error_answer_then_a_clean_1009_close(protocol):
    path, frame, too_large = PROTOCOLS[protocol]
    with daphne_servers(1, env=LIMITS) as (port,):
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as socket:
            await socket.send(frame(2 * FRAME_MAX))
            assert await _receive(socket) == too_large
            await socket.send(frame(20 * FRAME_MAX))
            with pytest.raises(websockets.ConnectionClosedError) as closed:
                await asyncio.wait_for(socket.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_the_rest_socket_ignores_large_frames_and_keeps_delivering():
    alice, bob = await database_sync_to_async(make_user)(), await database_sync_to_async(make_user)()
    bob_token = await database_sync_to_async(access_token_for)(bob, "ws")
    alice_token = await database_sync_to_async(access_token_for)(alice, "sama")
    conversation = await database_sync_to_async(make_group)(alice, bob, name="g")
    with daphne_servers(1, env=LIMITS) as (port,):
        rest = await websockets.connect(f"ws://127.0.0.1:{port}/ws?token={bob_token}")
        for text in ("hello", "[1]", "x" * (8 * FRAME_MAX)):
            await rest.send(text)
        sama = await websockets.connect(f"ws://127.0.0.1:{port}/")
        await sama.send(json.dumps({"request": {"connect": {"token": alice_token, "device_id": "sama"}, "id": "c"}}))
        assert await _receive(sama) == {"response": {"id": "c", "success": True}}
        await sama.send(json.dumps({"message": {"id": "m", "cid": str(conversation.pk), "body": "still here?"}}))
        frame = await _receive(rest)  # nothing answered the client's frames: the first is the message
        assert frame["event"] == "message" and frame["payload"]["text"] == "still here?"
        await rest.close()
        await sama.close()


async def test_an_unpaired_surrogate_is_echoed_escaped_over_tcp():
    with daphne_servers(1) as (port,):
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as socket:
            await socket.send('{"request": {"user_search": {}, "id": "\\ud800"}}')
            raw = await asyncio.wait_for(socket.recv(), 5)
            assert raw.isascii() and json.loads(raw)["response"]["id"] == "\ud800"
            await socket.send(json.dumps({"request": {"user_search": {}, "id": "next"}}))
            assert (await _receive(socket))["response"]["id"] == "next"  # 401 before sign-in, but answered
