"""Which processes serve which addresses, so that an event reaches only the processes of its
recipients, each in one message holding the addresses it serves.

With Redis pub/sub (REDIS_URL, CHANNEL_LAYER=pubsub) each process's hub reads a channel of its own
(realtime/hub.py), and Redis holds, for every address served somewhere, the set of hub channels
that serve it (`<prefix>route:<address>`). A hub registers an address when its first connection
there joins and unregisters it when the last one leaves, and registers all of its addresses again
every minute (a Redis restart forgets them). To send a batch of events the publisher looks up the
routes of their addresses in one round trip and publishes one message per hub in a second; a hub
that no longer listens (its PUBLISH reached nobody: the process died) is removed from the routes
that named it. A process idle while others are busy thus reads nothing, and adding processes adds
capacity instead of multiplying what each one decodes.

Without Redis pub/sub, or with EVENT_ROUTING=broadcast, every event goes to the group all hubs join
(`events.channel.HUB_GROUP`): one round trip per batch instead of two, which is a little cheaper
when every process serves a part of nearly every conversation (two or three processes)."""

import asyncio
import logging
from collections import defaultdict
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from config.loop_batches import LoopBatches, settle
from config.redis_client import loop_client

logger = logging.getLogger("realtime")


def routing_enabled() -> bool:
    """Whether events are routed by address (Redis pub/sub, EVENT_ROUTING=address), rather than
    sent to every hub."""
    return bool(settings.REDIS_URL) and settings.CHANNEL_LAYER == "pubsub" and settings.EVENT_ROUTING == "address"


def route_key(address: str) -> str:
    return f"{settings.CHANNEL_LAYER_PREFIX}route:{address}"


class RouteChanges(LoopBatches[tuple[str, str, bool, asyncio.Future[None] | None]]):
    """(hub channel, address, served?) changes of one event loop, written in one pipeline, in the
    order they were made (a leave and a join of the same moment keep their order)."""

    limit = 500
    gather_s = None

    async def handle(self, batch: list[tuple[str, str, bool, asyncio.Future[None] | None]]) -> None:
        client = loop_client()
        assert client is not None, "routes change only with Redis"
        answer: Exception | None = None
        try:
            async with client.pipeline(transaction=False) as pipe:
                for channel, address, served, _ in batch:
                    if served:
                        pipe.sadd(route_key(address), channel)
                    else:
                        pipe.srem(route_key(address), channel)
                await pipe.execute()
        except Exception as error:
            logger.error("%d route changes not written: %r", len(batch), error)
            answer = error
        for _, _, _, written in batch:
            if written is not None:
                settle(written, answer)


async def serve(channel: str, address: str) -> None:
    """Route events for `address` to the hub reading `channel`; returns once Redis knows it."""
    written = asyncio.get_running_loop().create_future()
    RouteChanges.of_this_loop().put((channel, address, True, written))
    await written


def stop_serving(channel: str, address: str) -> None:
    """Route no more events for `address` to the hub reading `channel` (written soon after)."""
    RouteChanges.of_this_loop().put((channel, address, False, None))


async def serve_all(channel: str, addresses: list[str]) -> None:
    """Register every address the hub serves again (after a Redis restart, routes are gone)."""
    client = loop_client()
    if client is None or not addresses:
        return
    async with client.pipeline(transaction=False) as pipe:
        for address in addresses:
            pipe.sadd(route_key(address), channel)
        await pipe.execute()


async def send_routed(items: list[dict[str, Any]], message_type: str) -> None:
    """Send addressed events ({"kind", "data", "to"}) to the hubs that serve their addresses: one
    message per hub, each event in it addressed to that hub's own addresses only."""
    client = loop_client()
    assert client is not None, "events are routed only with Redis"
    addresses = sorted({address for item in items for address in item["to"]})
    async with client.pipeline(transaction=False) as pipe:
        for address in addresses:
            pipe.smembers(route_key(address))
        routes = dict(zip(addresses, await pipe.execute(), strict=True))
    per_hub: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        served: defaultdict[str, list[str]] = defaultdict(list)
        for address in item["to"]:
            for channel in routes[address]:
                served[channel.decode()].append(address)
        for channel, its_addresses in served.items():
            per_hub[channel].append({**item, "to": its_addresses})
    if not per_hub:
        return
    layer = get_channel_layer()
    channels = list(per_hub)
    async with client.pipeline(transaction=False) as pipe:
        for channel in channels:
            events = per_hub[channel]
            body = events[0] if len(events) == 1 else {"batch": events}
            pipe.publish(channel, layer.serialize({"type": message_type, **body}))
        readers = await pipe.execute()
    gone = [channel for channel, count in zip(channels, readers, strict=True) if count == 0]
    if gone:
        await _forget_hubs(gone, routes)


async def _forget_hubs(channels: list[str], routes: dict[str, set[bytes]]) -> None:
    """Remove hubs nobody reads any more from the routes that were found to name them."""
    client = loop_client()
    assert client is not None
    logger.info("routes: %d hub(s) no longer listen; forgetting them", len(channels))
    async with client.pipeline(transaction=False) as pipe:
        for address, members in routes.items():
            stale = [channel for channel in channels if channel.encode() in members]
            if stale:
                pipe.srem(route_key(address), *stale)
        await pipe.execute()
