"""The shape the process's batches share (sends, delivery receipts, outgoing events): items queued
by any connection of one event loop, handled by one task a batch at a time; what arrives while a
batch is handled waits for the next. Under load a batch holds what arrived during the previous
one, so the cost of a write or a round trip is paid per batch instead of per item."""

import asyncio
import contextvars
import logging
import weakref
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from config.metrics import BATCH_SIZE

Item = TypeVar("Item")

logger = logging.getLogger("realtime")


def settle(future: asyncio.Future[Any], answer: object) -> None:
    """Answer a waiter with a result, or with the exception that is its answer; a waiter that
    stopped waiting (its connection closed) is left alone."""
    if future.done():
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


class LoopBatches(Generic[Item]):
    """Subclasses say how to handle a batch (`handle`), its largest size, how long it gathers, and
    what their batches hold (`name`, the label of their sizes in `chat_batch_size`)."""

    name: ClassVar[str] = ""
    limit: ClassVar[int] = 100
    # Seconds a batch gathers before it is taken: 0 also takes what the loop's current turn still
    # brings, at the cost of one more turn; None takes what is queued at once.
    gather_s: ClassVar[float | None] = 0.0
    # Each subclass's own (see __init_subclass__), so its values are instances of that subclass.
    _instances: ClassVar["weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopBatches[Any]]"]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._instances = weakref.WeakKeyDictionary()

    def __init__(self) -> None:
        self.pending: list[Item] = []
        self.worker: asyncio.Task[None] | None = None
        self.sizes = BATCH_SIZE.labels(self.name or type(self).__name__)

    @classmethod
    def of_this_loop(cls) -> Self:
        """The running event loop's instance."""
        loop = asyncio.get_running_loop()
        instance = cls._instances.get(loop)
        if instance is None:
            instance = cls._instances[loop] = cls()
        return cast(Self, instance)

    def put(self, *items: Item) -> None:
        """Queue items for the next batch."""
        self.pending.extend(items)
        if self.worker is None:
            # In a context of its own: the task serves every connection of the loop, so its log
            # lines name none (it would inherit the fields of whichever connection queued first).
            self.worker = asyncio.create_task(self._work(), context=contextvars.Context())

    async def _work(self) -> None:
        try:
            while self.pending:
                if self.gather_s is not None:
                    await asyncio.sleep(self.gather_s)
                batch, self.pending = self.pending[: self.limit], self.pending[self.limit :]
                self.sizes.observe(len(batch))
                try:
                    await self.handle(batch)
                except Exception:
                    logger.exception("%s: a batch of %d failed", type(self).__name__, len(batch))
        finally:
            self.worker = None

    async def handle(self, batch: list[Item]) -> None:
        """Handle one batch: answer every item's waiter, whatever fails (an exception is only logged)."""
        raise NotImplementedError
