"""Writes on messages, read state and the operations log; authorization for them lives here."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation, access_participation
from chats.models import Conversation, Participant
from chats.selectors import participant_ids_of
from config.errors import Forbidden, Invalid, NotFound
from config.id_lists import ids_distinct
from events.delivery import publish
from events.kinds import MessageCreated, MessageEdited, MessagesDeleted, MessagesRead, SystemNotice, Typing
from messaging.access import access_message
from messaging.models import HiddenMessage, Message
from messaging.sending import body_clean, client_id_clean, x_clean
from messaging.snapshots import message_snapshot

READ_EVENT_IDS_MAX = 500
DELETE_IDS_MAX = 100


def system_message_store(
    actor: User, *, conversation: Conversation, body: str, x: dict, recipients: tuple[int, ...] | None = None
) -> Message:
    """Store a system message (inside the caller's transaction) and deliver it to the participants
    (`recipients` when the caller already knows them, saving a query per message)."""
    message = Message.objects.create(conversation=conversation, sender=actor, body=body, x=x, is_system=True)
    publish(
        MessageCreated(
            recipients=recipients if recipients is not None else tuple(participant_ids_of(conversation.pk)),
            actor_id=actor.pk,
            message=message_snapshot(message, actor, conversation.type),
        )
    )
    return message


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
            recipients=tuple(participant_ids_of(message.conversation_id)),
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


@transaction.atomic
def message_read(
    actor: User,
    *,
    conversation_id: int,
    message_ids: Iterable[int] | None = None,
    origin: str | None = None,
) -> list[int]:
    """Move the actor's read position forward to the newest given message (or the newest of all);
    answers the ids newly read. Locks the actor's participant row."""
    participation = Participant.objects.select_for_update().filter(conversation_id=conversation_id, user=actor).first()
    if participation is None:
        raise NotFound("Conversation not found", code="conversation_not_found")
    messages = Message.objects.filter(conversation_id=conversation_id)
    if message_ids is not None:
        ids = [int(i) for i in message_ids]
        messages = messages.filter(pk__in=ids) if ids else messages.none()
    newest = messages.order_by("-id").values_list("id", flat=True).first()
    if newest is None or newest <= participation.last_read_message_id:
        return []
    newly = list(
        Message.objects.filter(
            conversation_id=conversation_id,
            id__gt=participation.last_read_message_id,
            id__lte=newest,
            deleted_at__isnull=True,
            is_system=False,
        )
        .exclude(sender=actor)
        .order_by("-id")
        .values_list("id", "sender_id")[:READ_EVENT_IDS_MAX]
    )
    now = timezone.now()
    participation.last_read_message_id = newest
    participation.last_read_at = now
    participation.save(update_fields=["last_read_message_id", "last_read_at"])
    if newly:
        publish(
            MessagesRead(
                recipients=tuple(participant_ids_of(conversation_id)),
                actor_id=actor.pk,
                origin=origin,
                conversation_id=conversation_id,
                message_ids=tuple(sorted(i for i, _ in newly)),
                sender_ids=tuple(s for _, s in sorted(newly)),
                reader_id=actor.pk,
                read_at=now.timestamp(),
            )
        )
    return sorted(i for i, _ in newly)


def typing_notify(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Tell the other participants the actor is typing (refused, like a send, to a participant
    blocked from posting); stores nothing."""
    access_participation(actor, conversation_id, to_post=True)
    members = participant_ids_of(conversation_id)
    publish(
        Typing(
            recipients=tuple(uid for uid in members if uid != actor.pk),
            actor_id=actor.pk,
            origin=origin,
            conversation_id=conversation_id,
            user_id=actor.pk,
        )
    )


@transaction.atomic
def system_message_send(
    actor: User,
    *,
    client_id: object,
    x: object,
    conversation_id: int | None = None,
    user_ids: Iterable[int] | None = None,
    origin: str | None = None,
) -> SystemNotice:
    """Send a custom system message to a conversation's participants or to some users."""
    notice_id, x = client_id_clean(client_id), x_clean(x)
    if conversation_id is not None:
        access_conversation(actor, conversation_id)
        recipients = tuple(participant_ids_of(conversation_id))
    elif user_ids is not None:
        wanted = {int(i) for i in user_ids}
        if not wanted or len(wanted) > 100:
            raise Invalid("uids must hold 1 to 100 ids", code="invalid_uids")
        recipients = tuple(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
        if len(recipients) != len(wanted):
            raise NotFound("Users not found", code="user_not_found")
    else:
        raise Invalid("cid or uids is required", code="invalid_recipients")
    blockers = blocking.blockers_among(actor.pk, recipients)
    recipients = tuple(uid for uid in recipients if uid not in blockers)
    notice = SystemNotice(
        recipients=recipients,
        actor_id=actor.pk,
        origin=origin,
        notice_id=notice_id,
        conversation_id=conversation_id,
        x=x,
        t=int(timezone.now().timestamp()),
    )
    publish(notice)
    return notice
