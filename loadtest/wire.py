"""The load clients' WebSocket connection: the client side of RFC 6455, only what they use.

The generator shares the servers' cores, so what it spends is taken from the servers it measures.
With websockets' asyncio client it used 27 to 28 % of a core in a Hooligram sign-in storm, most of
it in that client's layers (a reading task, locks and futures per connection, its protocol objects
and header parsing); with this connection 15 to 17 %. It is one `asyncio.Protocol`: it sends a fixed
handshake, checks the answer's status and accept key, and hands every whole message to a callback
as it arrives, with no task of its own. It answers pings and close frames; messages may come in
fragments. It sends masked text frames (masked by websockets' C `apply_mask`, with keys from
`random`: the connections stay on this machine, where no proxy's cache is to be poisoned). A
server that breaks the protocol (a masked frame, an unknown opcode, a message over `max_size`)
fails the connection with the close code for it.
"""

import asyncio
import base64
import contextlib
import hashlib
import os
import random
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from websockets.frames import apply_mask

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR, CLOSE_TOO_BIG = 1000, 1002, 1009
MAX_HANDSHAKE = 16 * 1024


class WireError(ConnectionError):
    """The connection failed: refused handshake, broken frame, or a message sent after closing."""


def frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame: masked, as RFC 6455 requires of clients."""
    mask = random.randbytes(4)
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, 0x80 | size))
    elif size < 1 << 16:
        head = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    return head + mask + apply_mask(payload, mask)


def accept_key(key: bytes) -> bytes:
    """The Sec-WebSocket-Accept value a server must answer to this Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


class WireConnection(asyncio.Protocol):
    """One client WebSocket; `on_message` gets each whole message's payload, `on_close` the end."""

    def __init__(
        self,
        handshake: bytes,
        key: bytes,
        on_message: Callable[[bytes], None],
        on_close: Callable[[], None],
        max_size: int,
    ) -> None:
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.ended: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        self.close_reason = ""
        self.open = False
        self._handshake = handshake
        self._accept = accept_key(key)
        self._on_message = on_message
        self._on_close = on_close
        self._max_size = max_size
        self._buffer = bytearray()
        self._fragments: bytearray | None = None
        self._fragments_opcode = OP_TEXT
        self._closing = False
        self._transport: asyncio.Transport | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the handshake."""
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are no subclass of it
        self._transport.write(self._handshake)

    def data_received(self, data: bytes) -> None:
        """Read the handshake's answer, then frames."""
        self._buffer += data
        if not self.opened.done() and not self._read_handshake():
            return
        if self.open or self._closing:
            self._read_frames()

    def connection_lost(self, exc: Exception | None) -> None:
        """Record the end and tell the owner."""
        self.open = False
        if self.close_code is None:
            self.close_code = 1006
        if not self.opened.done():
            self.opened.set_exception(WireError(f"closed before the handshake: {exc!r}"))
        if not self.ended.done():
            self.ended.set_result(None)
            self._on_close()

    # --- what the load clients call -----------------------------------------------------------

    def send(self, payload: bytes) -> None:
        """Send one text message; WireError once the connection is closing or closed."""
        if not self.open or self._transport is None:
            raise WireError("the connection is not open")
        self._transport.write(frame(OP_TEXT, payload))

    async def close(self, close_timeout: float) -> None:
        """Send a normal close and wait up to `close_timeout` s for the server to end the connection."""
        if self.open:
            self._start_closing(CLOSE_NORMAL, b"")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.ended), close_timeout)
        self.abort()

    def abort(self) -> None:
        """End the TCP connection at once."""
        if self._transport is not None:
            self._transport.abort()

    # --- reading ------------------------------------------------------------------------------

    def _read_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HANDSHAKE:
                self._fail_handshake("an answer without its end")
            return False
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        status = head[0].split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            self._fail_handshake(f"HTTP {' '.join(status[1:])}")
            return False
        headers = dict(line.split(":", 1) for line in head[1:] if ":" in line)
        accept = {name.strip().lower(): value.strip() for name, value in headers.items()}
        if accept.get("sec-websocket-accept", "").encode() != self._accept:
            self._fail_handshake("a wrong Sec-WebSocket-Accept")
            return False
        self.open = True
        self.opened.set_result(None)
        return True

    def _fail_handshake(self, why: str) -> None:
        if not self.opened.done():
            self.opened.set_exception(WireError(f"handshake refused: {why}"))
        self.abort()

    def _read_frames(self) -> None:
        buffer, start = self._buffer, 0
        while len(buffer) - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            size, head = second & 0x7F, 2
            if size == 126:
                head = 4
            elif size == 127:
                head = 10
            if len(buffer) - start < head:
                break
            if head > 2:
                size = int.from_bytes(buffer[start + 2 : start + head], "big")
            if second & 0x80:
                self._fail(CLOSE_PROTOCOL_ERROR, "a masked frame from the server")
                return
            if size > self._max_size:
                self._fail(CLOSE_TOO_BIG, "a frame over max_size")
                return
            if len(buffer) - start < head + size:
                break
            payload = bytes(buffer[start + head : start + head + size])
            start += head + size
            self._frame(bool(first & 0x80), first & 0x0F, payload)
            if self._transport is None or self._transport.is_closing():
                return
        del buffer[:start]

    def _frame(self, final: bool, opcode: int, payload: bytes) -> None:
        if opcode in (OP_TEXT, OP_BINARY):
            if final:
                self._on_message(payload)
            else:
                self._fragments, self._fragments_opcode = bytearray(payload), opcode
        elif opcode == OP_CONTINUATION and self._fragments is not None:
            self._fragments += payload
            if len(self._fragments) > self._max_size:
                self._fail(CLOSE_TOO_BIG, "a message over max_size")
            elif final:
                message, self._fragments = bytes(self._fragments), None
                self._on_message(message)
        elif opcode == OP_PING:
            if self.open and self._transport is not None:
                self._transport.write(frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self._closed_by_server(payload)
        elif opcode != OP_PONG:
            self._fail(CLOSE_PROTOCOL_ERROR, f"opcode {opcode}")

    def _closed_by_server(self, payload: bytes) -> None:
        if len(payload) >= 2:
            self.close_code = int.from_bytes(payload[:2], "big")
            self.close_reason = payload[2:].decode("utf-8", "replace")
        else:
            self.close_code = 1005
        if self.open:  # answer the close; the server then ends the TCP connection
            self._start_closing(self.close_code if len(payload) >= 2 else CLOSE_NORMAL, b"")
        elif self._transport is not None:  # the answer to our close
            self._transport.close()

    def _start_closing(self, code: int, reason: bytes) -> None:
        self.open = False
        self._closing = True
        if self._transport is not None:
            self._transport.write(frame(OP_CLOSE, code.to_bytes(2, "big") + reason))

    def _fail(self, code: int, why: str) -> None:
        self.close_code, self.close_reason = code, why
        if self.open:
            self._start_closing(code, why.encode()[:120])
        if self._transport is not None:
            self._transport.close()


async def connect(
    url: str,
    on_message: Callable[[bytes], None],
    on_close: Callable[[], None],
    *,
    open_timeout: float,
    max_size: int,
) -> WireConnection:
    """Open a WebSocket to `url` (ws:// only: the load tool targets loopback) within `open_timeout` s."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname:
        raise WireError(f"not a ws:// URL: {url}")
    port = parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16))
    handshake = (
        f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: loadtest\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    connection: WireConnection | None = None
    try:
        async with asyncio.timeout(open_timeout):
            _, connection = await loop.create_connection(
                lambda: WireConnection(handshake, key, on_message, on_close, max_size), parts.hostname, port
            )
            await connection.opened
    except TimeoutError as error:
        if connection is not None:
            connection.abort()
        raise WireError(f"no handshake within {open_timeout} s") from error
    return connection
