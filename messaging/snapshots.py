"""Protocol-neutral plain-data views of messages, carried in events."""

from typing import Any

from accounts.models import User
from accounts.snapshots import timestamp
from messaging.models import Message


def message_snapshot(message: Message, sender: User | None, conversation_type: str) -> dict[str, Any]:
    """Everything any adapter needs to render the message without another query."""
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "conversation_type": conversation_type,
        "sender_id": message.sender_id,
        "sender_sid": sender.sid if sender else None,
        "sender_name": sender.display_name if sender else None,
        "client_id": message.client_id,
        "body": message.body,
        "x": message.x,
        "attachments": message.attachments,
        "is_system": message.is_system,
        "is_visible": message.is_visible,
        "replied_message_id": message.replied_message_id,
        "forwarded_message_id": message.forwarded_message_id,
        "created_at": timestamp(message.created_at),
        "updated_at": timestamp(message.updated_at),
        "edited_at": timestamp(message.edited_at),
        "deleted_at": timestamp(message.deleted_at),
    }
