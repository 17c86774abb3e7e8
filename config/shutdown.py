"""How a server process stops: SIGTERM (or SIGINT) closes its listening sockets, so new connections
go to the other processes, and closes every WebSocket with 1001 ("going away"), so its client
reconnects at once (a close frame, where a dropped connection told clients only 1006). Requests and
frames under way finish, and each connection's disconnect runs (its user goes offline on the other
processes at once, rather than when the process's presence lease runs out), for at most
SHUTDOWN_DRAIN_SECONDS; only then does daphne cancel what is left and the process exit.
`config.server` makes daphne run this server."""

import asyncio
import logging
import time
from typing import Any

from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.conf import settings
from twisted.internet import defer

logger = logging.getLogger(__name__)

GOING_AWAY = 1001


class DrainingServer(Server):
    """Daphne's server, whose shutdown drains its connections before it cancels them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ports: list[Any] = []  # Twisted's listening ports

    def listen_success(self, port: Any) -> None:
        self.ports.append(port)
        super().listen_success(port)

    def kill_all_applications(self) -> defer.Deferred:
        """Daphne's last step before the reactor stops (it cancels every application): drain first."""
        drained = defer.Deferred.fromFuture(asyncio.ensure_future(self.drain(settings.SHUTDOWN_DRAIN_SECONDS)))
        drained.addErrback(lambda failure: logger.error("draining failed: %s", failure.getErrorMessage()))
        drained.addCallback(lambda _: super(DrainingServer, self).kill_all_applications())
        return drained

    async def drain(self, seconds: float) -> None:
        """Stop listening, close every WebSocket with 1001, and wait up to `seconds` for every
        connection's application to finish."""
        for port in self.ports:
            port.stopListening()
        closed = 0
        for protocol in list(self.connections):
            if isinstance(protocol, WebSocketProtocol):
                if protocol.state == protocol.STATE_OPEN:
                    # with a reason (autobahn's sendClose refuses 1001)
                    protocol.sendCloseFrame(code=GOING_AWAY, reasonUtf8=b"server shutting down")
                    closed += 1
                elif protocol.state == protocol.STATE_CONNECTING:
                    protocol.dropConnection(abort=True)
        began, under_way = time.monotonic(), self.under_way()
        logger.info("shutting down: %d WebSocket connections closed, %d under way", closed, len(under_way))
        if under_way:
            await asyncio.wait(under_way, timeout=seconds)
        left = len(self.under_way())
        logger.info("drained in %.1f s; %d connections left to cancel", time.monotonic() - began, left)

    def under_way(self) -> list[asyncio.Future]:
        """The applications of connections (requests, WebSockets) that have not finished."""
        return [
            instance
            for details in self.connections.values()
            if (instance := details.get("application_instance")) is not None and not instance.done()
        ]
