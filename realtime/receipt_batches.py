"""Delivery receipts written in batches: acknowledgements that arrive within a few milliseconds
of each other, from any connection of the process, share one database write and one commit.

Each acknowledging connection waits for its batch to be written, so a receipt is on disk before
the connection reads its next frame, and a bad one is still answered as a failure."""

import asyncio
import weakref

from messaging.receipts import receipts_record
from realtime.db import run_in_db

BATCH_WINDOW_S = 0.002
BATCH_MAX = 500


class ReceiptBatcher:
    """Collects (user id, message id) receipts of one event loop and writes them together."""

    def __init__(self) -> None:
        self.pending: list[tuple[tuple[int, int], asyncio.Future]] = []
        self.flushing: asyncio.Task | None = None
        self.writing: set[asyncio.Task] = set()

    async def record(self, user_id: int, message_id: int) -> bool:
        """Record a receipt with the next batch; answers whether the message was the user's to receive."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append(((user_id, message_id), future))
        if len(self.pending) >= BATCH_MAX:
            self._flush_now()
        elif self.flushing is None:
            self.flushing = asyncio.create_task(self._flush_soon())
        return await future

    async def _flush_soon(self) -> None:
        await asyncio.sleep(BATCH_WINDOW_S)
        self.flushing = None
        self._flush_now()

    def _flush_now(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            task = asyncio.create_task(self._write(batch))
            self.writing.add(task)
            task.add_done_callback(self.writing.discard)

    @staticmethod
    async def _write(batch: list[tuple[tuple[int, int], asyncio.Future]]) -> None:
        try:
            found = await run_in_db(receipts_record, [pair for pair, _ in batch])
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), ok in zip(batch, found, strict=True):
            if not future.done():
                future.set_result(ok)


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ReceiptBatcher]" = weakref.WeakKeyDictionary()


async def receipt_record(user_id: int, message_id: int) -> bool:
    """Record a delivery receipt in this process's next batch."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = ReceiptBatcher()
    return await batcher.record(user_id, message_id)
