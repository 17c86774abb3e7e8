"""System messages: those the server stores in a conversation's history (membership notices), and
the custom ones a client sends (SAMA `system_message`), delivered live and kept only in the
recipients' operations logs."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation
from chats.models import Conversation
from chats.selectors import participant_ids_of
from config.errors import Invalid, NotFound
from config.id_lists import ids_distinct
from events.delivery import publish
from events.kinds import MessageCreated, SystemNotice
from messaging.models import Message
from messaging.sending import client_id_clean, x_clean
from messaging.snapshots import message_snapshot

UIDS_MAX = 100


def system_message_store(
    actor: User, *, conversation: Conversation, body: str, x: dict[str, Any], recipients: tuple[int, ...] | None = None
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
        wanted = ids_distinct(user_ids, limit=UIDS_MAX, field="uids", required=True)
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
