"""Clients whose connections are reset (TCP RST, no close frame) right after a request, over real
TCP against a real server process (daphne on uvloop): every connection ends on the server, and a
user with no connection left goes offline. (uvloop closed such a socket's poll handle without
telling Twisted, and the connection never ended.)"""

import asyncio
import json
import socket
import struct

import pytest
import websockets

from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

CONNECTIONS = 50


async def _sign_in_and_reset(port: int, token: str, n: int) -> None:
    client = await websockets.connect(f"ws://127.0.0.1:{port}/")
    await client.send(json.dumps({"request": {"connect": {"token": token, "device_id": f"d{n}"}, "id": "c"}}))
    await asyncio.sleep((n % 10) * 0.003)  # some before the answer, some while it is written
    client.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.transport.abort()


async def _last_activity(watcher: websockets.ClientConnection, user_id: int) -> object:
    await watcher.send(json.dumps({"request": {"user_last_activity": {"ids": [str(user_id)]}, "id": "a"}}))
    while True:
        frame = json.loads(await asyncio.wait_for(watcher.recv(), 5))
        if frame.get("response", {}).get("id") == "a":
            return frame["response"]["last_activity"][str(user_id)]


async def test_a_user_whose_connections_were_all_reset_goes_offline():
    observer, users = await db(make_user)(), [await db(make_user)() for _ in range(2)]
    with daphne_servers(1) as (port,):
        watcher = await websockets.connect(f"ws://127.0.0.1:{port}/")
        await watcher.send(
            json.dumps({"request": {"connect": {"token": await db(access_token_for)(observer)}, "id": "w"}})
        )
        assert json.loads(await asyncio.wait_for(watcher.recv(), 5))["response"]["success"] is True
        for user in users:
            token = await db(access_token_for)(user)
            await asyncio.gather(*(_sign_in_and_reset(port, token, n) for n in range(CONNECTIONS)))
        for user in users:
            for _ in range(100):  # each connection ends, the last one taking the user offline
                if await _last_activity(watcher, user.pk) != "online":
                    break
                await asyncio.sleep(0.1)
            assert isinstance(await _last_activity(watcher, user.pk), int)
        await watcher.close()
