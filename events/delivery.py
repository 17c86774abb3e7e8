"""Publishing events: recorded in the publishing transaction, sent once it commits, to every
connection of each recipient in every process (`realtime.hub` reads them there).

A service builds an event (`events.kinds`) and calls `publish`. The receivers of `event_published`
act on it inside the transaction: the operations log (`messaging.oplog`) records each logged event
there, so no logged event is sent unrecorded, and this module knows nothing of what they do."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction
from django.dispatch import Signal

from events import channel
from events.kinds import Event

BROADCAST_GROUP = "broadcast"

# Sent by `publish` with `event=`, in the caller's transaction.
event_published = Signal()


def user_group(user_id: int) -> str:
    """The hub address of every connection of this user."""
    return f"user.{int(user_id)}"


def publish(event: Event) -> None:
    """Send the event to its recipients once the transaction commits, and let the receivers of
    `event_published` act on it now. (In that order, so that an event a receiver publishes in turn,
    such as a membership change's notice, is sent after the event that caused it.)"""
    transaction.on_commit(lambda: send_now(event))
    event_published.send(sender=type(event), event=event)


# Set by `collecting` around work done for a connection: committed events are collected here and
# sent from the event loop, so the database thread never waits on the channel layer. Elsewhere
# (views, commands) events are sent on the spot.
_outbox: ContextVar[list[Event] | None] = ContextVar("event_outbox", default=None)


@contextmanager
def collecting() -> Iterator[list[Event]]:
    """Collect the events committed inside the block (also on a database thread it runs work on)
    into the list it yields, instead of sending them; the caller sends them with `send_events`."""
    pending: list[Event] = []
    token = _outbox.set(pending)
    try:
        yield pending
    finally:
        _outbox.reset(token)


def send_now(event: Event) -> None:
    """Send an event to its recipients (into the collecting block's list when there is one)."""
    pending = _outbox.get()
    if pending is not None:
        pending.append(event)
        return
    async_to_sync(send_events)([event])


def _addresses(event: Event) -> list[str]:
    return [BROADCAST_GROUP] if event.broadcast else [user_group(uid) for uid in sorted(set(event.recipients))]


async def send_events(pending: list[Event], *, arrived_at: Sequence[float | None] = ()) -> None:
    """Send committed events, in order, each once to every process (see `realtime.hub`); they
    leave with the process's other events of the moment (`events.channel`).

    `arrived_at`, when given, holds for each event the wall-clock time the request that caused it
    arrived (or None): it travels with the event, so that each hub can measure its delivery."""
    arrivals = arrived_at or [None] * len(pending)
    addressed = [
        _addressed(event, addresses, arrived)
        for event, arrived in zip(pending, arrivals, strict=True)
        if (addresses := _addresses(event))
    ]
    await channel.send_to_hubs(addressed)


def _addressed(event: Event, addresses: list[str], arrived_at: float | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": event.kind, "data": event.data(), "to": addresses}
    if arrived_at is not None:
        item[channel.ARRIVED_AT] = arrived_at
    return item


async def send_to_addresses(addresses: list[str], event: Event) -> None:
    """Send an event to the connections at these hub addresses, in every process."""
    await channel.send_to_hubs([_addressed(event, addresses)])
