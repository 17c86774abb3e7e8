"""How SAMA renders each protocol-neutral event (checked for every kind by a test)."""

import time
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
from protocols.sama import render
from realtime.adapter import SharedFrame

# What every connection but the sender's gets for a new message.
message_frame = SharedFrame(lambda event: {"message": render.message(event.message)})


class SamaEventsMixin:
    """Event kind -> SAMA frames for the connection's user."""

    user: Any

    renderers: ClassVar[dict[str, str]] = {
        MessageCreated.kind: "render_message",
        MessageEdited.kind: "render_message_edit",
        MessageReactionsUpdated.kind: "render_message_reactions",
        MessagesDeleted.kind: "render_message_delete",
        MessagesRead.kind: "render_message_read",
        Typing.kind: "render_typing",
        SystemNotice.kind: "render_system_notice",
        Notify.kind: "ignore",
        ConversationCreated.kind: "render_conversation_created",
        ConversationUpdated.kind: "render_conversation_updated",
        MembersAdded.kind: "render_members_added",
        MembersRemoved.kind: "render_members_removed",
        ConversationDeleted.kind: "render_conversation_deleted",
        ConversationCleared.kind: "ignore",
        UserCreated.kind: "ignore",
        UserDeleted.kind: "ignore",
        LastActivity.kind: "render_last_activity",
    }

    def render_message(self, event: MessageCreated, is_origin: bool) -> list[str]:
        if is_origin:
            return []  # the sending connection gets the ack instead
        return [message_frame(event)]

    def render_message_edit(self, event: MessageEdited, is_origin: bool) -> list[dict]:
        if is_origin:
            return []
        m = event.message
        body = {
            "id": str(m["id"]),
            "cid": str(m["conversation_id"]),
            "c_type": m["conversation_type"],
            "from": render.sid(event.actor_id),
            "body": m["body"],
        }
        return [{"message_edit": body}]

    def render_message_reactions(self, event: MessageReactionsUpdated, is_origin: bool) -> list[dict]:
        """`message_reactions_update` as SAMA's newer API sends it: `add`/`remove` only when changed."""
        if is_origin:
            return []  # the reacting connection got its answer
        body = {
            "mid": str(event.message_id),
            "cid": str(event.conversation_id),
            "c_type": event.conversation_type,
            "from": render.sid(event.actor_id),
        }
        if event.added is not None:
            body["add"] = event.added
        if event.removed is not None:
            body["remove"] = event.removed
        return [{"message_reactions_update": body}]

    def render_message_delete(self, event: MessagesDeleted, is_origin: bool) -> list[dict]:
        if is_origin:
            return []
        ids = [str(i) for i in event.message_ids]
        body = {"cid": str(event.conversation_id), "ids": ids, "type": "all", "from": render.sid(event.actor_id)}
        return [{"message_delete": body}]

    def render_message_read(self, event: MessagesRead, is_origin: bool) -> list[dict]:
        mine = [str(m) for m, s in zip(event.message_ids, event.sender_ids, strict=True) if s == self.user.pk]
        if not mine:
            return []
        return [{"message_read": {"cid": str(event.conversation_id), "ids": mine, "from": str(event.reader_id)}}]

    def render_typing(self, event: Typing, is_origin: bool) -> list[dict]:
        return [{"typing": {"cid": str(event.conversation_id), "from": str(event.user_id)}}]

    def render_system_notice(self, event: SystemNotice, is_origin: bool) -> list[dict]:
        body = {"_id": event.notice_id, "t": event.t, "from": render.sid(event.actor_id), "x": event.x}
        if event.conversation_id is not None:
            body["cid"] = str(event.conversation_id)
        return [{"system_message": body}]

    def _conversation_notice(self, event: Any, key: str, is_origin: bool) -> list[dict]:
        if is_origin:
            return []
        return [render.system_message(event.conversation, key, actor_id=event.actor_id, t=int(time.time()))]

    def render_conversation_created(self, event: ConversationCreated, is_origin: bool) -> list[dict]:
        return self._conversation_notice(event, "conversation_created", is_origin)

    def render_conversation_updated(self, event: ConversationUpdated, is_origin: bool) -> list[dict]:
        return self._conversation_notice(event, "conversation_updated", is_origin)

    def render_members_added(self, event: MembersAdded, is_origin: bool) -> list[dict]:
        if self.user.pk not in event.user_ids:
            return []
        return self._conversation_notice(event, "conversation_updated", is_origin)

    def render_members_removed(self, event: MembersRemoved, is_origin: bool) -> list[dict]:
        if self.user.pk not in event.user_ids:
            return []
        return self._conversation_notice(event, "conversation_kicked", is_origin)

    def render_conversation_deleted(self, event: ConversationDeleted, is_origin: bool) -> list[dict]:
        return self._conversation_notice(event, "conversation_kicked", is_origin)

    def render_last_activity(self, event: LastActivity, is_origin: bool) -> list[dict]:
        value = "online" if event.last_seen_at is None else event.last_seen_at
        return [{"last_activity": {str(event.user_id): value}}]
