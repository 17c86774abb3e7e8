"""The server's WebSocket connections (config/websocket_protocol.py): one keeps nothing of the HTTP
request it was upgraded from and reads the factory's options from its class, and what its client
left unread is read from the TCP connection, also under TLS. (Its flow control is tested over TCP
against a server process: tests/multiprocess/test_slow_readers.py.)"""

from config.websocket_protocol import clean_closing_factory, unsent_bytes


def test_an_upgraded_connection_lets_go_of_its_http_request():
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport
    from twisted.web.http import HTTPChannel

    factory = clean_closing_factory()(server_class=None)
    transport = StringTransport()
    transport.registerProducer(HTTPChannel(), True)  # as daphne's upgrade leaves it
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    protocol.makeConnection(transport)
    try:
        assert transport.producer is None
    finally:
        if protocol.openHandshakeTimeoutCall is not None:  # no handshake follows
            protocol.openHandshakeTimeoutCall.cancel()


def test_a_connection_reads_the_factorys_options_from_its_class_and_holds_none():
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    factory = clean_closing_factory()(server_class=None)
    factory.setProtocolOptions(autoPingInterval=7, allowNullOrigin=False)  # as daphne sets its own
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    protocol.makeConnection(StringTransport())
    try:
        assert not set(protocol.CONFIG_ATTRS) & set(vars(protocol))
        for name in protocol.CONFIG_ATTRS:
            assert getattr(protocol, name) == getattr(factory, name), name
        assert (protocol.autoPingInterval, protocol.allowNullOrigin, protocol.failByDrop) == (7, False, False)
        assert protocol.perMessageCompressionAccept([]) is None  # a function of the offers, as on the factory
    finally:
        if protocol.openHandshakeTimeoutCall is not None:  # no handshake follows
            protocol.openHandshakeTimeoutCall.cancel()


def test_unsent_bytes_are_read_from_the_tcp_connection_also_under_tls():
    class Tcp:  # Twisted's buffer: 4 of "abcdef" unsent, and 5 bytes of writes not yet joined to it
        TLS = False
        dataBuffer, offset, _tempDataLen = b"abcdef", 2, 5

    class TlsWrapper:  # a TLS protocol wrapping the TCP connection
        transport = Tcp()

    assert unsent_bytes(Tcp()) == unsent_bytes(TlsWrapper()) == 9
    assert unsent_bytes(object()) == 0


def test_a_frame_for_a_closing_connection_is_dropped():
    """Its application's answer to a frame under way when the server sent its close frame."""
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    factory = clean_closing_factory()(server_class=None)
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    protocol.makeConnection(StringTransport())
    try:
        for state in (protocol.STATE_CLOSING, protocol.STATE_CLOSED):
            protocol.state = state
            protocol.serverSend("an answer too late")  # autobahn raised Disconnected
            protocol.serverSend(b"\x00", binary=True)
    finally:
        if protocol.openHandshakeTimeoutCall is not None:
            protocol.openHandshakeTimeoutCall.cancel()


def test_an_application_close_keeps_its_code_and_reason_also_for_the_codes_autobahn_refuses():
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    factory = clean_closing_factory()(server_class=None)
    sent = []
    for message in (
        {"type": "websocket.close", "code": 1012, "reason": "events missed: reconnect"},
        {"type": "websocket.close", "code": 4401, "reason": "é" * 100},  # 200 bytes: cut at 123, between characters
        {"type": "websocket.close"},
    ):
        protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
        transport = StringTransport()
        protocol.makeConnection(transport)
        try:
            protocol.state = protocol.STATE_OPEN  # as after the handshake
            protocol.handle_reply(message)
            frame = transport.value()
            assert (frame[0], frame[1] & 0x7F) == (0x88, len(frame) - 2)  # one final, unmasked close frame
            sent.append((int.from_bytes(frame[2:4], "big"), frame[4:].decode()))
            assert protocol.state == protocol.STATE_CLOSING
        finally:
            if protocol.openHandshakeTimeoutCall is not None:
                protocol.openHandshakeTimeoutCall.cancel()
    assert sent == [(1012, "events missed: reconnect"), (4401, "é" * 61), (1000, "")]
