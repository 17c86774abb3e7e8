"""Sends written in batches (group commit): a batch gathers for BATCH_WINDOW_S, then is written; one
write is in flight per process, and the sends that arrive meanwhile, from any connection of the
process, wait for the next one.

PostgreSQL flushes its log to disk at every commit, and under load those flushes were what sends
waited on. A batch is judged and written by `messaging.sending.messages_send` in one read and one
write, so a process commits once per batch instead of once per message, and makes one hop to a
database thread. Each send still gets its own answer, after its batch is on disk and its events
are sent; a refused send does not hold up the others. Messages are written in the order they
arrived.

Each stored message is counted and the time from its arrival to its batch's commit measured
(`config/metrics.py`); its event carries the arrival time to every hub, which measures delivery."""

import asyncio
import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError

from config.errors import is_bug
from config.logs import first_line
from config.loop_batches import LoopBatches, settle
from config.metrics import SEND_COMMIT_SECONDS, protocol_meters
from events.delivery import collecting, send_events
from events.kinds import Event, MessageCreated
from messaging.sending import SendRequest, Sent, messages_send
from realtime.db import run_in_db

logger = logging.getLogger("realtime")

BATCH_MAX = 500
# How long a batch gathers sends before its write starts. Under load a batch would otherwise hold
# only what arrived during the previous write, a third of a millisecond once the write found its
# conversations by key: many small batches, each a hop to a database thread, a commit, and a
# channel-layer message to every process serving its recipients. Gathering 5 ms cut the servers'
# CPU for SAMA 10,000 by about a twelfth (docs/performance.md, twenty-sixth machine); a send waits
# at most that much longer.
BATCH_WINDOW_S = 0.005


@dataclass(slots=True)
class QueuedSend:
    """A send waiting for its batch: the future that answers it, the protocol it came in by, and
    when it arrived (wall clock, so that another process can tell how long its delivery took)."""

    request: SendRequest
    answer: asyncio.Future
    protocol: str
    arrived_at: float


class SendBatches(LoopBatches[QueuedSend]):
    """One event loop's sends, each with the future that answers it, written together."""

    name = "send"
    limit = BATCH_MAX
    gather_s = BATCH_WINDOW_S

    async def handle(self, batch: list[QueuedSend]) -> None:
        with collecting() as committed:
            try:
                answers = await run_in_db(messages_send, [send.request for send in batch])
            except Exception as error:
                # Not a refusal (those are answers) but a failure before anything was committed,
                # such as a conversation deleted between the read and the write (a foreign key the
                # insert broke: a race, not a bug, so no traceback): each send is tried alone, so
                # that only its own fails.
                logger.warning(
                    "a batch of %d sends failed (%s: %s); sending them one by one",
                    len(batch),
                    type(error).__name__,
                    first_line(error),
                    exc_info=is_bug(error) and not isinstance(error, IntegrityError),
                )
                answers = [await _alone(send.request) for send in batch]
        arrivals = _stored_counted(batch, answers, committed_at=time.time())
        if committed:
            await send_events(committed, arrived_at=[_arrival(event, arrivals) for event in committed])
        for send, answer in zip(batch, answers, strict=True):
            settle(send.answer, answer)


def _stored_counted(batch: list[QueuedSend], answers: list[Sent | Exception], committed_at: float) -> dict[int, float]:
    """Count the messages the batch stored and time their commit; answers when each arrived, by message id."""
    arrivals = {}
    for send, answer in zip(batch, answers, strict=True):
        if isinstance(answer, tuple) and answer[1]:
            arrivals[answer[0].pk] = send.arrived_at
            protocol_meters(send.protocol).messages_sent.inc()
            SEND_COMMIT_SECONDS.observe(committed_at - send.arrived_at)
    return arrivals


def _arrival(event: Event, arrivals: dict[int, float]) -> float | None:
    """When the send of a new message's event arrived (None for any other event)."""
    return arrivals.get(event.message["id"]) if isinstance(event, MessageCreated) else None


async def _alone(request: SendRequest) -> Sent | Exception:
    try:
        return (await run_in_db(messages_send, [request]))[0]
    except Exception as error:
        if is_bug(error):
            logger.exception("sending a message failed")
        else:
            logger.warning("sending a message failed: %s: %s", type(error).__name__, first_line(error))
        return error


async def send(request: SendRequest, *, protocol: str) -> Sent:
    """Store and deliver a message in this process's next batch; answers (message, created), or
    raises the error that refused it. `protocol` names the connection's, for the metrics."""
    answer = asyncio.get_running_loop().create_future()
    SendBatches.of_this_loop().put(QueuedSend(request, answer, protocol, time.time()))
    return await answer
