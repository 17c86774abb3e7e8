"""Events whose sending failed (Redis unreachable) are sent again once Redis takes them, in the
order they were queued and once each, while their callers are answered at once; those Redis does
not take within the limit are dropped and counted, and the hubs serving their addresses told, so
that their connections resync (events/channel.py: Publisher)."""

import asyncio
from typing import Any

import pytest

from config.metrics import EVENTS_UNSENT_DROPPED
from events import channel, routes


class FlakyRedis:
    """`send_batch` as Redis answers it: refused while `down`, recorded once taken; and the hubs
    told that events for some addresses were lost."""

    def __init__(self) -> None:
        self.down = True
        self.taken: list[dict[str, Any]] = []
        self.lost: list[set[str] | None] = []

    async def send_batch(self, items: list[dict[str, Any]]) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.taken.extend(items)

    async def answers(self) -> bool:
        return not self.down

    async def events_lost(self, addresses: set[str] | None) -> None:
        self.lost.append(addresses)


def event(n: int, to: str = "user.1") -> dict[str, Any]:
    return {"kind": "typing", "data": {"conversation_id": n, "user_id": 1}, "to": [to]}


@pytest.fixture
def redis(monkeypatch) -> FlakyRedis:
    flaky = FlakyRedis()
    monkeypatch.setattr(channel, "send_batch", flaky.send_batch)
    monkeypatch.setattr(routes, "redis_answers", flaky.answers)
    monkeypatch.setattr(routes, "events_lost", flaky.events_lost)
    monkeypatch.setattr(channel, "RETRY_FIRST_SECONDS", 0.01)
    monkeypatch.setattr(channel, "RETRY_MAX_SECONDS", 0.02)
    monkeypatch.setattr(channel, "RESUBSCRIBE_SECONDS", 0.01)
    return flaky


async def until(condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} did not happen within 2 s")


async def test_events_redis_refused_are_sent_again_in_order_once_it_takes_them(redis):
    await asyncio.wait_for(channel.send_to_hubs([event(1), event(2)]), 1)  # answered although refused
    await asyncio.wait_for(channel.send_to_hubs([event(3)]), 1)  # queued behind, answered at once
    await asyncio.sleep(0.1)  # several tries fail meanwhile
    assert redis.taken == []
    redis.down = False
    await until(lambda: len(redis.taken) == 3, "the kept events sent")
    await channel.send_to_hubs([event(4)])
    assert redis.taken == [event(n) for n in (1, 2, 3, 4)]
    assert not channel.Publisher.of_this_loop().unsent


async def test_events_redis_does_not_take_in_time_are_dropped_and_their_hubs_told_once_it_answers(redis, monkeypatch):
    monkeypatch.setattr(channel, "UNSENT_SECONDS", 0.1)
    dropped = EVENTS_UNSENT_DROPPED._value.get()
    await channel.send_to_hubs([event(1, "user.1"), event(2, "user.2")])
    await until(lambda: not channel.Publisher.of_this_loop().unsent, "the events dropped")
    assert EVENTS_UNSENT_DROPPED._value.get() == dropped + 2
    assert redis.lost == []  # Redis does not answer yet
    redis.down = False
    await until(lambda: redis.lost, "the hubs told")
    assert redis.lost == [{"user.1", "user.2"}]  # so that their connections resync
    await channel.send_to_hubs([event(3)])
    assert redis.taken == [event(3)]


async def test_more_lost_addresses_than_can_be_named_tell_every_hub(redis, monkeypatch):
    monkeypatch.setattr(channel, "UNSENT_MAX", 2)
    monkeypatch.setattr(routes, "LOST_ADDRESSES_MAX", 2)
    await channel.send_to_hubs([event(n, f"user.{n}") for n in range(5)])  # three dropped at once
    redis.down = False
    await until(lambda: len(redis.taken) == 2, "the kept events sent")
    assert redis.lost == [None] and redis.taken == [event(3, "user.3"), event(4, "user.4")]


async def test_events_that_fail_for_another_reason_are_dropped_and_hold_up_nothing(redis, monkeypatch):
    redis.down = False
    failing = channel.send_batch

    async def unpackable(items):
        if items[0]["data"]["conversation_id"] == 1:
            raise TypeError("can not serialize 'object' object")
        await failing(items)

    monkeypatch.setattr(channel, "send_batch", unpackable)
    await channel.send_to_hubs([event(1)])  # a bug's, not Redis's: sending again would fail again
    await channel.send_to_hubs([event(2)])
    assert redis.taken == [event(2)] and not channel.Publisher.of_this_loop().unsent


async def test_a_process_shutting_down_sends_its_kept_events_if_redis_takes_them_within_the_drain(redis):
    await channel.send_to_hubs([event(1), event(2)])
    await until(lambda: channel.Publisher.of_this_loop().unsent, "the events kept")

    async def back_soon() -> None:
        await asyncio.sleep(0.1)
        redis.down = False

    healing = asyncio.create_task(back_soon())
    assert await channel.kept_events_sent(2.0) == 0
    assert redis.taken == [event(1), event(2)]
    await healing


async def test_a_process_shutting_down_gives_up_and_counts_the_events_redis_still_refuses(redis):
    dropped = EVENTS_UNSENT_DROPPED._value.get()
    await channel.send_to_hubs([event(1), event(2), event(3)])
    await until(lambda: channel.Publisher.of_this_loop().unsent, "the events kept")
    assert await channel.kept_events_sent(0.2) == 3
    assert EVENTS_UNSENT_DROPPED._value.get() == dropped + 3 and redis.taken == []
    redis.down = False  # lets the publisher's retrying end with the test
    await until(lambda: not channel.Publisher.of_this_loop().unsent, "the events sent")
