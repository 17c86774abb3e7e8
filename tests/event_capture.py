"""Recording events in tests, so a test waits for the event it expects instead of sleeping.

`published` are the events services publish (`events.delivery.event_published`, in the publishing
transaction); `delivered` are the events this process's hub handed to its connections (after the
hub's `deliver` returns, every frame they caused has been sent or held by its connection), and,
with events routed by address, those it sent that no connection of its own listens to. The
fixture `captured_events` (tests/conftest.py) records both for one test."""

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from typing import Any

from events import channel
from events.delivery import event_published, send_to_addresses
from events.kinds import Event, Typing, event_from_channel_message
from realtime.hub import Hub, current_hub

_markers = itertools.count(1)
FLUSH_ADDRESS = "capture.flush."


class EventCapture:
    def __init__(self) -> None:
        self.published: list[Event] = []
        self.delivered: list[Event] = []
        self._taken: set[int] = set()  # indexes in `delivered` a `next` has answered
        self._flushed: set[int] = set()  # the markers `flush` sent that the hub delivered
        self._arrival: asyncio.Event | None = None

    def on_published(self, sender: Any, event: Event, **kwargs: Any) -> None:
        self.published.append(event)

    def on_delivered(self, message: dict[str, Any]) -> None:
        for item in message.get("batch") or [message]:
            try:
                event = event_from_channel_message(item)
            except Exception:  # the hub skipped it too (and logged it)
                continue
            if item["to"] and item["to"][0].startswith(FLUSH_ADDRESS):
                self._flushed.add(int(item["to"][0].removeprefix(FLUSH_ADDRESS)))
            else:
                self.delivered.append(event)
        if self._arrival is not None:
            self._arrival.set()

    async def next(self, kind: str, *, timeout: float = 3, **fields: Any) -> Event:
        """The first delivered event of `kind` (with these field values) that no earlier `next`
        answered, waiting up to `timeout` seconds for the hub to deliver it."""

        def found() -> Event | None:
            for index, event in enumerate(self.delivered):
                if index not in self._taken and event.kind == kind and _has(event, fields):
                    self._taken.add(index)
                    return event
            return None

        return await self._wait(found, timeout, f"a {kind} event {fields}")

    async def flush(self, timeout: float = 3) -> None:
        """Wait until every event this process sent so far has been delivered by its hub: a marker
        sent after them arrives after them (one queue out, one channel in). The marker is not
        recorded."""
        marker = next(_markers)
        address, listener = f"{FLUSH_ADDRESS}{marker}", _Listener()
        hub = current_hub()
        await hub.join(address, listener)  # so that the marker is routed to this process's hub
        try:
            await send_to_addresses([address], Typing(recipients=(), conversation_id=0, user_id=0))
            await self._wait(lambda: marker in self._flushed or None, timeout, "the flush marker")
        finally:
            hub.leave(address, listener)

    async def _wait(self, found: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (answer := found()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                delivered = [event.kind for event in self.delivered]
                raise AssertionError(f"{what} was not delivered within {timeout}s; delivered: {delivered}")
            self._arrival = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrival.wait(), remaining)
        return answer


class _Listener:
    """The flush marker's only listener: it takes the marker and renders nothing."""

    async def deliver(self, event: Event) -> None:
        return None


def _has(event: Event, fields: dict[str, Any]) -> bool:
    return all(getattr(event, name) == value for name, value in fields.items())


def install(capture: EventCapture, monkeypatch: Any) -> None:
    """Record into `capture` until the monkeypatch is undone (the receiver: `uninstall`)."""
    original = Hub.deliver

    async def deliver(hub: Hub, message: dict[str, Any]) -> None:
        await original(hub, message)
        capture.on_delivered(message)

    monkeypatch.setattr(Hub, "deliver", deliver)

    # With events routed by address, one no connection of this process listens to never reaches
    # its hub: once sent, it has done all it had to here, and counts as delivered.
    send_batch = channel.send_batch

    async def sending(items: list[dict[str, Any]]) -> None:
        await send_batch(items)
        hub = current_hub()
        if hub.routed:
            unheard = [item for item in items if not any(address in hub.members for address in item["to"])]
            if unheard:
                capture.on_delivered({"batch": unheard})

    monkeypatch.setattr(channel, "send_batch", sending)
    event_published.connect(capture.on_published, weak=False, dispatch_uid=f"capture-{id(capture)}")


def uninstall(capture: EventCapture) -> None:
    event_published.disconnect(dispatch_uid=f"capture-{id(capture)}")
