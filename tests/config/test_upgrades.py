"""Which first reads of a connection go straight to autobahn as WebSocket upgrades: exactly one
complete, plain upgrade request; everything else is left to Twisted's HTTP channel. A connection
that sends nothing is closed after the HTTP channel's timeout."""

from types import SimpleNamespace

import pytest
from twisted.internet.protocol import Protocol
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from config.upgrades import UPGRADE_REQUEST_MAX_BYTES, UpgradeSniffer, upgrade_query_string

HEADERS = (
    b"Host: 127.0.0.1:8000\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
)


def _request(line: bytes = b"GET /ws?token=abc HTTP/1.1", headers: bytes = HEADERS) -> bytes:
    return line + b"\r\n" + headers + b"\r\n"


def test_a_plain_upgrade_request_goes_to_autobahn_with_its_query_string():
    assert upgrade_query_string(_request()) == b"token=abc"
    assert upgrade_query_string(_request(b"GET /v2 HTTP/1.1")) == b""
    lower = HEADERS.replace(b"Upgrade: websocket", b"upgrade:  WebSocket ")
    assert upgrade_query_string(_request(headers=lower)) == b"token=abc"


@pytest.mark.parametrize(
    "data",
    [
        _request()[:-2],  # the headers not all read yet
        _request() + b"\x81\x80",  # something after the request
        _request(b"POST /ws HTTP/1.1"),
        _request(b"GET /ws HTTP/1.0"),
        _request(b"GET http://127.0.0.1:8000/ws HTTP/1.1"),  # not a path
        _request("GET /wé HTTP/1.1".encode()),  # daphne answers 400
        _request(headers=HEADERS.replace(b"Upgrade: websocket", b"Upgrade: h2c")),
        _request(headers=HEADERS.replace(b"Upgrade: websocket\r\n", b"")),
        _request(headers=HEADERS + b"Upgrade: websocket\r\n"),
        _request(headers=HEADERS + b"Content-Length: 3\r\n"),
        _request(headers=HEADERS + b"Transfer-Encoding: chunked\r\n"),
        _request(headers=HEADERS + b"Bad Name: x\r\n"),  # daphne answers 400
        _request(headers=HEADERS + b"X-Folded: a\r\n continued\r\n"),
        _request(headers=HEADERS + b"No-Colon\r\n"),
        _request(headers=HEADERS + b"X-Odd: a\x0bb\r\n"),  # daphne answers 400
        _request(headers=HEADERS + b"X-Odd: a\nb\r\n"),
        _request(headers=HEADERS + b"X-Odd: a\rb\r\n"),
        _request(headers=HEADERS + b"X-Odd: a\x00b\r\n"),
        _request(headers=HEADERS + b"X-Odd: a\x85b\r\n"),  # daphne answers 400
        _request(headers=HEADERS + b"X-Odd: a\r\r\n\nb\r\n"),
        _request(headers=HEADERS + b"X-Large: " + b"x" * UPGRADE_REQUEST_MAX_BYTES + b"\r\n"),
    ],
)
def test_anything_else_is_left_to_the_http_channel(data):
    assert upgrade_query_string(data) is None


class Recording(Protocol):
    def __init__(self) -> None:
        self.read = b""

    def dataReceived(self, data: bytes) -> None:
        self.read += data


class Factory:
    """What a sniffer asks of daphne's HTTP factory: the server's WebSocket factory, the reactor and
    the timeout."""

    def __init__(self) -> None:
        self.server = SimpleNamespace(ws_factory=self)
        self.reactor = Clock()
        self.timeOut = 60

    def buildProtocol(self, addr: object) -> Recording:  # the WebSocket factory's
        self.built = Recording()
        return self.built


def _sniffing(factory: Factory) -> tuple[UpgradeSniffer, StringTransport]:
    sniffer, transport = UpgradeSniffer(factory, None), StringTransport()
    sniffer.makeConnection(transport)
    return sniffer, transport


def test_a_plain_upgrade_is_handed_to_daphnes_websocket_protocol_with_its_first_read():
    factory = Factory()
    sniffer, transport = _sniffing(factory)
    sniffer.dataReceived(_request())
    websocket = factory.built
    assert transport.protocol is websocket and websocket.transport is transport
    assert websocket.read == _request() and websocket._raw_query_string == b"token=abc"
    factory.reactor.advance(factory.timeOut)
    assert not transport.disconnecting


def test_a_connection_that_sends_nothing_is_closed_after_the_http_timeout():
    factory = Factory()
    _, transport = _sniffing(factory)
    factory.reactor.advance(factory.timeOut - 1)
    assert not transport.disconnecting
    factory.reactor.advance(1)
    assert transport.disconnecting
