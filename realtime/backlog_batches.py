"""Hooligram sign-ins' backlogs read in batches: one read in flight per process, the sign-ins that
ask meanwhile (on any connection of the process) wait for the next one, which reads all their
backlogs in one statement (`messaging.backlog.sign_in_backlogs`).

In a storm of sign-ins the backlog's hop to a database thread and its round trip to PostgreSQL
were a fifth of a sign-in's CPU; a batch pays them once. A backlog is read after its connection
joined its user's events, as before: batching only delays the read."""

import asyncio
from typing import Any

from config.loop_batches import LoopBatches, settle
from messaging.backlog import sign_in_backlogs
from messaging.snapshots import message_snapshot
from realtime.db import run_in_db

# Backlogs read together at most: each may hold HOOLIGRAM_REDELIVERY_LIMIT messages (1,000 by
# default), all in memory at once; twenty already share the hop and the round trip 95 %.
BATCH_MAX = 20

# A backlog as a sign-in delivers it: conversation snapshots, then message snapshots.
Snapshots = tuple[list[dict[str, Any]], list[dict[str, Any]]]


class BacklogBatches(LoopBatches[tuple[int, asyncio.Future[Snapshots]]]):
    """One event loop's sign-ins waiting for their backlogs, by user id."""

    name = "backlog"
    limit = BATCH_MAX
    gather_s = None  # a batch takes what is queued when its turn comes, without waiting longer

    async def handle(self, batch: list[tuple[int, asyncio.Future[Snapshots]]]) -> None:
        try:
            backlogs = await run_in_db(_snapshots, [user_id for user_id, _ in batch])
        except Exception as error:  # each sign-in answers it as its own (the database unreachable, say)
            for _, future in batch:
                settle(future, error)
            return
        for user_id, future in batch:
            settle(future, backlogs[user_id])


def _snapshots(user_ids: list[int]) -> dict[int, Snapshots]:
    return {
        user_id: (groups, [message_snapshot(m, m.sender, "") for m in messages])
        for user_id, (groups, messages) in sign_in_backlogs(user_ids).items()
    }


def backlog_requested(user_id: int) -> asyncio.Future[Snapshots]:
    """The user's backlog, to be read with those of the other sign-ins of this process under way:
    at the loop's next turn when no read is under way, else with the next batch. Asked for once
    the connection joined its user's events, so nothing sent meanwhile is missed; a message both
    read and sent live is delivered once (`backlog_ids`), but a group changed meanwhile may come
    twice, in the backlog and as its event (as when the read ran on another database thread)."""
    future: asyncio.Future[Snapshots] = asyncio.get_running_loop().create_future()
    BacklogBatches.of_this_loop().put((user_id, future))
    return future
