"""Events whose sending failed (Redis unreachable) are sent again once Redis takes them, in the
order they were queued and once each, while their callers are answered at once; those Redis does
not take within the limit are dropped and counted (events/channel.py: Publisher)."""

import asyncio
from typing import Any

import pytest

from config.metrics import EVENTS_UNSENT_DROPPED
from events import channel


class FlakyRedis:
    """`send_batch` as Redis answers it: refused while `down`, recorded once taken."""

    def __init__(self) -> None:
        self.down = True
        self.taken: list[dict[str, Any]] = []

    async def send_batch(self, items: list[dict[str, Any]]) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.taken.extend(items)


def event(n: int) -> dict[str, Any]:
    return {"kind": "typing", "data": {"conversation_id": n, "user_id": 1}, "to": ["user.1"]}


@pytest.fixture
def redis(monkeypatch) -> FlakyRedis:
    flaky = FlakyRedis()
    monkeypatch.setattr(channel, "send_batch", flaky.send_batch)
    monkeypatch.setattr(channel, "RETRY_FIRST_SECONDS", 0.01)
    monkeypatch.setattr(channel, "RETRY_MAX_SECONDS", 0.02)
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


async def test_events_redis_does_not_take_in_time_are_dropped_and_counted(redis, monkeypatch):
    monkeypatch.setattr(channel, "UNSENT_SECONDS", 0.1)
    dropped = EVENTS_UNSENT_DROPPED._value.get()
    await channel.send_to_hubs([event(1), event(2)])
    await until(lambda: not channel.Publisher.of_this_loop().unsent, "the events dropped")
    assert EVENTS_UNSENT_DROPPED._value.get() == dropped + 2
    redis.down = False
    await channel.send_to_hubs([event(3)])
    assert redis.taken == [event(3)]
