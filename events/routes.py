"""Which processes serve which addresses, so that an event reaches only the processes of its
recipients, each in one message holding the addresses it serves.

With Redis pub/sub (REDIS_URL, CHANNEL_LAYER=pubsub) each process's hub reads a channel of its own
(realtime/hub.py), and Redis holds, for every address served somewhere, the set of hub channels
that serve it (`<prefix>route:<address>`). A hub registers an address when its first connection
there joins and unregisters it when the last one leaves, and registers all of its addresses again
every minute (a Redis restart forgets them). Every registration renews the route's expiry
(ROUTE_TTL_SECONDS), so a route that no live process serves any more (every hub that named it
died) is gone within minutes. A batch of events is sent by a script in Redis that
looks up the routes of their addresses and publishes one message per hub, in one round trip; a hub
that no longer listens (its PUBLISH reached nobody: the process died) is removed from the routes
that named it, and its mark (below) is removed with it. A process idle while others are busy thus
reads nothing, and adding processes adds capacity instead of multiplying what each one decodes.

Each full registration also writes the hub's mark (`registered_key`), which lives as long as a
route. A hub checks every few seconds (`routes_lost`) that its mark is there while its channel is
read: a restarted Redis holds neither routes nor mark, and a publish that reached the hub while its
subscription was down (Redis restarting) took its routes and mark, so the hub registers everything
again within seconds instead of at the next minute, when every event for its users went nowhere,
and closes its connections so that their clients read again what they missed (a hub writes its
mark as it starts: a missing mark always means events were lost).

Without Redis pub/sub, or with EVENT_ROUTING=broadcast, every event goes to the group all hubs join
(`events.channel.HUB_GROUP`): no lookups, which is a little cheaper when every process serves a
part of nearly every conversation (two or three processes)."""

import asyncio
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

import msgpack  # type: ignore[import-untyped]
from django.conf import settings

from config.loop_batches import LoopBatches, settle
from config.redis_client import loop_client

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

logger = logging.getLogger("realtime")


def routing_enabled() -> bool:
    """Whether events are routed by address (Redis pub/sub, EVENT_ROUTING=address), rather than
    sent to every hub."""
    return bool(settings.REDIS_URL) and settings.CHANNEL_LAYER == "pubsub" and settings.EVENT_ROUTING == "address"


# A route lives this long after its last registration; live hubs register theirs every minute
# (realtime/hub.py: REJOIN_SECONDS).
ROUTE_TTL_SECONDS = 300


# What a hub's channel name starts with, after the channel layer's prefix (realtime/hub.py).
HUB_CHANNEL_PREFIX = "hub."


def route_key(address: str) -> str:
    return f"{settings.CHANNEL_LAYER_PREFIX}route:{address}"


# Writes route changes in order: KEYS are the addresses' route keys, ARGV the routes' time to live,
# then for each key the hub's channel and "1" (serve: add it, renew the expiry) or "0" (stop).
CHANGE_ROUTES = """
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  local channel = ARGV[2 * i]
  if ARGV[2 * i + 1] == '1' then
    redis.call('SADD', KEYS[i], channel)
    redis.call('EXPIRE', KEYS[i], ttl)
  else
    redis.call('SREM', KEYS[i], channel)
  end
end
return #KEYS
"""


async def _change_routes(changes: list[tuple[str, str, bool]]) -> None:
    """Write (hub channel, address, served?) changes in order, in one script call: redis-py packs
    one command's arguments, where a pipeline packed and parsed one or two commands a change
    (300 ms of the event loop for 10,000 registrations)."""
    client = loop_client()
    assert client is not None, "routes change only with Redis"
    args: list[str | int] = [ROUTE_TTL_SECONDS]
    for channel, _, served in changes:
        args += [channel, "1" if served else "0"]
    await client.register_script(CHANGE_ROUTES)(keys=[route_key(address) for _, address, _ in changes], args=args)


class RouteChanges(LoopBatches[tuple[str, str, bool, asyncio.Future[None] | None]]):
    """(hub channel, address, served?) changes of one event loop, written in one script call, in
    the order they were made (a leave and a join of the same moment keep their order)."""

    limit = 500
    gather_s = None

    async def handle(self, batch: list[tuple[str, str, bool, asyncio.Future[None] | None]]) -> None:
        answer: Exception | None = None
        try:
            await _change_routes([(channel, address, served) for channel, address, served, _ in batch])
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


# Addresses registered again per script call: the event loop packs one call at a time, and other
# work runs between calls.
SERVE_ALL_CHUNK = 1000


async def serve_all(channel: str, addresses: list[str]) -> None:
    """Register every address the hub serves again (after a Redis restart, routes are gone), a
    chunk per script call (`CHANGE_ROUTES`), then the hub's mark. Two commands an address in one
    pipeline stopped the event loop for 300 ms at 10,000 addresses (redis-py packs and parses each
    command), once a minute: a late second for every connection of the process. The script costs
    the loop 15 ms for 10,000, in pieces of about 1.5 ms. An address the hub leaves meanwhile may be
    registered again: its events then reach a hub that has no one there, until the route expires."""
    client = loop_client()
    if client is None:
        return
    for start in range(0, len(addresses), SERVE_ALL_CHUNK):
        await _change_routes([(channel, address, True) for address in addresses[start : start + SERVE_ALL_CHUNK]])
    await client.set(registered_key(channel), 1, ex=ROUTE_TTL_SECONDS)


def registered_key(channel: str) -> str:
    """The mark that Redis holds the routes of the hub reading `channel` (see the module's doc)."""
    return f"{channel}:routed"


async def routes_lost(channel: str) -> bool:
    """Whether the hub reading `channel` should register its routes again now: its channel is read
    (its subscription is back, after a Redis restart) and its mark is missing."""
    client = loop_client()
    if client is None:
        return False
    async with client.pipeline(transaction=False) as pipe:
        pipe.exists(registered_key(channel))
        pipe.pubsub_numsub(channel)
        marked, [(_, readers)] = await pipe.execute()
    return not marked and readers > 0


# Looks up the routes of a batch's addresses, builds each hub's message and publishes it, in one
# round trip. KEYS: the route keys of the batch's addresses. ARGV: the message's start (a msgpack
# map {"type": ..., "batch": <array follows>}), the packed key "to", the number of events n, then
# per event its packed map without "to" (its header counting "to") and the indexes (1-based, into
# KEYS) of its addresses, then each address packed. Each hub gets, in order, the events with an
# address it serves, each with only those addresses. A hub that no PUBLISH reaches any more (its
# process died, or its subscription is down) is removed from the routes that named it, and its
# mark (`registered_key`) deleted; the script answers those hubs.
PUBLISH_ROUTED = """
local function array_header(count)
  if count < 16 then return string.char(0x90 + count) end
  if count < 65536 then return string.char(0xdc, math.floor(count / 256), count % 256) end
  return string.char(0xdd, math.floor(count / 16777216) % 256, math.floor(count / 65536) % 256,
    math.floor(count / 256) % 256, count % 256)
end
local start, to_key, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local served = {}
for i = 1, #KEYS do served[i] = redis.call('SMEMBERS', KEYS[i]) end
local items, hubs = {}, {}
for j = 0, n - 1 do
  local addresses, order = {}, {}
  for index in string.gmatch(ARGV[5 + 2 * j], '%d+') do
    local i = tonumber(index)
    for _, hub in ipairs(served[i]) do
      if not addresses[hub] then addresses[hub] = {}; table.insert(order, hub) end
      table.insert(addresses[hub], ARGV[3 + 2 * n + i])
    end
  end
  for _, hub in ipairs(order) do
    if not items[hub] then items[hub] = {}; table.insert(hubs, hub) end
    local to = addresses[hub]
    table.insert(items[hub], ARGV[4 + 2 * j] .. to_key .. array_header(#to) .. table.concat(to))
  end
end
local gone = {}
for _, hub in ipairs(hubs) do
  local message = start .. array_header(#items[hub]) .. table.concat(items[hub])
  if redis.call('PUBLISH', hub, message) == 0 then
    table.insert(gone, hub)
    redis.call('DEL', hub .. ':routed')
    for i = 1, #KEYS do
      for _, member in ipairs(served[i]) do
        if member == hub then redis.call('SREM', KEYS[i], hub) end
      end
    end
  end
end
return gone
"""


# Deletes the marks of the hubs serving KEYS' addresses (each then finds its mark missing and has
# its connections resync); answers how many it deleted.
FORGET_SERVING = """
local deleted = 0
for i = 1, #KEYS do
  for _, hub in ipairs(redis.call('SMEMBERS', KEYS[i])) do deleted = deleted + redis.call('DEL', hub .. ':routed') end
end
return deleted
"""
# Addresses whose lost events are told to their hubs one by one; beyond, every hub is told.
LOST_ADDRESSES_MAX = 10000


async def events_lost(addresses: set[str] | None) -> None:
    """Tell the hubs serving these addresses (None: every hub) that events meant for them were
    lost: their marks go, so each has its connections resync within ROUTES_CHECK_SECONDS."""
    client = loop_client()
    if client is None or not routing_enabled():
        return
    if addresses is None:
        pattern = f"{settings.CHANNEL_LAYER_PREFIX}{HUB_CHANNEL_PREFIX}*:routed"
        marks = [key async for key in client.scan_iter(match=pattern, count=1000)]
        if marks:
            await client.delete(*marks)
        logger.warning("routes: events were lost; %d hub(s) told to resync", len(marks))
        return
    ordered, told = sorted(addresses), 0
    for start in range(0, len(ordered), SERVE_ALL_CHUNK):
        keys = [route_key(address) for address in ordered[start : start + SERVE_ALL_CHUNK]]
        told += await _forget_serving()(keys=keys)
    logger.warning("routes: events for %d address(es) were lost; %d hub(s) told to resync", len(ordered), told)


def _forget_serving() -> "AsyncScript":
    client = loop_client()
    assert client is not None
    return client.register_script(FORGET_SERVING)


async def redis_answers() -> bool:
    """Whether Redis answers now (always, without Redis)."""
    client = loop_client()
    if client is None:
        return True
    try:
        await client.ping()
    except Exception:
        return False
    return True


async def send_routed(items: list[dict[str, Any]], message_type: str) -> None:
    """Send addressed events ({"kind", "data", "to"}) to the hubs that serve their addresses: one
    message per hub, each event in it addressed to that hub's own addresses only, in one round
    trip (PUBLISH_ROUTED). The messages are msgpack, as channels-redis's pub/sub layer reads them
    (the layer is configured without encryption, config/settings.py)."""
    client = loop_client()
    assert client is not None, "events are routed only with Redis"
    addresses = sorted({address for item in items for address in item["to"]})
    index = {address: i for i, address in enumerate(addresses, start=1)}
    args: list[bytes | str | int] = [_message_start(message_type), _TO_KEY, len(items)]
    for item in items:
        rest = {key: value for key, value in item.items() if key != "to"}
        packed = msgpack.packb(rest)
        assert len(rest) < 15 and packed[0] == 0x80 + len(rest), "an event is a small map"
        args += [bytes([0x80 + len(rest) + 1]) + packed[1:], " ".join(str(index[a]) for a in item["to"])]
    args += [msgpack.packb(address) for address in addresses]
    gone = await _publish_routed()(keys=[route_key(address) for address in addresses], args=args)
    if gone:
        logger.info("routes: %d hub(s) no longer listen; forgot them", len(gone))


_TO_KEY = msgpack.packb("to")


@cache
def _message_start(message_type: str) -> bytes:
    """A hub message up to its batch's array: {"type": message_type, "batch": ...}."""
    whole: bytes = msgpack.packb({"type": message_type, "batch": []})
    assert whole.endswith(b"\x90")
    return whole[:-1]


def _publish_routed() -> "AsyncScript":
    """This loop's client's handle on PUBLISH_ROUTED, sent by its hash (and loaded when Redis
    lacks it); a handle is a hash of the text, cheap to make per batch."""
    client = loop_client()
    assert client is not None
    return client.register_script(PUBLISH_ROUTED)
