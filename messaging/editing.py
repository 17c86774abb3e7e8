"""Changing sent messages: the sender edits theirs or deletes them (for themselves or for everyone);
staff remove anyone's (moderation)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chats.access import access_conversation
from chats.models import Conversation
from chats.selectors import participant_ids_of
from config.errors import Forbidden, NotFound
from config.id_lists import ids_distinct
from events.delivery import publish
from events.kinds import MessageEdited, MessagesDeleted
from messaging.access import access_message, viewers_of
from messaging.models import HiddenMessage, Message, MessageReaction
from messaging.sending import body_clean
from messaging.snapshots import message_snapshot

DELETE_IDS_MAX = 100


def _own_message_for_change(actor: User, message_id: int) -> Message:
    message = access_message(actor, message_id, lock=True)
    if message.sender_id != actor.pk or message.is_system:
        raise Forbidden("Only the sender changes a message", code="not_sender")
    return message


@transaction.atomic
def message_edit(
    actor: User,
    *,
    message_id: int,
    body: object = None,
    is_visible: bool | None = None,
    origin: str | None = None,
) -> Message:
    """The sender changes their message's text; locks the message row."""
    message = _own_message_for_change(actor, message_id)
    if body is not None:
        message.body = body_clean(body, required=not message.attachments)
        message.edited_at = timezone.now()
    if is_visible is not None:
        message.is_visible = bool(is_visible)
    message.save()
    publish(
        MessageEdited(
            recipients=viewers_of(message),
            actor_id=actor.pk,
            origin=origin,
            message=message_snapshot(message, actor, message.conversation.type),
        )
    )
    return message


@transaction.atomic
def message_delete(
    actor: User,
    *,
    conversation_id: int,
    message_ids: Iterable[int],
    everyone: bool,
    origin: str | None = None,
) -> list[Message]:
    """Delete messages for the actor only, or (their own messages) for everyone."""
    conversation = access_conversation(actor, conversation_id)
    ids = ids_distinct(message_ids, limit=DELETE_IDS_MAX, required=True)
    messages = list(Message.objects.select_for_update().filter(conversation=conversation, pk__in=ids))
    if len(messages) != len(ids):
        raise NotFound("Message not found", code="message_not_found")
    if not everyone:
        HiddenMessage.objects.bulk_create(
            [HiddenMessage(user=actor, message=m) for m in messages], ignore_conflicts=True
        )
        return messages
    if any(m.sender_id != actor.pk for m in messages):
        raise Forbidden("Only the sender deletes a message for everyone", code="not_sender")
    _erase(actor, conversation, messages, origin=origin)
    return messages


def _erase(actor: User, conversation: Conversation, messages: list[Message], *, origin: str | None) -> None:
    """Delete messages of one conversation for everyone (rows locked by the caller) and tell its participants."""
    messages = sorted(messages, key=lambda m: m.pk)
    now = timezone.now()
    for message in messages:
        message.deleted_at = now
        message.body, message.x, message.attachments = "", {}, []
    Message.objects.bulk_update(messages, ["deleted_at", "body", "x", "attachments", "updated_at"])
    MessageReaction.objects.filter(message__in=messages).delete()  # they go with the content
    publish(
        MessagesDeleted(
            recipients=tuple(participant_ids_of(conversation.pk)),
            actor_id=actor.pk,
            origin=origin,
            conversation_id=conversation.pk,
            message_ids=tuple(m.pk for m in messages),
            messages=tuple(
                message_snapshot(m, actor if m.sender_id == actor.pk else m.sender, conversation.type) for m in messages
            ),
        )
    )


@transaction.atomic
def messages_remove(actor: User, *, message_ids: Iterable[int]) -> int:
    """Staff delete messages for everyone, whoever sent them (moderation); locks the message rows.
    Answers how many were deleted (those deleted before are skipped)."""
    if not actor.is_staff:
        raise Forbidden("Only staff remove other users' messages", code="not_staff")
    messages = list(
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation", "sender")
        .filter(pk__in=sorted({int(i) for i in message_ids}), deleted_at__isnull=True)
        .order_by("pk")
    )
    by_conversation: dict[int, list[Message]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    for group in by_conversation.values():
        _erase(actor, group[0].conversation, group, origin=None)
    return len(messages)
