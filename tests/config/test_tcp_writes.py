"""Server connections send a write at once when nothing is buffered before it, keep Twisted's
buffering (in order) for what the socket does not take, and are what TCP ports make."""

import socket

from twisted.internet import protocol, tcp

from config.tcp_writes import EagerWritingServer, use_eager_writes


class RecordingReactor:
    """The part of a reactor a connection registers itself with, recording the registrations."""

    def __init__(self) -> None:
        self.writers: set[object] = set()

    def addReader(self, reader: object) -> None:
        pass

    def addWriter(self, writer: object) -> None:
        self.writers.add(writer)

    def removeWriter(self, writer: object) -> None:
        self.writers.discard(writer)


def connection_pair(send_buffer: int | None = None) -> tuple[EagerWritingServer, socket.socket, RecordingReactor]:
    ours, peer = socket.socketpair()
    if send_buffer is not None:
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, send_buffer)
    reactor = RecordingReactor()
    connection = EagerWritingServer(ours, protocol.Protocol(), ("127.0.0.1", 50000), None, 1, reactor)
    return connection, peer, reactor


def read_all(peer: socket.socket, size: int, connection: EagerWritingServer) -> bytes:
    """Read `size` bytes from the peer, letting the connection write what it buffered meanwhile."""
    peer.settimeout(5)
    received = bytearray()
    while len(received) < size:
        if connection.dataBuffer or connection._tempDataBuffer:
            connection.doWrite()
        received += peer.recv(1 << 20)
    return bytes(received)


def test_a_write_reaches_the_peer_at_once_without_waiting_for_the_reactor():
    connection, peer, reactor = connection_pair()
    connection.write(b"a frame")
    connection.write(b", and the next")
    peer.settimeout(5)
    assert peer.recv(100) == b"a frame, and the next"
    assert not reactor.writers
    assert connection.dataBuffer == b"" and connection._tempDataBuffer == []


def test_what_the_socket_does_not_take_is_buffered_and_later_writes_follow_it():
    connection, peer, reactor = connection_pair(send_buffer=4096)
    first, second, third = b"1" * 1_000_000, b"2" * 10, b"3" * 20
    connection.write(first)
    assert reactor.writers == {connection}  # the rest waits for the socket to be writable
    connection.write(second)
    connection.write(third)
    assert read_all(peer, len(first) + 30, connection) == first + second + third
    assert not reactor.writers


def test_a_connection_being_closed_or_under_tls_writes_as_twisted_does():
    connection, _peer, reactor = connection_pair()
    connection.disconnecting = True
    connection.write(b"last words")
    assert reactor.writers == {connection} and connection._tempDataBuffer == [b"last words"]

    connection, _peer, reactor = connection_pair()
    encrypted: list[bytes] = []
    connection.TLS = True  # as startTLS leaves it: the TLS layer encrypts, then writes buffered
    connection.protocol.write = encrypted.append
    connection.write(b"clear text")
    assert encrypted == [b"clear text"]


def test_tcp_ports_make_eager_writing_connections(monkeypatch):
    monkeypatch.setattr(tcp.Port, "transport", tcp.Server)  # undone after the test
    use_eager_writes()
    assert tcp.Port.transport is EagerWritingServer
