"""How Hooligram V2 renders each protocol-neutral event (checked for every kind by a test).

Hooligram knows only groups and messages: a new message becomes MESSAGING_DELIVER_REQUEST, and
any change of a group the user is still in becomes GROUP_DELIVER_REQUEST with the whole group.
Everything else has no Hooligram form and is ignored."""

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
from protocols.hooligram import render
from realtime.adapter import SharedFrame

# A new message for every connection of this process it reaches: one action id for all of them,
# which is enough, since a client answers the delivery on its own connection (by message id).
deliver_frame = SharedFrame(lambda event: render.messaging_deliver_request(event.message))


class HooligramEventsMixin:
    """Event kind -> Hooligram frames for the connection's user."""

    user: Any
    # Ids of messages this connection was just sent at sign-in; their live event is a duplicate.
    backlog_ids: set[int]

    renderers: ClassVar[dict[str, str]] = {
        MessageCreated.kind: "render_message_created",
        MessageEdited.kind: "ignore",
        MessageReactionsUpdated.kind: "ignore",  # Hooligram V2 has no place for reactions
        MessagesDeleted.kind: "ignore",
        MessagesRead.kind: "ignore",
        Typing.kind: "ignore",
        SystemNotice.kind: "ignore",
        Notify.kind: "ignore",
        ConversationCreated.kind: "render_group",
        ConversationUpdated.kind: "render_group",
        MembersAdded.kind: "render_group",
        MembersRemoved.kind: "render_group",
        ConversationDeleted.kind: "ignore",
        ConversationCleared.kind: "ignore",
        UserCreated.kind: "ignore",
        UserDeleted.kind: "ignore",
        LastActivity.kind: "ignore",
    }

    def render_message_created(self, event: MessageCreated, is_origin: bool) -> list[str]:
        """Every participant's connections but the sending one get the message to acknowledge."""
        message = event.message
        if is_origin or message["is_system"] or self.user is None:
            return []  # the sending connection got MESSAGING_SEND_SUCCESS
        if message["id"] in self.backlog_ids:
            self.backlog_ids.discard(message["id"])
            return []
        return [deliver_frame(event)]

    def render_group(self, event: Any, is_origin: bool) -> list[dict]:
        """The group as it now is, to its members (not to those who just left or were removed)."""
        conversation = event.conversation
        if self.user is None or self.user.pk not in {m["id"] for m in conversation["participants"]}:
            return []
        return [render.group_deliver_request(conversation)]
