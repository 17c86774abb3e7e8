"""Each process's connections by address, and at most one channel-layer message per event per process.

Addresses are strings such as `user.7` (every connection of user 7), `activity.7` (connections
watching user 7's last activity) or `broadcast`. An event is sent with the addresses it is for;
each hub hands it to its own connections at those addresses. With Redis pub/sub it reaches only
the hubs that serve one of its addresses (events/routes.py: each hub tells Redis which addresses
it serves as connections join and leave), in one message per hub; otherwise it goes to the
channel-layer group every hub joins. So a message to a group of four is one read per process
serving its members, instead of a trip through every recipient connection's queue; and the events
committed together (a batch of sends) share one message per process.
"""

import asyncio
import contextvars
import logging
import random
import time
import weakref
from collections import defaultdict
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from config.metrics import SEND_DELIVERY_SECONDS
from events import routes
from events.channel import ARRIVED_AT, HUB_GROUP
from events.kinds import Event, EventsMissed, event_from_channel_message

logger = logging.getLogger("realtime")

CHANNEL_PREFIX = routes.HUB_CHANNEL_PREFIX
# The core and in-memory layers forget group members after `group_expiry` (five minutes with the
# core layer, see config/settings.py, so a stopped process's hub stops receiving): hubs rejoin
# well before.
REJOIN_SECONDS = 60.0
# With routing by address, how often a hub checks that Redis still holds its routes
# (events.routes.routes_lost), so that after a Redis restart its users' events flow again within
# seconds: one round trip.
ROUTES_CHECK_SECONDS = 2.0


class Connection(Protocol):
    async def deliver(self, event: Event) -> None: ...


class Hub:
    """The connections of one process (one event loop) and the task that delivers to them."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.members: defaultdict[str, set[Connection]] = defaultdict(set)
        self.channel: str | None = None
        self.routed = False  # events routed by address (events.routes), set on start
        self.serving: dict[str, asyncio.Future[None]] = {}  # addresses whose route is being written
        self._started: asyncio.Task | None = None
        self._tasks: list[asyncio.Task] = []

    async def _start(self) -> None:
        self.channel = await self.layer.new_channel(CHANNEL_PREFIX)
        self.routed = routes.routing_enabled()
        if self.routed:
            await routes.serve_all(self.channel, [])  # its mark: from now on, one missing is a loss
        else:
            await self.layer.group_add(HUB_GROUP, self.channel)
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._rejoin())]

    async def ready(self) -> None:
        """Start listening on first use (again, if that failed); later calls return at once."""
        started = self._started
        if started is None or (started.done() and (started.cancelled() or started.exception())):
            # In a context of its own: its tasks serve every connection of the loop, so their log
            # lines name none (they would carry the fields of the connection that came first).
            started = self._started = asyncio.get_running_loop().create_task(
                self._start(), context=contextvars.Context()
            )
        await asyncio.shield(started)

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def join(self, address: str, connection: Connection) -> None:
        """Deliver events sent to `address` to this connection from now on (with routing, once
        Redis routes the address here: a second connection joining meanwhile waits for it too)."""
        await self.ready()
        first = address not in self.members
        self.members[address].add(connection)
        if not self.routed:
            return
        if first:
            assert self.channel is not None
            self.serving[address] = asyncio.ensure_future(routes.serve(self.channel, address))
        pending = self.serving.get(address)
        if pending is not None:
            try:
                await asyncio.shield(pending)
            finally:
                if pending.done() and self.serving.get(address) is pending:
                    del self.serving[address]

    def leave(self, address: str, connection: Connection) -> None:
        members = self.members.get(address)
        if members is not None:
            members.discard(connection)
            if not members:
                del self.members[address]
                if self.routed:
                    self.serving.pop(address, None)
                    routes.stop_serving(self.channel or "", address)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub: receiving from the channel layer failed; retrying")
                await asyncio.sleep(0.5)
                continue
            await self.deliver(message)

    async def _rejoin(self) -> None:
        """Register the hub's routes (or join its group) again every REJOIN_SECONDS, and its routes
        at once when Redis lost them (checked every ROUTES_CHECK_SECONDS); then events meant for
        its connections may have been lost, and each of them closes (`EventsMissed`)."""
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(ROUTES_CHECK_SECONDS if self.routed else REJOIN_SECONDS)
            channel = self.channel or ""
            try:
                if not self.routed:
                    await self.layer.group_add(HUB_GROUP, channel)
                    continue
                lost = await routes.routes_lost(channel)
                if lost or time.monotonic() - renewed >= REJOIN_SECONDS:
                    await routes.serve_all(channel, list(self.members))
                    renewed = time.monotonic()
                if lost:
                    self._tasks.append(asyncio.create_task(self._resync()))
                    self._tasks = [task for task in self._tasks if not task.done()]
            except Exception:
                logger.exception("hub: renewing its routes or its group failed")

    async def _resync(self) -> None:
        """Tell every connection that events meant for it may have been lost (each closes, so its
        client reconnects and reads again what it missed), in random order and RESYNC_CLOSE_RATE
        a second: closed at once, every client of every process would reconnect in the same
        second. Until its turn a connection gets its events (the hub's routes are back)."""
        connections = list(dict.fromkeys(c for members in self.members.values() for c in members))
        random.shuffle(connections)
        rate: float = settings.RESYNC_CLOSE_RATE
        spread = len(connections) / rate if rate > 0 else 0.0
        logger.warning(
            "hub: Redis lost this process's routes (restarted, or an event came while the hub's "
            "subscription was down); closing its %d connections over %.0f s so that their clients resync",
            len(connections),
            spread,
        )
        missed = EventsMissed()
        loop = asyncio.get_running_loop()
        began = loop.time()
        telling: list[asyncio.Task[None]] = []
        for index, connection in enumerate(connections):
            wait = began + spread * index / len(connections) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            # Each in a task of its own: a connection leaves its user (a Redis round trip) before
            # it closes, and told in turn 2,500 connections took 17 s whatever the rate.
            telling.append(asyncio.create_task(self._tell(connection, missed)))
        await asyncio.gather(*telling)

    @staticmethod
    async def _tell(connection: Connection, event: Event) -> None:
        try:
            await connection.deliver(event)
        except Exception:
            logger.exception("hub: closing a connection to resync failed")

    async def deliver(self, message: dict[str, Any]) -> None:
        """Hand each event of a channel-layer message to this process's connections at its
        addresses, once each; for a send's event, record how long since the send arrived."""
        for item in message.get("batch") or [message]:
            try:
                event = event_from_channel_message(item)
                addresses = list(item["to"])
            except Exception:
                logger.exception("hub: cannot read event %.200r", item)
                continue
            targets: dict[Connection, None] = {}
            for address in addresses:
                for connection in self.members.get(address, ()):
                    targets[connection] = None
            for connection in targets:
                try:
                    await connection.deliver(event)
                except Exception:
                    logger.exception("hub: delivering %s failed", event.kind)
            arrived_at = item.get(ARRIVED_AT)
            if arrived_at is not None and targets:
                SEND_DELIVERY_SECONDS.observe(time.time() - arrived_at)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def current_hub() -> Hub:
    """This event loop's hub, on the current channel layer."""
    loop, layer = asyncio.get_running_loop(), get_channel_layer()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        if hub is not None:
            hub.close()
        hub = _hubs[loop] = Hub(layer)
    return hub
