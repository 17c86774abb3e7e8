"""Reads on messages."""

from datetime import datetime

from accounts.models import User
from chats.access import access_conversation
from chats.models import Participant
from config.id_lists import ids_distinct
from config.paging import clamp_limit
from messaging.access import visible_messages
from messaging.models import Message

LIST_IDS_MAX = 100


def message_list(
    user: User,
    *,
    conversation_id: int,
    limit: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    before_id: int | None = None,
    ids: list[int] | None = None,
    include_deleted: bool = False,
) -> list[Message]:
    """The newest messages of a conversation the user takes part in, newest first; only those of
    `ids` when given (the ones it does not see are left out: SAMA's clients load the messages
    replies answer so, and show the missing ones as deleted)."""
    access_conversation(user, conversation_id)
    rows = visible_messages(user, conversation_id=conversation_id, include_deleted=include_deleted)
    rows = rows.select_related("sender")
    if ids is not None:
        rows = rows.filter(pk__in=ids_distinct(ids, limit=LIST_IDS_MAX))
    if after is not None:
        rows = rows.filter(created_at__gt=after)
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    return list(rows.order_by("-id")[: clamp_limit(limit)])


def messages_by_ids(ids: list[int]) -> dict[int, Message]:
    return {m.pk: m for m in Message.objects.filter(pk__in=ids).select_related("sender")}


def read_message_ids(messages: list[Message]) -> set[int]:
    """Those of the messages that someone other than their sender has read, whatever conversations
    they are in (one query)."""
    positions = Participant.objects.filter(conversation_id__in={m.conversation_id for m in messages}).values_list(
        "conversation_id", "user_id", "last_read_message_id"
    )
    furthest: dict[int, list[tuple[int, int]]] = {}  # per conversation, its two furthest readers
    for conversation_id, user_id, position in sorted(positions, key=lambda row: row[2], reverse=True):
        readers = furthest.setdefault(conversation_id, [])
        if len(readers) < 2:
            readers.append((user_id, position))

    def read_by_other(message: Message) -> bool:
        readers = furthest.get(message.conversation_id, [])
        return next((pos for uid, pos in readers if uid != message.sender_id), 0) >= message.pk

    return {m.pk for m in messages if read_by_other(m)}
