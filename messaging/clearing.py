"""Clearing a chat: every message goes, with its read marks and receipts; the chat stays."""

from django.db import transaction

from accounts.models import User
from chats.access import access_conversation
from chats.models import Participant
from chats.snapshots import conversation_snapshot, participant_ids
from events.delivery import publish
from events.kinds import ConversationCleared
from messaging.models import Message


@transaction.atomic
def conversation_clear(actor: User, *, conversation_id: int, origin: str | None = None) -> int:
    """Delete every message of a chat for everyone: the owner of a group, either side of a personal
    chat. Answers how many messages went; locks the conversation row."""
    conversation = access_conversation(actor, conversation_id, as_owner="clears a group", lock=True)
    deleted = Message.objects.filter(conversation=conversation).delete()[1].get(Message._meta.label, 0)
    Participant.objects.filter(conversation=conversation).update(last_read_message_id=0, last_read_at=None)
    conversation.save(update_fields=["updated_at"])
    snapshot = conversation_snapshot(conversation)
    publish(
        ConversationCleared(
            recipients=tuple(participant_ids(snapshot)), actor_id=actor.pk, origin=origin, conversation=snapshot
        )
    )
    return deleted
