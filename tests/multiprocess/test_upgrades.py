"""Against a real server process: a WebSocket upgrade read at once goes straight to autobahn, one
read in pieces goes through Twisted's HTTP channel as before, and both connections work; a plain
request and a refused upgrade are answered as before."""

import asyncio
import json

import pytest

from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

UPGRADE = (
    b"GET /v2 HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"\r\n"
)
KEEP_ALIVE = json.dumps({"id": "k", "type": "CONN_KEEP_ALIVE_REQUEST", "payload": {}}).encode()


def _client_frame(payload: bytes) -> bytes:
    """A masked text frame (payload under 126 bytes), as a client sends it."""
    mask = b"\x01\x02\x03\x04"
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def _answer_head(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)


async def _keep_alive_answered(port: int, *pieces: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for piece in pieces:
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.2)  # each piece its own read on the server
    assert (await _answer_head(reader)).startswith(b"HTTP/1.1 101 ")
    writer.write(_client_frame(KEEP_ALIVE))
    header = await asyncio.wait_for(reader.readexactly(2), 5)
    assert header[0] == 0x81 and header[1] < 126
    answer = json.loads(await asyncio.wait_for(reader.readexactly(header[1]), 5))
    assert answer == {"id": "k", "payload": {}, "type": "CONN_KEEP_ALIVE_SUCCESS"}
    writer.close()


async def _answer_to(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    head = await _answer_head(reader)
    writer.close()
    return head


async def test_an_upgrade_read_at_once_or_in_pieces_opens_a_working_websocket():
    with daphne_servers(1) as (port,):
        await _keep_alive_answered(port, UPGRADE)
        await _keep_alive_answered(port, UPGRADE[:40], UPGRADE[40:])


async def test_a_plain_request_and_a_refused_upgrade_are_answered_as_before():
    with daphne_servers(1) as (port,):
        plain = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        assert (await _answer_to(port, plain)).startswith(b"HTTP/1.1 200 ")
        bad_name = UPGRADE.replace(b"\r\n\r\n", b"\r\nBad Name: x\r\n\r\n")
        assert (await _answer_to(port, bad_name)).startswith(b"HTTP/1.1 400 ")
