"""Sends written in batches (group commit): one write in flight per process; the sends that arrive
meanwhile, from any connection of the process, wait for the next one.

PostgreSQL flushes its log to disk at every commit, and under load those flushes were what sends
waited on. A batch is judged and written by `messaging.sending.messages_send` in one read and one
write, so a process commits once per batch instead of once per message, and makes one hop to a
database thread. Each send still gets its own answer, after its batch is on disk and its events
are sent; a refused send does not hold up the others. Messages are written in the order they
arrived."""

import asyncio
import logging

from config.loop_batches import LoopBatches, settle
from events.delivery import collecting, send_events
from messaging.sending import SendRequest, Sent, messages_send
from realtime.db import run_in_db

logger = logging.getLogger("realtime")

BATCH_MAX = 500


class SendBatches(LoopBatches[tuple[SendRequest, asyncio.Future]]):
    """One event loop's sends, each with the future that answers it, written together."""

    name = "send"
    limit = BATCH_MAX

    async def handle(self, batch: list[tuple[SendRequest, asyncio.Future]]) -> None:
        with collecting() as committed:
            try:
                answers = await run_in_db(messages_send, [request for request, _ in batch])
            except Exception:
                # Not a refusal (those are answers) but a failure before anything was committed,
                # such as a conversation deleted between the read and the write: each send is tried
                # alone, so that only its own fails.
                logger.warning("a batch of %d sends failed; sending them one by one", len(batch), exc_info=True)
                answers = [await _alone(request) for request, _ in batch]
        if committed:
            await send_events(committed)
        for (_, future), answer in zip(batch, answers, strict=True):
            settle(future, answer)


async def _alone(request: SendRequest) -> Sent | Exception:
    try:
        return (await run_in_db(messages_send, [request]))[0]
    except Exception as error:
        logger.exception("sending a message failed")
        return error


async def send(request: SendRequest) -> Sent:
    """Store and deliver a message in this process's next batch; answers (message, created), or
    raises the error that refused it."""
    answer = asyncio.get_running_loop().create_future()
    SendBatches.of_this_loop().put((request, answer))
    return await answer
