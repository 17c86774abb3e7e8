"""The Chats REST notification WebSocket `/ws`: server-to-client frames `{event, source, payload}`.

Authenticates at the handshake with `Authorization: Bearer <accessToken>` or `?token=`; without a
valid token the handshake is refused. Payloads are `MessageInfo` (message, messageUpdate,
messageDelete), `ChatInfo` as the receiving user sees it (chatUpdate, addedUsers, removedUsers,
chatDeleted, chatCleared), `{chatId, messageIds, user, createdAt}` (readMark),
`{chatId, name, text, data}` (auxiliary) and, beyond the document, `{chatId, messageId, user, added,
removed}` (messageReactions: a reaction added and/or removed, null where nothing changed). They are
rendered from the event alone, without a query: `readMarks` and `reactions` of messages are empty
and `lastMessage`/`allUsers` of chats are null there."""

from typing import Any, ClassVar
from urllib.parse import parse_qs

from accounts import tokens
from config.errors import ServiceError
from events.kinds import (
    ConversationCleared,
    ConversationCreated,
    ConversationDeleted,
    ConversationUpdated,
    Event,
    LastActivity,
    MembersAdded,
    MembersRemoved,
    MessageCreated,
    MessageEdited,
    MessageReactionsUpdated,
    MessagesDeleted,
    MessagesRead,
    Notify,
    SystemNotice,
    Typing,
    UserCreated,
    UserDeleted,
)
from protocols.rest import render
from protocols.rest import serializers_out as o
from realtime.adapter import ProtocolAdapter, call

# The events that carry a conversation snapshot and are sent as `ChatInfo`.
ChatEvent = ConversationUpdated | MembersAdded | MembersRemoved | ConversationDeleted | ConversationCleared


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def handshake_token(scope: dict) -> str:
    """The access token of a handshake: the Bearer header first, then `?token=`."""
    scheme, _, token = _header(scope, b"authorization").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    return (query.get("token") or [""])[0]


class RestWsAdapter(ProtocolAdapter):
    name = "rest"

    renderers: ClassVar[dict[str, str]] = {
        MessageCreated.kind: "render_message",
        MessageEdited.kind: "render_message_update",
        MessageReactionsUpdated.kind: "render_message_reactions",
        MessagesDeleted.kind: "render_message_delete",
        MessagesRead.kind: "render_read_mark",
        Typing.kind: "render_typing",
        SystemNotice.kind: "ignore",
        Notify.kind: "render_notify",
        ConversationCreated.kind: "ignore",
        ConversationUpdated.kind: "render_chat_update",
        MembersAdded.kind: "render_added_users",
        MembersRemoved.kind: "render_removed_users",
        ConversationDeleted.kind: "render_chat_deleted",
        ConversationCleared.kind: "render_chat_cleared",
        UserCreated.kind: "ignore",
        UserDeleted.kind: "ignore",
        LastActivity.kind: "ignore",
    }

    async def on_connect(self) -> bool:
        try:
            session = await call(tokens.session_from_access_token, handshake_token(self.connection.scope))
        except ServiceError:
            return False
        await self.connection.bind(session.user, session)
        return True

    async def handle(self, text: str) -> None:
        """The socket only sends notifications: client frames, of any size or content, are ignored."""
        return None

    # --- events --------------------------------------------------------------------------------

    @staticmethod
    def frame(event_name: str, event: Event, payload: Any) -> dict[str, Any]:
        source = str(event.actor_id) if event.actor_id is not None else "system"
        return {"event": event_name, "source": source, "payload": payload}

    def _message(self, name: str, event: Event, snapshot: dict) -> dict[str, Any]:
        return self.frame(name, event, o.out(o.MessageInfoSerializer, render.message_info_from_snapshot(snapshot)))

    def _chat(self, name: str, event: ChatEvent, **extra: tuple[int, ...]) -> list[dict[str, Any]]:
        assert self.user is not None, "events reach signed-in connections only"
        info = render.chat_info_from_snapshot(event.conversation, self.user.pk, **extra)
        return [self.frame(name, event, o.out(o.ChatInfoSerializer, info))]

    def render_message(self, event: MessageCreated, is_origin: bool) -> list[dict]:
        return [self._message("message", event, event.message)]

    def render_message_update(self, event: MessageEdited, is_origin: bool) -> list[dict]:
        return [self._message("messageUpdate", event, event.message)]

    def render_message_delete(self, event: MessagesDeleted, is_origin: bool) -> list[dict]:
        return [self._message("messageDelete", event, m) for m in event.messages]

    def render_message_reactions(self, event: MessageReactionsUpdated, is_origin: bool) -> list[dict]:
        """Beyond the Chats REST document: a user added and/or removed a reaction on a message."""
        payload = {
            "chatId": event.conversation_id,
            "messageId": event.message_id,
            "user": event.actor_id,
            "added": event.added,
            "removed": event.removed,
        }
        return [self.frame("messageReactions", event, payload)]

    def render_read_mark(self, event: MessagesRead, is_origin: bool) -> list[dict]:
        created = o.serializers.DateTimeField().to_representation(render.dt(event.read_at))
        payload = {
            "chatId": event.conversation_id,
            "messageIds": list(event.message_ids),
            "user": event.reader_id,
            "createdAt": created,
        }
        return [self.frame("readMark", event, payload)]

    def render_typing(self, event: Typing, is_origin: bool) -> list[dict]:
        payload = {"chatId": event.conversation_id, "name": "typing", "text": None, "data": None}
        return [self.frame("auxiliary", event, payload)]

    def render_notify(self, event: Notify, is_origin: bool) -> list[dict]:
        return [self.frame("auxiliary", event, {"chatId": event.conversation_id, **event.body})]

    def render_chat_update(self, event: ConversationUpdated, is_origin: bool) -> list[dict]:
        return self._chat("chatUpdate", event)

    def render_added_users(self, event: MembersAdded, is_origin: bool) -> list[dict]:
        return self._chat("addedUsers", event, added_ids=tuple(event.user_ids))

    def render_removed_users(self, event: MembersRemoved, is_origin: bool) -> list[dict]:
        return self._chat("removedUsers", event, removed_ids=tuple(event.user_ids))

    def render_chat_deleted(self, event: ConversationDeleted, is_origin: bool) -> list[dict]:
        return self._chat("chatDeleted", event)

    def render_chat_cleared(self, event: ConversationCleared, is_origin: bool) -> list[dict]:
        return self._chat("chatCleared", event)
