"""A server process sent SIGTERM stops gracefully (config/shutdown.py): it stops listening, closes
its WebSockets with 1001, runs their disconnects (its users go offline on the other processes at
once, not when its presence lease runs out), answers requests still made on kept-alive
connections, closing those connections, and exits. Killed, it closed nothing: its clients saw
no close frame, and its users stayed online for the lease (tests/multiprocess/test_crashed_server.py)."""

import asyncio
import http.client
import json
import signal
import socket
import time

import psycopg
import pytest
import websockets

from tests import servers
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
        stored = (await sama_request(watcher, "user_last_activity", {"ids": [str(alice.pk)]}))["last_activity"]
        assert abs(stored[str(alice.pk)] - frame["last_activity"][str(alice.pk)]) <= 1  # whole seconds each
        await watcher.close()


def _websocket_that_never_answers_a_close(port: int) -> socket.socket:
    """A raw WebSocket whose client reads nothing: the server waits for the answer to its close
    frame (WEBSOCKET_CLOSE_TIMEOUT_SECONDS), and drains meanwhile."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    raw.sendall(
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    assert raw.recv(4096).startswith(b"HTTP/1.1 101 ")
    return raw


def _until_refused(port: int) -> None:
    """Wait until the server stops listening, as it does when it begins to drain."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except (ConnectionRefusedError, ConnectionResetError):  # reset: it was queued as the listener closed
            return
        time.sleep(0.005)
    raise AssertionError("the server still listens 5 s after SIGTERM")


async def test_a_request_made_while_draining_is_answered_and_closes_its_kept_alive_connection():
    # The drain lasts while the server waits for the silent WebSocket to answer its close frame.
    with daphne_processes(1, env={"WEBSOCKET_CLOSE_TIMEOUT_SECONDS": "5"}) as [(port, server)]:
        silent = _websocket_that_never_answers_a_close(port)
        kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept_alive.request("GET", "/healthz")
        first = kept_alive.getresponse()
        first.read()
        assert first.status == 200 and first.getheader("connection") is None

        server.send_signal(signal.SIGTERM)
        await asyncio.to_thread(_until_refused, port)  # draining: it waits for the silent WebSocket
        kept_alive.request("GET", "/healthz")
        answer = kept_alive.getresponse()
        answer.read()
        assert (answer.status, answer.getheader("connection")) == (200, "close")
        assert await asyncio.to_thread(server.wait, 10) == 0
        silent.close()


async def test_a_frame_under_way_when_the_server_stops_is_answered_before_the_close():
    """The consumer closes its connection once the frames it read are answered (a frame's answer
    would be dropped after the close frame, and its client left not knowing whether it was done)."""
    alice = await db(make_user)()
    token = await db(access_token_for)(alice, "a")
    locker = psycopg.connect(servers.test_database_url(), autocommit=True)
    with daphne_processes(1) as [(port, server)], locker:
        socket_a = await sama_over_tcp(port, token, "a")
        with locker.transaction():  # holds alice's row: her profile edit waits for it
            locker.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [alice.pk])
            await socket_a.send(json.dumps({"request": {"user_edit": {"first_name": "Alicia"}, "id": "e"}}))
            await asyncio.sleep(0.3)
            server.send_signal(signal.SIGTERM)
            await asyncio.to_thread(_until_refused, port)  # draining, the edit still under way
            await asyncio.sleep(0.3)
        answer = json.loads(await asyncio.wait_for(socket_a.recv(), 5))
        assert answer["response"]["id"] == "e" and answer["response"]["user"]["first_name"] == "Alicia"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket_a.recv(), 5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "server shutting down")
        assert await asyncio.to_thread(server.wait, 10) == 0
