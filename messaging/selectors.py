"""Reads on messages."""

from datetime import datetime

from accounts.models import User
from chats.selectors import clamp_limit, conversation_access
from config.errors import NotFound
from messaging.models import HiddenMessage, Message


def visible_messages(user: User, conversation_id: int):
    """The conversation's messages the user has not deleted for themselves."""
    return Message.objects.filter(conversation_id=conversation_id).exclude(
        pk__in=HiddenMessage.objects.filter(user=user).values("message_id")
    )


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
    conversation_access(user, conversation_id)
    rows = visible_messages(user, conversation_id).select_related("sender")
    if not include_deleted:
        rows = rows.filter(deleted_at__isnull=True)
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


def message_get(user: User, message_id: int, *, conversation_id: int | None = None) -> Message:
    """A message the user sees (in one of their conversations, not deleted, not hidden from them),
    in `conversation_id` if given; the same NotFound otherwise."""
    rows = Message.objects.filter(pk=message_id, deleted_at__isnull=True, conversation__participants__user=user)
    if conversation_id is not None:
        rows = rows.filter(conversation_id=conversation_id)
    message = rows.exclude(pk__in=HiddenMessage.objects.filter(user=user).values("message_id")).first()
    if message is None:
        raise NotFound("Message not found", code="message_not_found")
    return message
