"""Delivery receipts written in batches: one write in flight per process, the receipts that arrive
meanwhile (from any connection of the process) wait for the next one.

An acknowledgement does not wait for its write: the connection reads its next frame at once, and
the write costs one hop to a database thread and one commit per batch instead of per receipt
(under load, a batch holds what arrived while the previous one was written). A receipt refused by
the write (not a message of the user's) is answered through the acknowledging connection's
callback. Nothing is lost if the process stops first: an unrecorded receipt means the message is
delivered again at the next sign-in, as if the acknowledgement had not arrived."""

import logging
from collections.abc import Awaitable, Callable

from config.errors import ServiceError, is_bug, unexpected_error
from config.logs import first_line
from config.loop_batches import LoopBatches
from messaging.receipts import receipt_refused, receipts_record
from realtime.db import run_in_db

logger = logging.getLogger("realtime")

# How long a batch gathers receipts before its write starts; under load the previous write is
# what a batch waits for, so this only bounds the commits per second when receipts are few.
BATCH_WINDOW_S = 0.01
BATCH_MAX = 1000

# Called, on the event loop, when a receipt was not recorded: with the service's error when the
# message is not one the user received, or the one a protocol answers for the failed write
# (`config.errors.unexpected_error`: "try again" when the database was unreachable).
Refused = Callable[[ServiceError], Awaitable[None]]


class ReceiptBatches(LoopBatches[tuple[tuple[int, int], Refused]]):
    """One event loop's (user id, message id) receipts, written together."""

    name = "receipt"
    limit = BATCH_MAX
    gather_s = BATCH_WINDOW_S

    async def handle(self, batch: list[tuple[tuple[int, int], Refused]]) -> None:
        try:
            found = await run_in_db(receipts_record, [pair for pair, _ in batch])
        except Exception as error:
            # One line when the database is unreachable or busy (an outage); a traceback for a bug.
            if is_bug(error):
                logger.exception("%d delivery receipts not recorded", len(batch))
            else:
                logger.warning(
                    "%d delivery receipts not recorded: %s: %s", len(batch), type(error).__name__, first_line(error)
                )
            answers = [(refused, unexpected_error(error)) for _, refused in batch]
        else:
            answers = [(refused, receipt_refused()) for (_, refused), ok in zip(batch, found, strict=True) if not ok]
        for refused, answer in answers:
            try:
                await refused(answer)
            except Exception:
                logger.exception("cannot answer a refused delivery receipt")


def receipt_add(user_id: int, message_id: int, refused: Refused) -> None:
    """Queue a delivery receipt for this process's next write; `refused` answers if it is not recorded."""
    ReceiptBatches.of_this_loop().put(((user_id, message_id), refused))
