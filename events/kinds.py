"""The kinds of domain event: what changed, who may see it (`recipients`), who caused it and from
which connection. Protocol-neutral: each protocol adapter renders an event in its own wire format.
Services publish them through `events.delivery`."""

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: who may see it, who caused it, and from which connection."""

    kind: ClassVar[str] = ""
    # Broadcast events go to every connection at the BROADCAST_GROUP address, not to recipients.
    broadcast: ClassVar[bool] = False
    # Logged events are written to each recipient's operations log (SAMA op_log_list).
    logged: ClassVar[bool] = True
    # Control events are acted on by the connection itself (realtime.consumers), never rendered.
    control: ClassVar[bool] = False

    recipients: tuple[int, ...]
    actor_id: int | None = None
    origin: str | None = None

    def data(self) -> dict[str, Any]:
        """The event's fields but `recipients` (shallow: fields hold plain data, never dataclasses)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "recipients"}


EVENT_KINDS: dict[str, type[Event]] = {}

E = TypeVar("E", bound=type[Event])


def event_kind(cls: E) -> E:
    """Register an event class under its `kind` so a consumer can rebuild it."""
    assert cls.kind and cls.kind not in EVENT_KINDS, cls
    EVENT_KINDS[cls.kind] = cls
    return cls


# --- messages --------------------------------------------------------------------------------


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MessageCreated(Event):
    kind: ClassVar[str] = "message_created"
    logged: ClassVar[bool] = False  # recovered through message history instead
    message: dict[str, Any]
    # Recipients with a push subscription who have not muted the conversation: the push worker
    # sends to those of them who are offline.
    push_to: tuple[int, ...] = ()


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdited(Event):
    kind: ClassVar[str] = "message_edited"
    message: dict[str, Any]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MessagesDeleted(Event):
    kind: ClassVar[str] = "messages_deleted"
    conversation_id: int
    message_ids: tuple[int, ...]
    messages: tuple[dict[str, Any], ...] = ()


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MessagesRead(Event):
    kind: ClassVar[str] = "messages_read"
    conversation_id: int
    message_ids: tuple[int, ...]
    sender_ids: tuple[int, ...]  # the sender of each message in message_ids, in the same order
    reader_id: int
    read_at: float


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReactionsUpdated(Event):
    """The actor added and/or removed a reaction on a message: `added`/`removed` hold only what
    really changed (at least one of them). Not logged: message history carries the reactions."""

    kind: ClassVar[str] = "message_reactions_updated"
    logged: ClassVar[bool] = False
    conversation_id: int
    conversation_type: str
    message_id: int
    added: str | None = None
    removed: str | None = None


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class Typing(Event):
    kind: ClassVar[str] = "typing"
    logged: ClassVar[bool] = False
    conversation_id: int
    user_id: int


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class SystemNotice(Event):
    """A custom system message (SAMA `system_message`), stored nowhere but the operations log."""

    kind: ClassVar[str] = "system_notice"
    notice_id: str
    conversation_id: int | None
    x: dict[str, Any]
    t: int


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class Notify(Event):
    """Auxiliary data sent to a conversation and not stored (REST `/chats/<id>/notify`)."""

    kind: ClassVar[str] = "notify"
    logged: ClassVar[bool] = False
    conversation_id: int
    body: dict[str, Any]


# --- conversations ---------------------------------------------------------------------------


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationCreated(Event):
    kind: ClassVar[str] = "conversation_created"
    conversation: dict[str, Any]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationUpdated(Event):
    """Name, description, images or other attributes changed."""

    kind: ClassVar[str] = "conversation_updated"
    conversation: dict[str, Any]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MembersAdded(Event):
    kind: ClassVar[str] = "members_added"
    conversation: dict[str, Any]
    user_ids: tuple[int, ...]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class MembersRemoved(Event):
    """Users left (the actor among them) or were removed; `recipients` includes them,
    `conversation` no longer does."""

    kind: ClassVar[str] = "members_removed"
    conversation: dict[str, Any]
    user_ids: tuple[int, ...]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationDeleted(Event):
    kind: ClassVar[str] = "conversation_deleted"
    conversation: dict[str, Any]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationCleared(Event):
    """Every message of the conversation was deleted."""

    kind: ClassVar[str] = "conversation_cleared"
    conversation: dict[str, Any]


# --- users -----------------------------------------------------------------------------------


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class UserCreated(Event):
    kind: ClassVar[str] = "user_created"
    broadcast: ClassVar[bool] = True
    logged: ClassVar[bool] = False
    user: dict[str, Any]


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class UserDeleted(Event):
    kind: ClassVar[str] = "user_deleted"
    broadcast: ClassVar[bool] = True
    logged: ClassVar[bool] = False
    user_id: int


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class LastActivity(Event):
    """A user came online (`last_seen_at` None) or went offline (at `last_seen_at`, Unix seconds)."""

    kind: ClassVar[str] = "last_activity"
    logged: ClassVar[bool] = False
    user_id: int
    last_seen_at: int | None = field(default=None)


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class SessionsEnded(Event):
    """Device sessions of a user ended: connections bound to them close, and with `everywhere`
    every connection of the user does (signed in with a session or not)."""

    kind: ClassVar[str] = "sessions_ended"
    logged: ClassVar[bool] = False
    control: ClassVar[bool] = True
    user_id: int
    session_ids: tuple[int, ...] = ()
    everywhere: bool = False


@event_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class EventsMissed(Event):
    """A process's hub found that events meant for its connections may have been lost (Redis lost
    its routes: restarted, or an event reached the hub while its subscription was down): each of
    its connections closes, so that its client reconnects and reads again what it missed. Handed
    by the hub to its own connections; never sent between processes."""

    kind: ClassVar[str] = "events_missed"
    logged: ClassVar[bool] = False
    control: ClassVar[bool] = True
    recipients: tuple[int, ...] = ()


def event_from_data(cls: type[Event], data: dict[str, Any]) -> Event:
    """An event of this kind from its `data()` (without recipients). Fields this version does not
    know (written by another version: a process during a rolling deploy, an operations log entry
    from before an upgrade) are dropped."""
    try:
        return cls(recipients=(), **data)
    except TypeError:
        known = {f.name for f in fields(cls)}
        return cls(recipients=(), **{name: value for name, value in data.items() if name in known})


def event_from_channel_message(message: dict[str, Any]) -> Event:
    """The event of a channel-layer message (or of one item of a batch)."""
    return event_from_data(EVENT_KINDS[message["kind"]], message["data"])
