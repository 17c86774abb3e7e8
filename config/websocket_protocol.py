"""The server's WebSocket connections: daphne's protocol, which lets go of the HTTP request it was
upgraded from, closes with any code and reason the application sends, stops reading from a client
that sends faster than its messages are handled, drops one that stopped reading, and fails a
connection with a close frame; `config.server` installs its factory before daphne runs."""

import logging
from typing import Any

logger = logging.getLogger(__name__)


def close_reason_bytes(reason: str) -> bytes | None:
    """A close frame's reason: UTF-8, at most 123 bytes, never a character cut in two."""
    if not reason:
        return None
    return reason.encode()[:123].decode("utf-8", "ignore").encode()


def clean_closing_factory() -> type:
    """Daphne's WebSocket factory with the protocol below (imports daphne and Twisted: called once
    uvloop's policy is chosen and daphne has installed its reactor, by `config.server.main`)."""
    import inspect

    from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
    from django.conf import settings
    from twisted.internet import reactor as installed_reactor
    from twisted.web.http import HTTPChannel

    send_buffer_max = settings.WEBSOCKET_SEND_BUFFER_MAX_BYTES
    queued_max = settings.WEBSOCKET_QUEUED_MESSAGES_MAX
    reactor: Any = installed_reactor  # daphne's, on the asyncio loop

    class HandedOverWebSocketProtocol(WebSocketProtocol):
        """Daphne's WebSocket protocol, which lets go of the HTTP request it was upgraded from,
        stops reading from a client that sends faster than its messages are handled, and drops a
        connection whose client stopped reading.

        Daphne hands the connection's transport over from Twisted's HTTP channel, which stays
        registered as the transport's producer: it and its request (headers, body buffer,
        addresses) then lived as long as the connection, about a quarter of the objects the
        collector tracks per idle connection. The channel is no producer of anything once the
        request is upgraded (its pause and resume only mark a flag while a request is handled,
        and an upgraded one stays handled), so unregistering it changes no flow control."""

        def handle_reply(self, message: dict[str, Any]) -> None:
            """Daphne's; a close from the application keeps its reason, which daphne dropped."""
            if message.get("type") == "websocket.close" and self.state != self.STATE_CONNECTING:
                self.serverClose(code=message.get("code"), reason=message.get("reason") or "")
            else:
                super().handle_reply(message)

        def serverClose(self, code: int | None = None, reason: str = "") -> None:
            """Close with `code` (1000 if none) and `reason` (cut to the 123 bytes a close frame
            holds), also with the codes RFC 6455 gives a server (1001 going away, 1011 internal
            error, 1012 service restart, 1013 try again later): autobahn's sendClose takes only
            1000 and 3000-4999, and raised on these."""
            self.sendCloseFrame(code=1000 if code is None else code, reasonUtf8=close_reason_bytes(reason))

        def serverSend(self, content: str | bytes, binary: bool = False) -> None:
            """Daphne's; a frame for a connection that is closing or closed is dropped (none may
            follow a close frame), where autobahn raised into the application (the answer to a
            frame under way when the server began to shut down, say)."""
            if self.state in (self.STATE_CLOSING, self.STATE_CLOSED):
                return
            super().serverSend(content, binary)

        def connectionMade(self) -> None:
            if isinstance(getattr(self.transport, "producer", None), HTTPChannel):
                self.transport.unregisterProducer()
            super().connectionMade()

        def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
            """autobahn's; then, if the client has left more than WEBSOCKET_SEND_BUFFER_MAX_BYTES
            unread, the connection is dropped (no close frame could reach it). Twisted keeps what
            the socket does not take, without bound: a client that stopped reading (a frozen app,
            or one of an attacker's who sends itself messages) held the server's memory."""
            super().sendData(data, sync, chopsize)
            unsent = unsent_bytes(self.transport)
            if unsent > send_buffer_max and not self.dropped_unread:
                self.dropped_unread = True
                logger.warning("WebSocket client is not reading: %d bytes unsent; connection dropped", unsent)
                self.transport.abortConnection()

        dropped_unread = False

        def onMessage(self, payload: bytes, isBinary: bool) -> None:
            """Daphne's (the message joins the application's queue); while more than
            WEBSOCKET_QUEUED_MESSAGES_MAX wait there, the connection is not read, so the client's
            TCP window closes. Daphne reads whatever arrives: a client sending faster than its
            messages were handled grew the queue, and the server's memory, without bound."""
            super().onMessage(payload, isBinary)
            if not self.reading_paused and self.application_queue.qsize() > queued_max:
                self.reading_paused = True
                self.transport.pauseProducing()
                self.resume_when_handled()

        reading_paused = False

        def resume_when_handled(self) -> None:
            """Read the connection again once half its queue has been handled (checked every 10 ms)."""
            if self.state == self.STATE_CLOSED:
                return
            if self.application_queue.qsize() > queued_max // 2:
                reactor.callLater(0.01, self.resume_when_handled)
                return
            self.reading_paused = False
            self.transport.resumeProducing()

    class CleanClosingWebSocketFactory(WebSocketFactory):
        """Daphne's WebSocket factory, failing a connection with a close frame (1009 for a message
        over the limit) rather than by dropping it: autobahn drops by default, and clients see
        code 1006 with no reason. Its connections let go of their HTTP request, and wait
        WEBSOCKET_CLOSE_TIMEOUT_SECONDS for a client to answer their close frame.

        Its protocol options are its protocol class's attributes too: autobahn copies each of the
        29 options a connection lacks from the factory to the connection's attributes as it opens,
        so connections that find them on their class copy none and hold none. A connection's
        attributes then fit a smaller dictionary: an idle SAMA connection takes 20.6 KB of the
        process's memory against 22.6 (10,000 connections)."""

        protocol = HandedOverWebSocketProtocol

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.setProtocolOptions(failByDrop=False, closeHandshakeTimeout=settings.WEBSOCKET_CLOSE_TIMEOUT_SECONDS)

        def setProtocolOptions(self, *args: object, **kwargs: object) -> None:
            super().setProtocolOptions(*args, **kwargs)
            for name in self.protocol.CONFIG_ATTRS:
                value = getattr(self, name)
                # A function (perMessageCompressionAccept) stays one, not a method of the connection.
                setattr(self.protocol, name, staticmethod(value) if inspect.isfunction(value) else value)

    return CleanClosingWebSocketFactory


def unsent_bytes(transport: Any) -> int:
    """Bytes written to a connection's TCP transport (the one under TLS, where there is TLS) that
    its socket has not taken yet (Twisted's buffer)."""
    tcp = getattr(transport, "transport", transport) if getattr(transport, "TLS", None) is None else transport
    try:
        return len(tcp.dataBuffer) - tcp.offset + tcp._tempDataLen
    except AttributeError:  # not a Twisted file descriptor
        return 0
