"""Server connections that write at once: Twisted buffers every write until the reactor reports
the socket writable, so each frame a connection sends costs registering the socket for writing
with the event loop, a callback on the next turn, the `send` and unregistering it again.

`EagerWritingServer` sends what is written at once when nothing is waiting before it, and keeps
Twisted's buffering for what the socket does not take (and for TLS started on the connection, or
a producer that must be asked for more). `tcp.Port` makes its connections of this class once
`use_eager_writes` ran."""

from twisted.internet import tcp


class EagerWritingServer(tcp.Server):
    """Twisted's TCP server connection, sending a write at once when its buffer is empty."""

    def write(self, data: bytes) -> None:
        """Send `data` now if nothing is buffered before it; buffer what the socket did not take."""
        if (
            type(data) is bytes
            and data
            and self.connected
            and not self.disconnecting
            and not self._writeDisconnected
            and not self.TLS
            and not self._tempDataBuffer
            and self.offset == len(self.dataBuffer)
            and (self.producer is None or self.streamingProducer)
        ):
            sent = self.writeSomeData(data)
            if isinstance(sent, int):  # otherwise the connection is lost: the buffered write reports it
                if sent == len(data):
                    return
                data = data[sent:]
        super().write(data)


def use_eager_writes() -> None:
    """Make every TCP port's new connections `EagerWritingServer`s."""
    tcp.Port.transport = EagerWritingServer
