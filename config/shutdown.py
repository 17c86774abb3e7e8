"""How a server process stops: SIGTERM (or SIGINT) closes its listening sockets, so new connections
go to the other processes, and closes every WebSocket with 1001 ("going away"), so its client
reconnects at once (a close frame, where a dropped connection told clients only 1006), in random
order and at most SHUTDOWN_CLOSE_RATE a second (over at most half the drain), so that the clients
reach the other processes at a pace they can take rather than as one storm. Each WebSocket's
consumer closes it once the frames it read before are answered (`GOING_AWAY`); one stuck on a
frame is closed after GOING_AWAY_WAIT_SECONDS, and that frame's answer dropped (no frame may
follow a close frame). Requests under way finish, and each connection's disconnect runs (its
user goes offline on the other processes at once, rather than when the process's presence lease
runs out), for at most SHUTDOWN_DRAIN_SECONDS, within which the events Redis refused are sent if
it takes them again; only then does daphne cancel what is left and the process exit (at once: a
thread of synchronous work cut off then would wait for its event loop for ever). Requests made
meanwhile on kept-alive HTTP connections are answered and close their connections.
`config.server` makes daphne run this server."""

import asyncio
import logging
import math
import random
import time
from typing import Any

from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.conf import settings
from twisted.internet import defer

from events import channel
from realtime.consumers import CLOSE_GOING_AWAY, GOING_AWAY, REASON_SHUTTING_DOWN

logger = logging.getLogger(__name__)

# How often a drain closes what opened since its last turn.
SWEEP_SECONDS = 0.1
# A WebSocket told to go away that is still open this long after (its consumer stuck on a frame)
# is closed by the server.
GOING_AWAY_WAIT_SECONDS = 2.0


def close_spread(count: int, close_rate: float, drain_seconds: float) -> float:
    """Seconds over which a drain closes `count` WebSockets: `close_rate` a second (0: at once), but
    within half of the drain, so that the last closed have time to finish what is under way; a
    drain too short for its rate is logged, since the other processes then take more a second."""
    if close_rate <= 0 or count == 0:
        return 0.0
    spread = count / close_rate
    if spread > drain_seconds / 2:
        logger.warning(
            "shutting down: %d WebSocket connections to close within %g s (half of "
            "SHUTDOWN_DRAIN_SECONDS): faster than SHUTDOWN_CLOSE_RATE, %g a second; a drain of %d s "
            "would keep to it",
            count,
            drain_seconds / 2,
            close_rate,
            math.ceil(2 * spread),
        )
        return drain_seconds / 2
    return spread


class DrainingServer(Server):
    """Daphne's server, whose shutdown drains its connections before it cancels them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ports: list[Any] = []  # Twisted's listening ports
        self.draining = False  # a request made meanwhile closes its connection (config/server.py)

    def listen_success(self, port: Any) -> None:
        self.ports.append(port)
        super().listen_success(port)

    def kill_all_applications(self) -> defer.Deferred:
        """Daphne's last step before the reactor stops (it cancels every application): drain first."""
        draining = self.drain(settings.SHUTDOWN_DRAIN_SECONDS, close_rate=settings.SHUTDOWN_CLOSE_RATE)
        drained = defer.Deferred.fromFuture(asyncio.ensure_future(draining))
        drained.addErrback(lambda failure: logger.error("draining failed: %s", failure.getErrorMessage()))
        drained.addCallback(lambda _: super(DrainingServer, self).kill_all_applications())
        return drained

    async def drain(self, seconds: float, *, close_rate: float = 0.0) -> None:
        """Stop listening, then until `seconds` have passed or no connection's application is
        under way: send the open WebSockets away (`_send_away`), in random order, `close_rate` a
        second (0: all at once) over at most half of `seconds`, so that their clients do not all
        reconnect to the other processes at once; drop the handshakes not yet answered, and wait.
        (Requests still come on kept-alive HTTP connections, each then closing its connection;
        handshakes under way open WebSockets: each turn closes those at once.)"""
        self.draining = True
        for port in self.ports:
            port.stopListening()
        began = time.monotonic()
        order = [p for p in self.connections if isinstance(p, WebSocketProtocol) and p.state == p.STATE_OPEN]
        random.shuffle(order)
        spread = close_spread(len(order), close_rate, seconds)
        waiting, taken = set(order), 0
        told: dict[Any, float] = {}
        while True:
            elapsed = time.monotonic() - began
            turn = len(order) if elapsed >= spread else math.floor(len(order) * elapsed / spread) + 1
            waiting.difference_update(order[taken:turn])
            taken = max(taken, turn)
            self._send_away(spare=waiting, told=told)
            under_way, left = self.under_way(), seconds - (time.monotonic() - began)
            if (not under_way and not waiting) or left <= 0:
                break
            if under_way:
                await asyncio.wait(under_way, timeout=min(left, SWEEP_SECONDS))
            else:
                await asyncio.sleep(min(left, SWEEP_SECONDS))
        unsent = await channel.kept_events_sent(max(0.0, seconds - (time.monotonic() - began)))
        if unsent:
            logger.error(
                "shutting down: %d events Redis did not take are given up; their recipients read "
                "them at their next sign-in or fetch",
                unsent,
            )
        logger.info(
            "shutting down: %d WebSocket connections sent away in %.1f s; %d connections left to cancel",
            len(told),
            time.monotonic() - began,
            len(under_way),
        )

    def _send_away(self, *, spare: set[Any], told: dict[Any, float]) -> None:
        """Tell the open WebSockets but those in `spare` (waiting for their turn) to go away, and
        note when in `told`; close those told GOING_AWAY_WAIT_SECONDS ago and still open; drop
        the handshakes under way."""
        now = time.monotonic()
        for protocol in list(self.connections):
            if not isinstance(protocol, WebSocketProtocol) or protocol in spare:
                continue
            if protocol.state == protocol.STATE_OPEN:
                queue = getattr(protocol, "application_queue", None)
                if protocol not in told and queue is not None:
                    queue.put_nowait({"type": GOING_AWAY})
                    told[protocol] = now
                elif queue is None or now - told[protocol] >= GOING_AWAY_WAIT_SECONDS:
                    told.setdefault(protocol, now)
                    # with a reason (autobahn's sendClose refuses 1001)
                    protocol.sendCloseFrame(code=CLOSE_GOING_AWAY, reasonUtf8=REASON_SHUTTING_DOWN.encode())
            elif protocol.state == protocol.STATE_CONNECTING:
                protocol.dropConnection(abort=True)

    def under_way(self) -> list[asyncio.Future]:
        """The applications of connections (requests, WebSockets) that have not finished."""
        return [
            instance
            for details in self.connections.values()
            if (instance := details.get("application_instance")) is not None and not instance.done()
        ]


def close_connections_of_requests_made_while_draining() -> None:
    """Daphne's HTTP requests (whichever class is installed): one that comes on a kept-alive
    connection while its server drains is answered with `Connection: close`, and its connection
    closes, so a client's next request goes to another process."""
    import daphne.http_protocol

    class ClosingWhileDrainingRequest(daphne.http_protocol.WebRequest):
        def process(self) -> Any:
            if getattr(self.server, "draining", False):
                self.channel.persistent = False
                self.responseHeaders.setRawHeaders(b"connection", [b"close"])
            return super().process()

    daphne.http_protocol.WebRequest = ClosingWhileDrainingRequest  # read by HTTPFactory.buildProtocol
