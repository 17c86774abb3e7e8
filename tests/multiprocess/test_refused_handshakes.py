"""Over TCP against a server process: a WebSocket handshake the server refuses reaches the client
as a close code it can read (4401 for a missing or bad token), not as an HTTP 403, which a
browser's WebSocket reports only as a failed connection (1006)."""

import asyncio

import pytest
import websockets

from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def test_a_refused_handshake_is_closed_with_its_code():
    with daphne_servers(1) as (port,):
        for path in ("/ws", "/ws?token=garbage"):
            socket = await websockets.connect(f"ws://127.0.0.1:{port}{path}")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 5)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "not authenticated")
