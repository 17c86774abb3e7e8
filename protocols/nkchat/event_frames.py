"""How NkCHAT renders each protocol-neutral event (checked for every kind by a test).

An event becomes `{class: "core", cmd: "event", data: {class: "chat", subclass, type, obj_id, body},
tid}` and is sent only when one of the connection's subscriptions matches it. Which users receive an
event at all (participants only) is decided by the service that published it.
"""

import itertools
from typing import Any, ClassVar

from events.kinds import (
    ConversationCleared,
    ConversationCreated,
    ConversationDeleted,
    ConversationUpdated,
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
from protocols.nkchat.subscriptions import Subscriptions

CLASS = "chat"
USER, CONVERSATION = "user", "conversation"
# The document's spellings; a subscription may use the correct spelling of the same type.
ADDED_MEMBERS, REMOVED_MEMBERS = "added_memebers", "removed_memebers"
# Beyond the document, shaped like its message events: a user added and/or removed a reaction.
UPDATED_REACTIONS = "updated_reactions"
TYPE_ALIASES = {"added_members": ADDED_MEMBERS, "removed_members": REMOVED_MEMBERS}
EVENT_TYPES = {
    USER: {"created", "deleted"},
    CONVERSATION: {
        "created",
        "deleted",
        ADDED_MEMBERS,
        REMOVED_MEMBERS,
        "created_message",
        "deleted_message",
        "updated_message",
        UPDATED_REACTIONS,
    },
}


class NkchatEventsMixin:
    """Event kind -> NkCHAT event frames for the connection's subscriptions."""

    user: Any
    subscriptions: Subscriptions
    event_tids: "itertools.count[int]"

    renderers: ClassVar[dict[str, str]] = {
        MessageCreated.kind: "render_created_message",
        MessageEdited.kind: "render_updated_message",
        MessageReactionsUpdated.kind: "render_updated_reactions",
        MessagesDeleted.kind: "render_deleted_message",
        MessagesRead.kind: "ignore",
        Typing.kind: "ignore",
        SystemNotice.kind: "ignore",
        Notify.kind: "ignore",
        ConversationCreated.kind: "render_conversation_created",
        ConversationUpdated.kind: "ignore",
        MembersAdded.kind: "render_added_members",
        MembersRemoved.kind: "render_removed_members",
        ConversationDeleted.kind: "render_conversation_deleted",
        ConversationCleared.kind: "ignore",
        UserCreated.kind: "render_user_created",
        UserDeleted.kind: "render_user_deleted",
        LastActivity.kind: "ignore",
    }

    def event_frames(self, subclass: str, type: str, obj_id: int, bodies: list[dict]) -> list[dict]:
        """One event frame per body, if the connection is logged in and subscribed to the event."""
        obj = str(obj_id)
        if self.user is None or not self.subscriptions.matches(CLASS, subclass, type, obj):
            return []
        return [
            {
                "class": "core",
                "cmd": "event",
                "data": {"class": CLASS, "subclass": subclass, "type": type, "obj_id": obj, "body": body},
                "tid": next(self.event_tids),
            }
            for body in bodies
        ]

    def _message_event(self, type: str, message: dict) -> list[dict]:
        body = {"message_id": str(message["id"])}
        for key in ("replied_message_id", "forwarded_message_id"):
            if message.get(key) is not None:
                body[key] = str(message[key])
        return self.event_frames(CONVERSATION, type, message["conversation_id"], [body])

    def render_created_message(self, event: MessageCreated, is_origin: bool) -> list[dict]:
        return self._message_event("created_message", event.message)

    def render_updated_message(self, event: MessageEdited, is_origin: bool) -> list[dict]:
        return self._message_event("updated_message", event.message)

    def render_updated_reactions(self, event: MessageReactionsUpdated, is_origin: bool) -> list[dict]:
        body = {"message_id": str(event.message_id), "user_id": str(event.actor_id)}
        if event.added is not None:
            body["add"] = event.added
        if event.removed is not None:
            body["remove"] = event.removed
        return self.event_frames(CONVERSATION, UPDATED_REACTIONS, event.conversation_id, [body])

    def render_deleted_message(self, event: MessagesDeleted, is_origin: bool) -> list[dict]:
        bodies = [{"message_id": str(mid)} for mid in event.message_ids]
        return self.event_frames(CONVERSATION, "deleted_message", event.conversation_id, bodies)

    def render_conversation_created(self, event: ConversationCreated, is_origin: bool) -> list[dict]:
        return self.event_frames(CONVERSATION, "created", event.conversation["id"], [{}])

    def render_conversation_deleted(self, event: ConversationDeleted, is_origin: bool) -> list[dict]:
        return self.event_frames(CONVERSATION, "deleted", event.conversation["id"], [{}])

    def render_added_members(self, event: MembersAdded, is_origin: bool) -> list[dict]:
        body = {"user_ids": [str(uid) for uid in event.user_ids]}
        return self.event_frames(CONVERSATION, ADDED_MEMBERS, event.conversation["id"], [body])

    def render_removed_members(self, event: MembersRemoved, is_origin: bool) -> list[dict]:
        body = {"user_ids": [str(uid) for uid in event.user_ids]}
        return self.event_frames(CONVERSATION, REMOVED_MEMBERS, event.conversation["id"], [body])

    def render_user_created(self, event: UserCreated, is_origin: bool) -> list[dict]:
        return self.event_frames(USER, "created", event.user["id"], [{}])

    def render_user_deleted(self, event: UserDeleted, is_origin: bool) -> list[dict]:
        return self.event_frames(USER, "deleted", event.user_id, [{}])
