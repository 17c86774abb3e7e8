"""Reads on messages."""

from datetime import datetime

from accounts.models import User
from chats.access import access_conversation
from config.paging import clamp_limit
from messaging.access import visible_messages
from messaging.models import Message


def message_list(
    user: User,
    *,
    conversation_id: int,
    limit: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    before_id: int | None = None,
    include_deleted: bool = False,
) -> list[Message]:
    """The newest messages of a conversation the user takes part in, newest first."""
    access_conversation(user, conversation_id)
    rows = visible_messages(user, conversation_id=conversation_id, include_deleted=include_deleted)
    rows = rows.select_related("sender")
    if after is not None:
        rows = rows.filter(created_at__gt=after)
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    return list(rows.order_by("-id")[: clamp_limit(limit)])


def messages_by_ids(ids: list[int]) -> dict[int, Message]:
    return {m.pk: m for m in Message.objects.filter(pk__in=ids).select_related("sender")}


def read_message_ids(conversation_id: int, messages: list[Message]) -> set[int]:
    """Those of the conversation's messages that someone other than their sender has read (one query)."""
    from chats.models import Participant

    positions = Participant.objects.filter(conversation_id=conversation_id).values_list(
        "user_id", "last_read_message_id"
    )
    ranked = sorted(positions, key=lambda row: row[1], reverse=True)[:2]  # the two furthest readers

    def read_by_other(message: Message) -> bool:
        furthest = next((pos for uid, pos in ranked if uid != message.sender_id), 0)
        return furthest >= message.pk

    return {m.pk for m in messages if read_by_other(m)}
