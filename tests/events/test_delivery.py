"""A process's events leave through one queue: those queued together share one channel-layer
message, and each caller goes on once its own events are sent."""

import asyncio

import pytest

from events import channel
from events.delivery import send_events, send_to_addresses
from events.kinds import Typing
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


def _recording(monkeypatch) -> list:
    """Record every message of events sent, and when the callers got their answer."""
    log: list = []
    send_batch = channel.send_batch

    async def recording(items):
        await send_batch(items)
        log.append(("sent", [item["data"]["conversation_id"] for item in items]))

    monkeypatch.setattr(channel, "send_batch", recording)
    return log


def _typing(conversation_id: int, user_id: int) -> Typing:
    return Typing(recipients=(user_id,), actor_id=user_id, conversation_id=conversation_id, user_id=user_id)


async def test_events_queued_together_leave_in_one_message_in_order(monkeypatch):
    bob = await db(make_user)()
    watcher = await sama_connected(bob)
    log = _recording(monkeypatch)

    async def caller(name, events):
        await send_events(events)
        log.append(("returned", name))

    await asyncio.gather(
        caller("first", [_typing(1, bob.pk), _typing(2, bob.pk)]),
        caller("second", [_typing(3, bob.pk)]),
        send_to_addresses([f"user.{bob.pk}"], _typing(4, bob.pk)),
    )
    assert log[0] == ("sent", [1, 2, 3, 4])
    assert sorted(log[1:]) == [("returned", "first"), ("returned", "second")]
    assert [(await watcher.receive())["typing"]["cid"] for _ in range(4)] == ["1", "2", "3", "4"]
    await watcher.nothing()
    await watcher.close()


async def test_events_queued_while_one_message_is_in_flight_leave_together_in_the_next(monkeypatch):
    bob = await db(make_user)()
    log = _recording(monkeypatch)
    in_flight, queued = asyncio.Event(), asyncio.Event()
    recording = channel.send_batch

    async def held_first(items):
        if not in_flight.is_set():
            in_flight.set()
            await queued.wait()
        await recording(items)

    monkeypatch.setattr(channel, "send_batch", held_first)
    first = asyncio.ensure_future(send_events([_typing(1, bob.pk)]))
    await in_flight.wait()
    later = asyncio.gather(send_events([_typing(2, bob.pk)]), send_events([_typing(3, bob.pk)]))
    await asyncio.sleep(0)  # both queued
    queued.set()
    await asyncio.gather(first, later)
    assert log == [("sent", [1]), ("sent", [2, 3])]


async def test_a_message_the_channel_layer_refuses_is_logged_and_sent_again_before_the_next(monkeypatch, caplog):
    monkeypatch.setattr(channel, "RETRY_FIRST_SECONDS", 0.01)
    monkeypatch.setattr(channel, "RESUBSCRIBE_SECONDS", 0.01)
    bob = await db(make_user)()
    log = _recording(monkeypatch)
    recording = channel.send_batch
    failures = [ConnectionError("redis went away")]

    async def failing_once(items):
        if failures:
            raise failures.pop()
        await recording(items)

    monkeypatch.setattr(channel, "send_batch", failing_once)
    await send_events([_typing(1, bob.pk)])  # returns: the caller is not left waiting
    assert "1 events not sent" in caplog.text
    await send_events([_typing(2, bob.pk)])
    for _ in range(100):
        if sum(len(ids) for _, ids in log) == 2:
            break
        await asyncio.sleep(0.01)
    assert [n for _, ids in log for n in ids] == [1, 2]
