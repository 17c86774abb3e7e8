"""The load clients' WebSocket connection against a scripted server that writes raw bytes: the
handshake's checks, frames of every length form, fragments, pings, close codes and protocol faults.
(The end-to-end runs in test_command.py drive it against the real server.)"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest
from websockets.frames import apply_mask

from loadtest import wire

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def server_frame(opcode: int, payload: bytes, *, final: bool = True, masked: bool = False) -> bytes:
    """A frame as a server writes it: unmasked unless told otherwise."""
    size = len(payload)
    first = (0x80 if final else 0) | opcode
    mask_bit = 0x80 if masked else 0
    if size < 126:
        head = bytes((first, mask_bit | size))
    elif size < 1 << 16:
        head = bytes((first, mask_bit | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, mask_bit | 127)) + size.to_bytes(8, "big")
    return head + (b"\0\0\0\0" + payload if masked else payload)


async def read_client_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One frame from the client: (opcode, unmasked payload); it must be final and masked."""
    first, second = await reader.readexactly(2)
    assert first & 0x80 and second & 0x80, "client frames are final and masked"
    size = second & 0x7F
    if size == 126:
        size = int.from_bytes(await reader.readexactly(2), "big")
    elif size == 127:
        size = int.from_bytes(await reader.readexactly(8), "big")
    mask = await reader.readexactly(4)
    return first & 0x0F, apply_mask(await reader.readexactly(size), mask)


async def handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, status: str = "101") -> bytes:
    """Read the client's upgrade request and answer it; answers the request."""
    request = await reader.readuntil(b"\r\n\r\n")
    key = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    writer.write(
        f"HTTP/1.1 {status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n".encode()
        + b"Sec-WebSocket-Accept: "
        + wire.accept_key(key)
        + b"\r\n\r\n"
    )
    return request


class Client:
    """What the connection handed over: messages, and whether it ended."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.ended = asyncio.Event()
        self._arrived = asyncio.Event()

    def _received(self, message: bytes) -> None:
        self.messages.append(message)
        self._arrived.set()

    async def messages_received(self, count: int) -> list[bytes]:
        """The messages, once `count` have arrived (5 s at most)."""
        async with asyncio.timeout(5):
            while len(self.messages) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.messages

    async def connect(self, port: int, **options: float) -> wire.WireConnection:
        return await wire.connect(
            f"ws://127.0.0.1:{port}/v2?x=1",
            self._received,
            self.ended.set,
            open_timeout=options.get("open_timeout", 5),
            max_size=int(options.get("max_size", 2**20)),
        )


@contextlib.asynccontextmanager
async def scripted(script: Script):
    """A server on a free loopback port running `script` for its one connection; yields the port
    and a future of the script's end (its exception, if it failed)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await script(reader, writer)
        except BaseException as error:  # reported to the test through `done`
            if not done.done():
                done.set_exception(error)
        else:
            if not done.done():
                done.set_result(None)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], done
    finally:
        server.close()


async def test_the_handshake_asks_for_the_path_and_query_without_compression():
    requests: list[bytes] = []

    async def script(reader, writer):
        requests.append(await handshake(reader, writer))
        assert (await read_client_frame(reader))[0] == wire.OP_CLOSE

    async with scripted(script) as (port, done):
        client = Client()
        connection = await client.connect(port)
        assert connection.open
        await connection.close(5)
        await done
    lines = requests[0].decode().split("\r\n")
    assert lines[0] == "GET /v2?x=1 HTTP/1.1"
    headers = {line.split(":")[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:] if line}
    assert headers["upgrade"] == "websocket" and headers["sec-websocket-version"] == "13"
    assert "sec-websocket-extensions" not in headers and "origin" not in headers


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (lambda key: b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "handshake refused: HTTP 403 Forbidden"),
        (
            lambda key: b"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: bm90IGl0\r\n\r\n",
            "handshake refused: a wrong Sec-WebSocket-Accept",
        ),
    ],
)
async def test_a_refused_or_wrong_handshake_fails_the_connect(answer, why):
    async def script(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(answer(request))
        await reader.read()

    async with scripted(script) as (port, _):
        client = Client()
        with pytest.raises(wire.WireError, match=why):
            await client.connect(port)
        await asyncio.wait_for(client.ended.wait(), 5)


async def test_no_handshake_answer_within_the_timeout_fails_the_connect():
    async def script(reader, writer):
        await reader.read()

    async with scripted(script) as (port, _):
        with pytest.raises(wire.WireError, match=r"no handshake within 0\.2 s"):
            await Client().connect(port, open_timeout=0.2)


async def test_messages_of_every_length_form_and_in_fragments_arrive_whole_and_in_order():
    long, longer = b"m" * 300, b"n" * 70_000
    pongs: list[bytes] = []

    async def script(reader, writer):
        await handshake(reader, writer)
        stream = (
            server_frame(wire.OP_TEXT, b'{"a":1}')
            + server_frame(wire.OP_TEXT, long)
            + server_frame(wire.OP_BINARY, longer)
            + server_frame(wire.OP_TEXT, b"frag", final=False)
            + server_frame(wire.OP_PING, b"are you there")  # control frames may come between fragments
            + server_frame(wire.OP_CONTINUATION, b"men", final=False)
            + server_frame(wire.OP_CONTINUATION, b"ted")
        )
        for start in range(0, len(stream), 997):  # split at arbitrary points
            writer.write(stream[start : start + 997])
            await writer.drain()
        pongs.append(await read_client_frame(reader))
        assert (await read_client_frame(reader))[0] == wire.OP_CLOSE

    async with scripted(script) as (port, done):
        client = Client()
        connection = await client.connect(port)
        assert await client.messages_received(4) == [b'{"a":1}', long, longer, b"fragmented"]
        await connection.close(5)
        await done
    assert pongs == [(wire.OP_PONG, b"are you there")]


async def test_sent_messages_are_masked_text_frames_of_every_length_form():
    received: list[tuple[int, bytes]] = []
    payloads = [b"{}", b"x" * 200, b"y" * 66_000]

    async def script(reader, writer):
        await handshake(reader, writer)
        for _ in payloads:
            received.append(await read_client_frame(reader))
        assert (await read_client_frame(reader))[0] == wire.OP_CLOSE

    async with scripted(script) as (port, done):
        connection = await Client().connect(port)
        for payload in payloads:
            connection.send(payload)
        await connection.close(5)
        await done
    assert received == [(wire.OP_TEXT, payload) for payload in payloads]


async def test_a_close_from_the_server_is_answered_with_its_code_and_ends_the_connection():
    answers: list[tuple[int, bytes]] = []

    async def script(reader, writer):
        await handshake(reader, writer)
        writer.write(server_frame(wire.OP_CLOSE, (4401).to_bytes(2, "big") + "token expired ✓".encode()))
        answers.append(await read_client_frame(reader))

    async with scripted(script) as (port, done):
        client = Client()
        connection = await client.connect(port)
        await asyncio.wait_for(client.ended.wait(), 5)
        await done
    assert answers == [(wire.OP_CLOSE, (4401).to_bytes(2, "big"))]
    assert (connection.close_code, connection.close_reason, connection.open) == (4401, "token expired ✓", False)
    with pytest.raises(wire.WireError, match="not open"):
        connection.send(b"{}")


async def test_closing_sends_a_normal_close_and_waits_for_the_server():
    answers: list[tuple[int, bytes]] = []

    async def script(reader, writer):
        await handshake(reader, writer)
        answers.append(await read_client_frame(reader))
        writer.write(server_frame(wire.OP_CLOSE, (1000).to_bytes(2, "big")))

    async with scripted(script) as (port, done):
        client = Client()
        connection = await client.connect(port)
        await connection.close(5)
        assert client.ended.is_set()
        await done
    assert answers == [(wire.OP_CLOSE, (1000).to_bytes(2, "big"))]
    assert connection.close_code == 1000


@pytest.mark.parametrize(
    ("frames", "code", "reason"),
    [
        (server_frame(wire.OP_TEXT, b"{}", masked=True), 1002, "a masked frame from the server"),
        (server_frame(wire.OP_TEXT, b"z" * 2000), 1009, "a frame over max_size"),
        (
            server_frame(wire.OP_TEXT, b"z" * 600, final=False)
            + server_frame(wire.OP_CONTINUATION, b"z" * 600, final=False),
            1009,
            "a message over max_size",
        ),
        (bytes((0x83, 0)), 1002, "opcode 3"),
    ],
    ids=["masked", "too big", "fragments too big", "unknown opcode"],
)
async def test_a_server_breaking_the_protocol_has_the_connection_failed_with_its_code(frames, code, reason):
    closes: list[tuple[int, bytes]] = []

    async def script(reader, writer):
        await handshake(reader, writer)
        writer.write(frames)
        closes.append(await read_client_frame(reader))

    async with scripted(script) as (port, done):
        client = Client()
        connection = await client.connect(port, max_size=1000)
        await asyncio.wait_for(client.ended.wait(), 5)
        await done
    assert client.messages == []
    assert (connection.close_code, connection.close_reason) == (code, reason)
    assert closes == [(wire.OP_CLOSE, code.to_bytes(2, "big") + reason.encode())]


async def test_only_ws_urls_are_opened():
    with pytest.raises(wire.WireError, match="not a ws:// URL"):
        await wire.connect("wss://example.com/", print, print, open_timeout=1, max_size=10)
