"""WebSocket upgrades handed straight to autobahn, without Twisted's HTTP request in between.

Daphne reads every connection's first request with Twisted's HTTP channel, one header line at a
time into a `Request`; for a WebSocket upgrade it then writes the request back out as bytes for
autobahn, which parses it again and answers the handshake. The first parse, the request and the
writing back took about 90 µs of the 850 µs of server CPU a SAMA sign-in costs (thread CPU time in
a sign-in storm): a tenth of every connection's opening.

`UpgradeSniffingHTTPFactory` looks at a connection's first read once. A complete, plain upgrade
request goes to daphne's WebSocket protocol as daphne hands one over (with its query string);
anything else (another request, a request in several reads, one with a body, a header name or
value daphne would refuse, a target that is not ASCII) goes to Twisted's HTTP channel, which reads
it and answers errors exactly as before. A connection that sends nothing is closed after the HTTP
channel's timeout (Twisted's 60 s), as before."""

import re
from typing import Any

from daphne.http_protocol import HTTPFactory
from daphne.utils import HEADER_NAME_RE, INVALID_HEADER_VALUE_BYTES
from twisted.internet.protocol import Protocol
from twisted.protocols.policies import ProtocolWrapper, TimeoutMixin

# A larger request is read by Twisted's HTTP channel, with its own limits.
UPGRADE_REQUEST_MAX_BYTES = 8192

# Bytes no header value may hold as daphne checks them, and the line ends' CR and LF and NUL, which
# no line of the request may hold but in its `\r\n`: looked for in the whole request at once.
_FORBIDDEN = re.compile(b"[" + re.escape(bytes(sorted(INVALID_HEADER_VALUE_BYTES | set(b"\0\r\n")))) + b"]")


def upgrade_query_string(data: bytes) -> bytes | None:
    """The query string of `data` when it is exactly one complete, plain WebSocket upgrade
    request (GET, HTTP/1.1, a path, one `Upgrade: websocket`, no body, every header line valid as
    daphne checks them); None for anything else."""
    if len(data) > UPGRADE_REQUEST_MAX_BYTES or not data.endswith(b"\r\n\r\n"):
        return None
    head = data[:-4]
    if _FORBIDDEN.search(head.replace(b"\r\n", b"")):
        return None
    request_line, *header_lines = head.split(b"\r\n")
    parts = request_line.split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or parts[2] != b"HTTP/1.1":
        return None
    target = parts[1]
    if not target.startswith(b"/") or not target.isascii():
        return None
    upgrades = 0
    for line in header_lines:
        name, colon, value = line.partition(b":")
        if not colon or not HEADER_NAME_RE.fullmatch(name):
            return None
        name = name.lower()
        if name == b"upgrade":
            upgrades += 1
            if value.strip().lower() != b"websocket":
                return None
        elif name in (b"content-length", b"transfer-encoding"):
            return None
    if upgrades != 1:
        return None
    return target.partition(b"?")[2]


class UpgradeSniffer(TimeoutMixin, Protocol):
    """A new connection until its first read: then the protocol that reads it takes its place. A
    connection that sends nothing is closed after the factory's `timeOut`, as Twisted's HTTP
    channel closes one that sends no request."""

    def __init__(self, factory: "UpgradeSniffingHTTPFactory", address: Any) -> None:
        self.factory, self.address = factory, address

    def callLater(self, period: float, func: Any) -> Any:
        """TimeoutMixin's clock: the factory's reactor, as Twisted's HTTP channel gets it."""
        return self.factory.reactor.callLater(period, func)

    def connectionMade(self) -> None:
        self.setTimeout(self.factory.timeOut)

    def connectionLost(self, reason: object = None) -> None:
        self.setTimeout(None)

    def dataReceived(self, data: bytes) -> None:
        self.setTimeout(None)
        transport: Any = self.transport
        query_string = upgrade_query_string(data)
        if query_string is None:
            protocol = HTTPFactory.buildProtocol(self.factory, self.address)
        else:
            protocol = self.factory.server.ws_factory.buildProtocol(transport.getPeer())
            if protocol is not None:
                protocol._raw_query_string = query_string  # as daphne's upgrade passes it
        if protocol is None:  # daphne logged why
            transport.loseConnection()
            return
        if isinstance(transport, ProtocolWrapper):  # TLS
            transport.wrappedProtocol = protocol
        else:
            transport.protocol = protocol
        protocol.makeConnection(transport)
        protocol.dataReceived(data)


class UpgradeSniffingHTTPFactory(HTTPFactory):
    """Daphne's HTTP factory, whose connections' first read decides who reads them."""

    def buildProtocol(self, addr: Any) -> UpgradeSniffer:
        return UpgradeSniffer(self, addr)
