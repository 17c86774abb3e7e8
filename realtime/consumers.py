"""One ASGI WebSocket consumer for every protocol; its adapter does the protocol's work."""

import json
import logging
import time
import uuid
from typing import Any, ClassVar

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.models import DeviceSession, User
from config import logs
from config.client_address import scope_address
from config.errors import Unavailable, is_bug, unexpected_error
from config.metrics import protocol_meters
from events.delivery import BROADCAST_GROUP, user_group
from events.kinds import Event, EventsMissed, SessionsEnded
from realtime import activity, presence
from realtime.adapter import ProtocolAdapter, frame_outline, frame_text
from realtime.hub import current_hub

logger = logging.getLogger("realtime")

# The close code of a refused handshake, and of a connection whose device session ended or whose
# user was deactivated, deleted or logged out everywhere (4000-4999 are the application's; 4401
# echoes HTTP 401).
CLOSE_UNAUTHENTICATED = 4401
# The close code of a connection whose events may have been lost (RFC 6455's "service restart":
# the client reconnects, and reads again what it missed).
CLOSE_SERVICE_RESTART = 1012
# The close code of every connection of a process that stops (config/shutdown.py): the client
# reconnects, to another process.
CLOSE_GOING_AWAY = 1001
# What a stopping process puts among a connection's messages when the connection's turn to close
# comes: handled after the frames read before, so that they are answered first.
GOING_AWAY = "server.going_away"
# The reason each close frame carries (the protocol documents list them), for client logs.
REASON_SHUTTING_DOWN = "server shutting down"
REASON_NOT_AUTHENTICATED = "not authenticated"
REASON_SIGNED_OUT = "signed out"
REASON_EVENTS_MISSED = "events missed: reconnect"
REASON_INTERNAL_ERROR = "internal error"
REASON_TRY_AGAIN = "try again later"


class ChatConsumer(AsyncWebsocketConsumer):
    """Holds the connection's user, device session and adapter; nothing protocol-specific."""

    adapter_class: type[ProtocolAdapter] = ProtocolAdapter
    # Control event kinds (`Event.control`) and the method that acts on each; adapters never see them.
    control_handlers: ClassVar[dict[str, str]] = {
        SessionsEnded.kind: "close_if_ended",
        EventsMissed.kind: "close_to_resync",
    }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Read the client's messages and handle them in turn, until the connection ends.

        Events reach connections through the process's hub (realtime.hub), not through a channel
        of their own, so the client is the one source of messages: Channels' loop, which opens a
        channel-layer channel and waits on every source with a task and `asyncio.wait` per
        message, is not needed."""
        self.scope, self.channel_layer, self.base_send = scope, None, send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def connect(self) -> None:
        self.connection_id = f"conn.{uuid.uuid4().hex}"  # events' `origin`, presence entries
        self.opened_at = time.monotonic()
        logs.bind(connection=self.connection_id[5:21], protocol=self.adapter_class.name)
        self.user: User | None = None
        self.session: DeviceSession | None = None
        self.addresses: set[str] = set()
        self.held: list[Event] | None = None
        self.ended = False  # closed by the server: no more frames are read or sent
        self.adapter = self.adapter_class(self)
        self.meters = protocol_meters(self.adapter.name)
        self.counted = False  # among the open connections (chat_websocket_connections)
        self.held = []
        try:
            await self._open()
        finally:
            await self.release_events()

    async def _open(self) -> None:
        """Accept the connection or refuse it, as the adapter judges its handshake."""
        try:
            accepted = await self.adapter.on_connect()
        except Exception as error:
            # The handshake could not be judged (the database not reachable in time, say):
            # refused with "try again later" (1013) or "internal error" (1011), never dropped.
            if is_bug(error):
                logger.exception("%s: handshake failed", self.adapter.name)
            else:
                logger.warning("%s: handshake: %s: %s", self.adapter.name, type(error).__name__, error)
            if isinstance(unexpected_error(error), Unavailable):
                await self._refuse(1013, REASON_TRY_AGAIN)
            else:
                await self._refuse(1011, REASON_INTERNAL_ERROR)
            return
        path, client = self.scope.get("path", ""), scope_address(self.scope)
        if accepted:
            await self.accept()
            logs.access_logger.info("WebSocket %s opened", path, extra={"client": client})
            self.meters.connections.inc()
            self.counted = True
        else:
            await self._refuse(CLOSE_UNAUTHENTICATED, REASON_NOT_AUTHENTICATED)
            logs.access_logger.info("WebSocket %s refused: %d", path, CLOSE_UNAUTHENTICATED, extra={"client": client})

    async def _refuse(self, code: int, reason: str) -> None:
        """Refuse the handshake with a close code and reason: accepted, then closed. A handshake
        refused before it is accepted reaches the client as HTTP 403, which a browser's WebSocket
        never shows (it reports 1006, as for a network failure), so no client could tell why."""
        self.ended = True
        await self.accept()
        await self.close(code=code, reason=reason)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Route a message to its handler, without Channels' per-message database hop.

        Channels closes stale database connections (a trip to the database thread) before every
        handler, so each incoming frame would queue behind other connections' writes. Every
        database call here goes through `realtime.db.run_in_db`, which does that itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.ended:
            return
        if text_data is None:
            try:
                text_data = (bytes_data or b"").decode("utf-8")
            except UnicodeDecodeError:
                text_data = ""
        self.held = []
        try:
            await self.adapter.handle(text_data)
        except Exception:
            logger.exception("%s: unhandled error for frame %s", self.adapter.name, frame_outline(text_data))
        finally:
            await self.release_events()

    async def release_events(self) -> None:
        """Send the events held while a frame (or the handshake) was handled, then stop holding.

        Events delivered while `held` is a list wait in it (`deliver`): a frame's answer comes
        before the events it caused, as when each connection read its events from its own queue.
        (A plain `try`/`finally` around each frame rather than a context manager, which cost an
        async generator per frame.)"""
        while self.held:
            await self._send_event(self.held.pop(0))
        self.held = None

    async def send_frame(self, frame: dict[str, Any] | str) -> None:
        """Send a frame (a str: its JSON text already).

        A frame that echoes text UTF-8 cannot encode (an unpaired surrogate in a client's request
        id) goes out with that text escaped, as `\\ud800`: still the same JSON value."""
        text = frame if isinstance(frame, str) else frame_text(frame)
        try:
            await self.send(text_data=text)
        except UnicodeEncodeError:
            await self.send(text_data=json.dumps(json.loads(text), separators=(",", ":")))

    async def deliver(self, event: Event) -> None:
        """Send an event this connection's user may see, in the connection's protocol (from the hub)."""
        if self.held is not None:
            self.held.append(event)
        else:
            await self._send_event(event)

    async def _send_event(self, event: Event) -> None:
        if self.ended:
            return
        if event.control:
            await getattr(self, self.control_handlers[event.kind])(event)
            return
        try:
            frames = self.adapter.render_event(event, is_origin=event.origin == self.connection_id)
        except Exception:
            logger.exception("%s: cannot render %s", self.adapter.name, event.kind)
            return
        for frame in frames:
            await self.send_frame(frame)
        if frames:
            self.meters.deliveries.inc(len(frames))

    async def close_if_ended(self, event: SessionsEnded) -> None:
        """Close the connection if the event ends its device session, or every connection of its user."""
        if self.user is None or self.user.pk != event.user_id:
            return  # signed out (or in as someone else) since the event was sent
        if not event.everywhere and (self.session is None or self.session.pk not in event.session_ids):
            return
        await self._end(CLOSE_UNAUTHENTICATED, REASON_SIGNED_OUT)

    async def close_to_resync(self, event: EventsMissed) -> None:
        """Close the connection with 1012: events meant for it may have been lost."""
        await self._end(CLOSE_SERVICE_RESTART, REASON_EVENTS_MISSED)

    async def server_going_away(self, message: dict[str, Any]) -> None:
        """The process is stopping (GOING_AWAY): every frame read before is answered, so close
        with 1001 (the client's disconnect then leaves the user, as any close's does)."""
        if not self.ended:
            self.ended = True
            await self.close(code=CLOSE_GOING_AWAY, reason=REASON_SHUTTING_DOWN)

    async def _end(self, code: int, reason: str) -> None:
        """Stop reading and sending, leave the user and every address, and close with `code`
        (also when leaving fails, say with Redis unreachable: a connection that reads and sends
        nothing must not stay open)."""
        self.ended = True
        try:
            await self.unbind()
            for address in list(self.addresses):
                self.unlisten(address)
        finally:
            await self.close(code=code, reason=reason)

    async def bind(self, user: User, session: DeviceSession | None = None) -> None:
        """Attach the connection to a user: it receives that user's events from now on."""
        if self.user is not None and self.user.pk != user.pk:
            await self.unbind()
        self.session = session
        if self.user is None:
            self.user = user
            logs.bind(user=user.pk)
            try:
                await self.listen(user_group(user.pk))
                opened = await presence.connection_opened(user.pk, self.connection_id)
            except BaseException:  # not signed in after all (Redis unreachable, say): the caller answers the error
                self.unlisten(user_group(user.pk))
                self.user, self.session = None, None
                raise
            if opened:
                await activity.announce(user.pk, online=True)

    async def unbind(self) -> None:
        """Detach the connection from its user."""
        if self.user is None:
            return
        user_id, self.user, self.session = self.user.pk, None, None
        self.unlisten(user_group(user_id))
        if await presence.connection_closed(user_id, self.connection_id):
            await activity.announce(user_id, online=False)

    async def join_broadcast(self) -> None:
        await self.listen(BROADCAST_GROUP)

    async def listen(self, address: str) -> None:
        """Receive the events sent to this hub address (a user's, a watched user's, broadcast)."""
        await current_hub().join(address, self)
        self.addresses.add(address)

    def unlisten(self, address: str) -> None:
        self.addresses.discard(address)
        current_hub().leave(address, self)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """The connection ended: `disconnect`, then the consumer stops. Channels' own handler also
        leaves channel-layer groups (there are none: events come through the hub) and closes stale
        database connections on asgiref's one thread for synchronous code (this thread holds none:
        database work runs on realtime.db's threads, which close their own), so every closing
        connection of the process queued there behind all the others."""
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        logs.access_logger.info(
            "WebSocket %s closed: %s after %.0f s", self.scope.get("path", ""), code, time.monotonic() - self.opened_at
        )
        if self.counted:
            self.meters.connections.dec()
            self.counted = False
        try:
            await self.adapter.on_disconnect()
        finally:
            try:
                await self.unbind()
            except Exception as error:  # Redis unreachable, say: the connection leaves the hub all the same
                if is_bug(error):
                    logger.exception("%s: leaving failed", self.adapter.name)
                else:
                    logger.warning("%s: leaving failed: %s: %s", self.adapter.name, type(error).__name__, error)
            for address in list(self.addresses):
                self.unlisten(address)
            # The adapter and the consumer refer to each other: left so, they and what they hold
            # wait for a collection of the generation they reached (after a mass disconnect, one
            # long pause). Nothing uses the adapter now.
            del self.adapter


def consumer_for(adapter_class: type[ProtocolAdapter]) -> type[ChatConsumer]:
    """A consumer class serving one protocol (whose metrics show from now on, at zero)."""
    protocol_meters(adapter_class.name)
    return type(f"{adapter_class.__name__}Consumer", (ChatConsumer,), {"adapter_class": adapter_class})
