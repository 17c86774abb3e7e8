"""Events routed by address: a process's hub reads only the events for addresses it serves, one
message per batch with only its own addresses, a hub that stopped listening is forgotten, and a hub
registers its routes again within seconds once Redis lost them, and tells its connections that
events meant for them may have been lost."""

import asyncio
from typing import Any

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from config.redis_client import loop_client
from events import routes
from events.channel import CHANNEL_MESSAGE_TYPE
from events.kinds import Event, EventsMissed
from realtime import hub as hub_module
from realtime.hub import Hub

pytestmark = pytest.mark.redis


class Listener:
    """A connection that records what it is handed."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def deliver(self, event: Event) -> None:
        self.events.append(event)


class Process:
    """A hub on a channel layer of its own, as in a server process, counting the messages it reads."""

    def __init__(self) -> None:
        self.layer = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=settings.CHANNEL_LAYER_PREFIX)
        self.hub = Hub(self.layer)
        self.messages: list[dict[str, Any]] = []
        deliver = self.hub.deliver

        async def counting(message: dict[str, Any]) -> None:
            self.messages.append(message)
            await deliver(message)

        self.hub.deliver = counting  # type: ignore[method-assign]

    async def close(self) -> None:
        self.hub.close()
        await self.layer.flush()


def typing(conversation_id: int, *addresses: str) -> dict[str, Any]:
    data = {"conversation_id": conversation_id, "user_id": 1}
    return {"kind": "typing", "data": data, "to": list(addresses)}


async def until(condition, what: str) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what} did not happen within 2 s")


@pytest.fixture
async def processes():
    if not routes.routing_enabled():
        pytest.skip("events are routed by address only with Redis pub/sub (CHANNEL_LAYER=pubsub)")
    started = [Process(), Process()]
    yield started
    for process in started:
        await process.close()


async def test_each_hub_reads_only_the_events_of_its_addresses(processes):
    first, second = processes
    alice, bob = Listener(), Listener()
    await first.hub.join("user.9001", alice)
    await second.hub.join("user.9002", bob)

    await routes.send_routed([typing(1, "user.9001"), typing(2, "user.9001", "user.9002")], CHANNEL_MESSAGE_TYPE)
    await until(lambda: len(alice.events) == 2 and len(bob.events) == 1, "delivery")
    # One message each, with only the addresses that hub serves.
    assert [[item["to"] for item in message["batch"]] for message in first.messages] == [[["user.9001"], ["user.9001"]]]
    assert [[item["to"] for item in message["batch"]] for message in second.messages] == [[["user.9002"]]]
    assert [event.conversation_id for event in bob.events] == [2]

    second.hub.leave("user.9002", bob)  # unregistered in the background, soon after
    client, key = loop_client(), routes.route_key("user.9002")
    for _ in range(100):
        if not await client.smembers(key):
            break
        await asyncio.sleep(0.02)
    await routes.send_routed([typing(3, "user.9001", "user.9002")], CHANNEL_MESSAGE_TYPE)
    await until(lambda: len(alice.events) == 3, "delivery")
    assert len(second.messages) == 1  # it serves nobody there any more: it reads nothing


async def test_an_event_to_more_addresses_than_a_short_array_holds_reaches_them_all(processes):
    """msgpack writes arrays of 16 and of 65,536 items or more with longer headers."""
    first, _ = processes
    await first.hub.ready()
    listeners = [Listener() for _ in range(70_000)]
    for n, listener in enumerate(listeners):
        first.hub.members[f"user.{100_000 + n}"].add(listener)
    await routes.serve_all(first.hub.channel, list(first.hub.members))
    await routes.send_routed([typing(6, *first.hub.members)], CHANNEL_MESSAGE_TYPE)
    await until(lambda: all(len(listener.events) == 1 for listener in listeners), "delivery")


async def test_a_hub_that_stopped_listening_is_forgotten(processes):
    first, _ = processes
    await first.hub.join("user.9003", Listener())
    gone = f"{settings.CHANNEL_LAYER_PREFIX}hub.gone"
    await routes.serve(gone, "user.9003")
    client = loop_client()
    assert await client.smembers(routes.route_key("user.9003")) == {gone.encode(), first.hub.channel.encode()}

    await client.set(routes.registered_key(gone), 1)
    assert not await routes.routes_lost(gone)  # nobody reads its channel: nothing to register again

    await routes.send_routed([typing(4, "user.9003")], CHANNEL_MESSAGE_TYPE)
    assert await client.smembers(routes.route_key("user.9003")) == {first.hub.channel.encode()}
    assert await client.exists(routes.registered_key(gone)) == 0  # its mark goes with its routes


async def test_a_route_expires_unless_a_live_hub_registers_it_again(processes):
    first, _ = processes
    await routes.serve(f"{settings.CHANNEL_LAYER_PREFIX}hub.crashed", "user.9005")  # it never leaves
    client, key = loop_client(), routes.route_key("user.9005")
    assert 0 < await client.ttl(key) <= routes.ROUTE_TTL_SECONDS
    await client.expire(key, 1)
    await first.hub.join("user.9005", Listener())  # a live hub registers it: the expiry is renewed
    assert await client.ttl(key) > 1
    await client.expire(key, 1)
    await routes.serve_all(first.hub.channel, list(first.hub.members))  # as every minute
    assert await client.ttl(key) > 1


async def test_route_changes_of_one_batch_keep_their_order(processes):
    first, _ = processes
    await first.hub.ready()
    channel, client = first.hub.channel, loop_client()
    routes.stop_serving(channel, "user.9006")
    await routes.serve(channel, "user.9006")  # in the same batch: left, then joined again
    assert await client.smembers(routes.route_key("user.9006")) == {channel.encode()}

    written = asyncio.get_running_loop().create_future()
    routes.RouteChanges.of_this_loop().put((channel, "user.9007", True, None), (channel, "user.9007", False, written))
    await written  # joined, then left
    assert await client.exists(routes.route_key("user.9007")) == 0


async def test_routes_come_back_when_a_hub_renews_them(processes):
    first, _ = processes
    listener = Listener()
    await first.hub.join("user.9004", listener)
    client = loop_client()
    await client.delete(routes.route_key("user.9004"))  # as after a Redis restart
    await routes.serve_all(first.hub.channel, list(first.hub.members))
    await routes.send_routed([typing(5, "user.9004")], CHANNEL_MESSAGE_TYPE)
    await until(lambda: len(listener.events) == 1, "delivery")


def test_publishing_from_synchronous_code_leaves_no_redis_connection_open():
    """A management command publishes through a loop made and closed per call: its connections
    close with it (other tests' clients come and go meanwhile, hence the margin)."""
    import redis
    from asgiref.sync import async_to_sync

    async def publish_once() -> None:
        await routes.send_routed([typing(1, "user.999999")], CHANNEL_MESSAGE_TYPE)

    watcher = redis.Redis.from_url(settings.REDIS_URL)
    before = watcher.info("clients")["connected_clients"]
    for _ in range(200):
        async_to_sync(publish_once)()
    assert watcher.info("clients")["connected_clients"] - before < 100
    watcher.close()


async def test_a_hub_registers_its_routes_again_within_seconds_once_redis_lost_them(processes, monkeypatch):
    monkeypatch.setattr(hub_module, "ROUTES_CHECK_SECONDS", 0.05)
    first, _ = processes
    listener = Listener()
    await first.hub.join("user.9008", listener)
    client, mark, key = loop_client(), routes.registered_key(first.hub.channel), routes.route_key("user.9008")
    await eventually(lambda: client.exists(mark), "the hub's mark")
    assert not await routes.routes_lost(first.hub.channel)

    await client.delete(key, mark)  # as after a Redis restart (well before the minute's renewal)
    await eventually(lambda: client.exists(key), "the route registered again")
    await until(lambda: len(listener.events) == 1, "the connection told")
    assert listener.events == [EventsMissed()]  # events meant for it may have been lost
    await routes.send_routed([typing(7, "user.9008")], CHANNEL_MESSAGE_TYPE)
    await until(lambda: len(listener.events) == 2, "delivery")
    assert not await routes.routes_lost(first.hub.channel)  # told once


async def _joined_then_routes_lost(hub: Hub, listeners: list[Listener], *, first_user: int) -> None:
    """Each listener joins the hub as a user of its own (from `first_user` on); once Redis holds
    the hub's mark, the mark is deleted, as a Redis restart loses it."""
    for number, listener in enumerate(listeners):
        await hub.join(f"user.{first_user + number}", listener)
    await eventually(lambda: loop_client().exists(routes.registered_key(hub.channel)), "the hub's mark")
    await loop_client().delete(routes.registered_key(hub.channel))


async def test_a_hub_tells_its_connections_over_the_spread_and_delivers_to_those_not_yet_told(
    processes, monkeypatch, settings
):
    """So that their clients do not all reconnect at once (RESYNC_CLOSE_RATE)."""
    monkeypatch.setattr(hub_module, "ROUTES_CHECK_SECONDS", 0.05)
    settings.RESYNC_CLOSE_RATE = 2.5  # four connections: told at 0, 0.4, 0.8 and 1.2 s
    first, _ = processes
    listeners = [Listener() for _ in range(4)]
    await _joined_then_routes_lost(first.hub, listeners, first_user=9020)
    await until(lambda: sum(EventsMissed() in listener.events for listener in listeners) == 1, "the first told")
    told_at = asyncio.get_running_loop().time()
    waiting = [listener for listener in listeners if not listener.events]
    assert len(waiting) == 3  # the others later
    await routes.send_routed([typing(7, "user.9020", "user.9021", "user.9022", "user.9023")], CHANNEL_MESSAGE_TYPE)
    await until(lambda: all(len(listener.events) == 1 for listener in waiting), "delivery before being told")
    assert all(listener.events[0].kind == "typing" for listener in waiting)
    for _ in range(200):  # each told once, the last about 1.2 s after the first
        if all(EventsMissed() in listener.events for listener in listeners):
            break
        await asyncio.sleep(0.02)
    assert asyncio.get_running_loop().time() - told_at >= 1.0
    assert all(listener.events.count(EventsMissed()) == 1 for listener in listeners)


class SlowToLeave(Listener):
    """A connection that takes a while to close once told (it leaves its user first: Redis)."""

    async def deliver(self, event: Event) -> None:
        await super().deliver(event)
        if event == EventsMissed():
            await asyncio.sleep(2)


async def test_a_hub_does_not_wait_for_one_connection_to_close_before_telling_the_next(
    processes, monkeypatch, settings
):
    monkeypatch.setattr(hub_module, "ROUTES_CHECK_SECONDS", 0.05)
    settings.RESYNC_CLOSE_RATE = 0  # all at once
    first, _ = processes
    listeners = [SlowToLeave() for _ in range(3)]
    await _joined_then_routes_lost(first.hub, listeners, first_user=9030)
    await until(lambda: any(EventsMissed() in listener.events for listener in listeners), "the first told")
    await asyncio.sleep(0.5)  # well before the first has closed
    assert all(listener.events == [EventsMissed()] for listener in listeners)


async def test_a_new_hub_has_its_mark_so_a_missing_one_means_a_loss(processes):
    first, _ = processes
    await first.hub.ready()
    assert await loop_client().exists(routes.registered_key(first.hub.channel))


async def eventually(check, what: str) -> None:
    """Wait until the awaitable `check()` answers something true."""
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what} did not happen within 2 s")


async def test_hubs_whose_events_a_publisher_gave_up_are_told_to_resync(processes, monkeypatch):
    monkeypatch.setattr(hub_module, "ROUTES_CHECK_SECONDS", 0.05)
    first, second = processes
    told, untouched = Listener(), Listener()
    await first.hub.join("user.9010", told)
    await second.hub.join("user.9011", untouched)
    await routes.events_lost({"user.9010"})
    await until(lambda: told.events == [EventsMissed()], "the hub serving the address told")
    assert untouched.events == [] and not await routes.routes_lost(second.hub.channel)

    await routes.events_lost(None)  # too many addresses to name: every hub
    await until(lambda: untouched.events == [EventsMissed()], "every hub told")
