"""The per-process batches: one handled at a time, what arrives meanwhile in the next, a batch that
fails does not stop the ones after it, and a batch is handled in no connection's log context."""

import asyncio

from config import logs
from config.loop_batches import LoopBatches, settle


class Doubling(LoopBatches[tuple[int, asyncio.Future]]):
    limit = 3
    handled: list[list[int]] = []

    async def handle(self, batch: list[tuple[int, asyncio.Future]]) -> None:
        numbers = [n for n, _ in batch]
        self.handled.append(numbers)
        if 13 in numbers:
            raise RuntimeError("unlucky batch")
        for n, future in batch:
            settle(future, ValueError(n) if n < 0 else 2 * n)


async def _ask(n: int) -> int:
    future = asyncio.get_running_loop().create_future()
    Doubling.of_this_loop().put((n, future))
    return await asyncio.wait_for(future, 1)


async def test_items_queued_together_are_handled_in_batches_of_the_limit_and_answered_each():
    Doubling.handled = []
    answers = await asyncio.gather(*(_ask(n) for n in (1, 2, 3, 4, -5)), return_exceptions=True)
    assert Doubling.handled == [[1, 2, 3], [4, -5]]
    assert answers[:4] == [2, 4, 6, 8] and isinstance(answers[4], ValueError)


async def test_a_failing_batch_is_logged_and_the_next_is_still_handled(caplog):
    Doubling.handled = []
    unlucky = asyncio.ensure_future(_ask(13))
    await asyncio.sleep(0.05)
    assert "Doubling: a batch of 1 failed" in caplog.text
    assert await _ask(21) == 42
    unlucky.cancel()
    assert Doubling.handled == [[13], [21]]


class Recording(LoopBatches[asyncio.Future]):
    bound: list[dict] = []

    async def handle(self, batch: list[asyncio.Future]) -> None:
        self.bound.append(logs.bound())
        for future in batch:
            settle(future, None)


async def _queue_as(connection: str) -> None:
    logs.bind(connection=connection)
    future = asyncio.get_running_loop().create_future()
    Recording.of_this_loop().put(future)
    await asyncio.wait_for(future, 1)


async def test_a_batch_is_handled_in_none_of_its_connections_log_context():
    Recording.bound = []
    await asyncio.gather(asyncio.ensure_future(_queue_as("first")), asyncio.ensure_future(_queue_as("second")))
    assert Recording.bound == [{}]
