"""Chats REST reads and marks on single messages of a chat, and the read positions behind
`readMarks`."""

from accounts.models import User
from chats.access import access_participation
from chats.models import Participant
from messaging.access import access_message
from messaging.models import Message
from messaging.receipts import message_read


def message_get(actor: User, *, conversation_id: int, message_id: int) -> Message:
    """A message of a chat the actor takes part in; the same NotFound for absent and elsewhere."""
    access_participation(actor, conversation_id)  # "Conversation not found" before "Message not found"
    return access_message(actor, message_id, conversation_id=conversation_id, include_deleted=True)


def message_read_one(actor: User, *, conversation_id: int, message_id: int, origin: str | None = None) -> list[int]:
    """Put the actor's read mark on a message (and so on every older one); answers the ids newly read."""
    message_get(actor, conversation_id=conversation_id, message_id=message_id)
    return message_read(actor, conversation_id=conversation_id, message_ids=[message_id], origin=origin)


def read_positions(conversation_ids: list[int]) -> dict[int, list[Participant]]:
    """Every participant of these chats with their read position, per chat, in one query."""
    rows = Participant.objects.filter(conversation_id__in=conversation_ids, last_read_message_id__gt=0).order_by(
        "conversation_id", "user_id"
    )
    positions: dict[int, list[Participant]] = {}
    for row in rows:
        positions.setdefault(row.conversation_id, []).append(row)
    return positions
