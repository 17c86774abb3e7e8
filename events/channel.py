"""Events leave a process through one queue: one channel-layer message in flight at a time, and
the events queued meanwhile (from any connection of the process) go together in the next. With
Redis pub/sub a batch goes only to the processes serving its addresses (events.routes).

channels-redis's pub/sub layer sends a process's PUBLISHes one at a time, each waiting for its
reply behind a lock: at 100 sign-ins a second, each announcing its user online, announcements
queued for seconds behind one another. Sent together, events cost one round trip per batch
instead of one each. Each caller still waits until its events are sent, so an answer still
follows the events its request caused (unless Redis refused them: see `Publisher`); events are
sent in the order they were queued."""

import asyncio
import contextvars
import itertools
import logging
import time
from collections import deque
from typing import Any, cast

from channels.layers import get_channel_layer

from config.errors import REDIS_UNREACHABLE
from config.loop_batches import LoopBatches, settle
from config.metrics import EVENTS_UNSENT_DROPPED as UNSENT_DROPPED
from events import routes

logger = logging.getLogger("realtime")

# The channel-layer group every process's hub joins when events are not routed by address
# (events.routes), and the message type a hub reads.
HUB_GROUP = "hubs"
CHANNEL_MESSAGE_TYPE = "domain.event"
# A message carries one event, or a "batch" of at most this many.
EVENTS_PER_MESSAGE = 100
# An event's optional key: when the send that caused it arrived (wall clock, seconds), for the
# delivery-time metric each hub records.
ARRIVED_AT = "arrived_at"
# Events whose sending failed are sent again (Redis asked first after RETRY_FIRST_SECONDS, then
# twice as long each time up to RETRY_MAX_SECONDS) for this long, and at most this many are kept.
UNSENT_SECONDS = 30
UNSENT_MAX = 20000
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 2.0
# Once Redis answers again, the kept events wait this long for the hubs to subscribe again
# (channels-redis's receiver tries every second).
RESUBSCRIBE_SECONDS = 1.5
# What a send raises when Redis cannot be reached (redis-py's errors, or the socket's own).
UNREACHABLE = (*REDIS_UNREACHABLE, ConnectionError, TimeoutError)


class Publisher(LoopBatches[tuple[dict[str, Any], asyncio.Future[None] | None]]):
    """One event loop's addressed events ({"kind", "data", "to"}, and a send's ARRIVED_AT); each
    caller's last event carries the future that tells it its events are sent.

    Events whose sending failed (Redis unreachable) are kept, in order, and sent again once Redis
    takes them, for at most UNSENT_SECONDS; events queued meanwhile wait behind them, and their
    callers are answered at once (an answer does not wait for Redis to come back). The hubs
    serving the addresses of events given up are told, so that their connections resync."""

    name = "publish"
    limit = EVENTS_PER_MESSAGE
    # Sent at once: on a busy loop one more turn per PUBLISH held every event back (and, during a
    # ramp, sign-ins past their clients' timeout); what queues meanwhile goes in the next.
    gather_s = None

    def __init__(self) -> None:
        super().__init__()
        self.unsent: deque[tuple[float, dict[str, Any]]] = deque()  # (when queued, event), oldest first
        self.lost: set[str] | None = set()  # addresses of events dropped unsent (None: too many to name)
        self.retrying: asyncio.Task[None] | None = None

    async def handle(self, batch: list[tuple[dict[str, Any], asyncio.Future[None] | None]]) -> None:
        items = [item for item, _ in batch]
        if self.retrying is not None:  # behind the events that wait for Redis
            self._keep(items)
        else:
            try:
                await send_batch(items)
            except UNREACHABLE as error:
                self._keep(items)
                logger.error(
                    "%d events not sent: %r; %d kept, to send again once Redis takes them",
                    len(items),
                    error,
                    len(self.unsent),
                )
            except Exception as error:  # not Redis's doing: sending them again would fail again
                logger.error("%d events not sent: %r", len(items), error)
        for _, sent in batch:
            if sent is not None:
                settle(sent, None)

    def _keep(self, items: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        self.unsent.extend((now, item) for item in items)
        while len(self.unsent) > UNSENT_MAX:
            self._drop(self.unsent.popleft()[1])
        if self.retrying is None:
            self.retrying = asyncio.create_task(self._send_unsent(), context=contextvars.Context())

    def _drop(self, item: dict[str, Any]) -> None:
        """Give up an event: its addresses' hubs are told once Redis answers, so they resync."""
        UNSENT_DROPPED.inc()
        if self.lost is not None:
            self.lost.update(item["to"])
            if len(self.lost) > routes.LOST_ADDRESSES_MAX:
                self.lost = None

    async def _send_unsent(self) -> None:
        """Once Redis answers again, and the hubs have had the time to subscribe again (a PUBLISH
        that reached a hub still away would lose its events and have it resync), tell the hubs
        whose events were dropped, then send the kept events, oldest first. Events kept longer
        than UNSENT_SECONDS are dropped."""
        delay = RETRY_FIRST_SECONDS
        try:
            while self.unsent or self.lost is None or self.lost:
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                expired = 0
                while self.unsent and time.monotonic() - self.unsent[0][0] > UNSENT_SECONDS:
                    self._drop(self.unsent.popleft()[1])
                    expired += 1
                if expired:
                    logger.error("%d events dropped: Redis did not take them within %d s", expired, UNSENT_SECONDS)
                if not await routes.redis_answers():
                    continue
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                try:
                    if self.lost is None or self.lost:
                        await routes.events_lost(self.lost)
                        self.lost = set()
                    while self.unsent:
                        chunk = [item for _, item in itertools.islice(self.unsent, self.limit)]
                        try:
                            await send_batch(chunk)
                            logger.info("%d events sent again", len(chunk))
                        except UNREACHABLE:
                            raise
                        except Exception as error:  # not Redis's doing: they would fail again
                            logger.error("%d events not sent: %r", len(chunk), error)
                        for _ in chunk:  # only `_keep` adds to the deque, at its end
                            self.unsent.popleft()
                except UNREACHABLE:
                    continue
        finally:
            self.retrying = None


async def kept_events_sent(seconds: float) -> int:
    """Wait at most `seconds` for this event loop's publisher to send the events Redis refused (a
    process shutting down); answers how many it still keeps, which are given up and counted. No
    hub is told of these (Redis does not answer): their recipients read them at their next
    sign-in or fetch."""
    publisher = cast(Publisher | None, Publisher._instances.get(asyncio.get_running_loop()))
    if publisher is None:
        return 0
    deadline = time.monotonic() + seconds
    while publisher.retrying is not None and (left := deadline - time.monotonic()) > 0:
        await asyncio.wait({publisher.retrying}, timeout=left)
    unsent = len(publisher.unsent)
    UNSENT_DROPPED.inc(unsent)
    return unsent


async def send_batch(items: list[dict[str, Any]]) -> None:
    """Send addressed events in one message: to the hubs serving their addresses, or to all.

    Messages are msgpack, which holds integers within 64 bits only. PostgreSQL's jsonb gives a
    client's float such as 1e20 (in a message's `x`, say) back as the integer 10**20: such an
    integer goes as a float again, rather than failing the batch and every event in it."""
    try:
        await _send_batch(items)
    except OverflowError:  # msgpack refused it before anything was sent
        await _send_batch(_within_64_bits(items))


async def _send_batch(items: list[dict[str, Any]]) -> None:
    if routes.routing_enabled():
        await routes.send_routed(items, CHANNEL_MESSAGE_TYPE)
    else:
        body = items[0] if len(items) == 1 else {"batch": items}
        await get_channel_layer().group_send(HUB_GROUP, {"type": CHANNEL_MESSAGE_TYPE, **body})


def _within_64_bits(value: Any) -> Any:
    """The value with every integer msgpack cannot hold made a float."""
    if isinstance(value, dict):
        return {key: _within_64_bits(child) for key, child in value.items()}
    if isinstance(value, (list, tuple)):
        return [_within_64_bits(child) for child in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return float(value)
    return value


async def send_to_hubs(items: list[dict[str, Any]]) -> None:
    """Send addressed events to every process's hub, through this event loop's queue; returns once
    they are sent (a failure is logged, not raised)."""
    if not items:
        return
    sent = asyncio.get_running_loop().create_future()
    Publisher.of_this_loop().put(*[(item, None) for item in items[:-1]], (items[-1], sent))
    await sent
