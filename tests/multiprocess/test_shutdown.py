"""A server process sent SIGTERM stops gracefully (config/shutdown.py): it stops listening, closes
its WebSockets with 1001, runs their disconnects (its users go offline on the other processes at
once, not when its presence lease runs out) and exits. Killed, it closed nothing: its clients saw
no close frame, and its users stayed online for the lease (tests/multiprocess/test_crashed_server.py)."""

import asyncio
import json
import signal
import socket
import time

import pytest
import websockets

from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_processes, sama_over_tcp, sama_request

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def test_a_stopped_server_closes_its_websockets_with_1001_and_its_users_go_offline_at_once():
    alice, bob = await db(make_user)(), await db(make_user)()
    alice_token, bob_token = await db(access_token_for)(alice, "a"), await db(access_token_for)(bob, "b")
    with daphne_processes(2, env={"PRESENCE_LEASE_SECONDS": "30"}) as [(port_a, server_a), (port_b, _)]:
        leaving = await sama_over_tcp(port_a, alice_token, "a")
        watcher = await sama_over_tcp(port_b, bob_token, "b")
        answer = await sama_request(watcher, "user_last_activity_subscribe", {"id": str(alice.pk)})
        assert answer["last_activity"] == {str(alice.pk): "online"}

        stopped_at = time.time()
        server_a.send_signal(signal.SIGTERM)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(leaving.recv(), 5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "server shutting down")

        frame = json.loads(await asyncio.wait_for(watcher.recv(), 5))  # well within the 30 s lease
        assert frame == {"last_activity": {str(alice.pk): frame["last_activity"][str(alice.pk)]}}
        assert stopped_at - 1 <= frame["last_activity"][str(alice.pk)] <= time.time()

        assert await asyncio.to_thread(server_a.wait, 10) == 0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port_a), timeout=2)
        assert (await sama_request(watcher, "user_last_activity", {"ids": [str(alice.pk)]}))["last_activity"][
            str(alice.pk)
        ] == frame["last_activity"][str(alice.pk)]
        await watcher.close()
