"""What every protocol adapter shares: the connection it serves, JSON decoding, service calls."""

import json
import logging
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import orjson
from django.conf import settings

from accounts.models import DeviceSession, User
from config import json_input
from config.client_address import scope_address
from config.errors import Invalid, ServiceError, TooLarge, is_bug, unexpected_error
from config.id_lists import ids_within, wire_id
from events.delivery import collecting, send_events
from events.kinds import EVENT_KINDS, Event
from realtime.db import run_in_db

logger = logging.getLogger("realtime")


async def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (synchronous) service or selector off the event loop, then send the events it committed."""
    with collecting() as pending:
        try:
            return await run_in_db(function, *args, **kwargs)
        finally:
            if pending:
                await send_events(pending)


def utf8_length_over(text: str, limit: int) -> bool:
    """Whether `text` takes more than `limit` bytes in UTF-8, which a frame travels in: counted
    only when its length in characters (1 to 4 bytes each) leaves the answer open."""
    if len(text) > limit:
        return True
    return len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit


# orjson writes what the standard encoder would, except that it also writes dates, dataclasses and
# UUIDs (as text), and a float NaN as null where the standard encoder writes the non-JSON `NaN`.
# Dates and dataclasses it leaves to the standard encoder, which refuses them as it always has;
# frames hold no UUID and no NaN.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def frame_text(frame: dict[str, Any]) -> str:
    """A frame as the JSON text sent on the wire: compact, UTF-8 as it is. Written by orjson (a
    twentieth of the standard encoder's time on a delivery); what orjson cannot write (text with an
    unpaired surrogate, integers beyond 64 bits, keys that are not text) by the standard encoder."""
    try:
        return orjson.dumps(frame, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


class Connection(Protocol):
    """What an adapter asks of the connection it serves (`realtime.consumers.ChatConsumer`)."""

    scope: dict[str, Any]
    connection_id: str
    user: User | None
    session: DeviceSession | None

    async def send_frame(self, frame: dict[str, Any] | str) -> None: ...
    async def bind(self, user: User, session: DeviceSession | None = None) -> None: ...
    async def unbind(self) -> None: ...
    async def join_broadcast(self) -> None: ...
    async def listen(self, address: str) -> None: ...
    def unlisten(self, address: str) -> None: ...


class SharedFrame:
    """A frame that is the same for every connection of this process an event reaches, built and
    serialized once per event: the hub hands one event to its connections one after another, so
    the last event's text is the one the next connection asks for.

    The event itself is kept with its text (compared by identity, not id, which a later event may
    reuse), in one tuple so that a reader never pairs one event with another's text."""

    def __init__(self, build: Callable[[Any], dict[str, Any]]) -> None:
        self.build = build
        self.last: tuple[Event | None, str] = (None, "")

    def __call__(self, event: Event) -> str:
        """The frame's text for this event."""
        last_event, text = self.last
        if last_event is not event:
            text = frame_text(self.build(event))
            self.last = (event, text)
        return text


# Keys whose short string values name a request (Hooligram's `type`, NkCHAT's `class`, `subclass`
# and `cmd`): a log line shows them.
NAMING_KEYS = frozenset({"type", "class", "subclass", "cmd"})


def frame_outline(text: str) -> str:
    """A frame as a log line may show it: its keys two levels deep and the names of its request,
    none of its other values (a frame may carry a password or a token)."""
    try:
        value = json.loads(text)
    except ValueError:
        return f"<{len(text)} characters, not JSON>"
    return json.dumps(_outline(value, 2), ensure_ascii=True)[:300]


def _outline(value: object, depth: int, key: str = "") -> object:
    if isinstance(value, dict):
        return {str(k): _outline(child, depth - 1, str(k)) if depth > 1 else "..." for k, child in value.items()}
    if key in NAMING_KEYS and isinstance(value, str | int) and len(str(value)) <= 64:
        return value
    return f"<{type(value).__name__}>"


def to_id(value: object, field: str = "id") -> int:
    """A database id from a wire id (`config.id_lists.wire_id`), or Invalid."""
    number = wire_id(value)
    if number is None:
        raise Invalid(f"{field} is not a valid id", code="invalid_id")
    return number


def to_ids(values: object, field: str = "ids", limit: int = 1000) -> list[int]:
    """A list of database ids from a wire list, or Invalid."""
    if not isinstance(values, list):
        raise Invalid(f"{field} must be a list", code="invalid_ids")
    ids_within(len(values), limit=limit, field=field)
    return [to_id(v, field) for v in values]


class ProtocolAdapter:
    """Translates one connection's frames into service calls and events into frames.

    Subclasses map every event kind but the control kinds (the consumer's own) to a renderer in
    `renderers` (checked by a test)."""

    name: ClassVar[str] = ""
    renderers: ClassVar[dict[str, str]] = {}

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def user(self) -> User | None:
        """The signed-in user, None before sign-in."""
        return self.connection.user

    @property
    def client_address(self) -> str:
        """The client's address (for the login and registration limits)."""
        return scope_address(self.connection.scope)

    async def on_connect(self) -> bool:
        """Called before the handshake is accepted; False refuses the connection."""
        return True

    async def on_disconnect(self) -> None:
        return None

    async def handle(self, text: str) -> None:
        """The pipeline every client frame goes through: size, JSON and the input rules
        (`config.json_input`), then the protocol's `dispatch`.

        Whatever fails on the way (a rule, a domain error, any other exception, a database error
        included) is answered here by `send_error`, in the protocol's shape and with the frame's
        request id where it has one; the connection stays open."""
        frame: dict[str, Any] | None = None
        try:
            if utf8_length_over(text, settings.WEBSOCKET_FRAME_MAX_BYTES):
                raise TooLarge("Frame is too large", code="frame_too_large")
            value, kept = json_input.parse(text, "Frame")
            if not isinstance(value, dict):
                raise Invalid("Frame must be a JSON object", code="invalid_frame")
            frame = value
            if not kept:
                json_input.check(frame)
            await self.dispatch(frame)
        except Exception as error:
            if is_bug(error):
                logger.exception("%s: failed on frame %s", self.name, frame_outline(text))
            elif not isinstance(error, ServiceError):
                logger.warning("%s: %s: %s", self.name, type(error).__name__, error)
            await self.send_error(frame, unexpected_error(error))

    async def dispatch(self, frame: dict[str, Any]) -> None:
        """Run the frame's request; raise a ServiceError (or let any exception out) to answer an error."""
        raise NotImplementedError

    async def send_error(self, frame: dict[str, Any] | None, error: ServiceError) -> None:
        """Answer a frame (None: one that is not a JSON object) with the protocol's error shape."""
        raise NotImplementedError

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.connection.send_frame(frame)

    def render_event(self, event: Event, *, is_origin: bool) -> list[dict[str, Any] | str]:
        """The frames this connection sends for the event (often none); a str is a frame's text."""
        renderer = getattr(self, self.renderers[event.kind])
        return renderer(event, is_origin)

    @classmethod
    def unrendered_kinds(cls) -> set[str]:
        """Event kinds this adapter should render and does not (control kinds are the consumer's)."""
        return {kind for kind, event in EVENT_KINDS.items() if not event.control} - set(cls.renderers)

    def ignore(self, event: Event, is_origin: bool) -> list[dict[str, Any]]:
        return []
