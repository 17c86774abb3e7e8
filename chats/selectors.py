"""Reads on conversations; `conversation_access` is the one authorization check for reading."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from chats.models import Conversation, Participant
from config.errors import Forbidden, NotFound

LIST_LIMIT_DEFAULT = 50
LIST_LIMIT_MAX = 100


def clamp_limit(limit: int | None, default: int = LIST_LIMIT_DEFAULT, maximum: int = LIST_LIMIT_MAX) -> int:
    """A page size within [1, maximum], `default` when not given."""
    if limit is None:
        return default
    return max(1, min(int(limit), maximum))


def participation_get(user: User | int, conversation_id: int) -> Participant:
    """The user's participation in a conversation; NotFound whether it is absent or not theirs."""
    user_id = user if isinstance(user, int) else user.pk
    participation = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, user_id=user_id)
        .first()
    )
    if participation is None:
        raise NotFound("Conversation not found", code="conversation_not_found")
    return participation


def posting_refuse_if_blocked(is_blocked: bool) -> None:
    """Forbidden for a participant blocked from posting: the one wording of that rule, also for the
    send path, which reads the flag in its own SQL (messaging/sending.py)."""
    if is_blocked:
        raise Forbidden("You are blocked from posting in this conversation", code="blocked")


def participation_for_posting(user: User | int, conversation_id: int) -> Participant:
    """The user's participation in a conversation they may post in (send, type, notify, change it);
    NotFound as `participation_get`, Forbidden when blocked from posting."""
    participation = participation_get(user, conversation_id)
    posting_refuse_if_blocked(participation.is_blocked)
    return participation


def conversation_access(user: User | int, conversation_id: int) -> Conversation:
    """The conversation, if the user takes part in it; the same NotFound otherwise."""
    return participation_get(user, conversation_id).conversation


def participant_ids_of(conversation_id: int) -> list[int]:
    return list(Participant.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True))


def conversation_list(
    user: User,
    *,
    limit: int | None = None,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
    ids: Iterable[int] | None = None,
) -> list[Conversation]:
    """The user's conversations, newest activity first, each annotated with `unread_count`,
    `last_message_id` and the user's own `participation` settings."""
    from messaging.models import HiddenMessage, Message

    visible = Message.objects.filter(conversation_id=OuterRef("conversation_id"), deleted_at__isnull=True).exclude(
        pk__in=HiddenMessage.objects.filter(user=user).values("message_id")
    )
    unread = (
        visible.filter(id__gt=OuterRef("last_read_message_id"))
        .exclude(sender_id=user.pk)
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    last = visible.order_by("-id").values("id")[:1]
    rows = Participant.objects.filter(user=user).select_related("conversation")
    if updated_after is not None:
        rows = rows.filter(conversation__updated_at__gt=updated_after)
    if updated_before is not None:
        rows = rows.filter(conversation__updated_at__lt=updated_before)
    if ids is not None:
        rows = rows.filter(conversation_id__in=list(ids))
    rows = rows.annotate(unread_count=Coalesce(Subquery(unread), 0), last_message_id=Subquery(last)).order_by(
        F("conversation__updated_at").desc(), F("conversation_id").desc()
    )[: clamp_limit(limit)]
    conversations = []
    for row in rows:
        conversation = row.conversation
        conversation.participation = row
        conversation.unread_count = row.unread_count
        conversation.last_message_id = row.last_message_id
        conversations.append(conversation)
    return conversations


def conversation_search(
    user: User, *, name: str, limit: int | None = None, updated_after: datetime | None = None
) -> list[Conversation]:
    """The user's conversations whose name contains `name`."""
    rows = Conversation.objects.filter(participants__user=user)
    if name:
        rows = rows.filter(name__icontains=name)
    if updated_after is not None:
        rows = rows.filter(updated_at__gt=updated_after)
    return list(rows.order_by("-updated_at", "-id")[: clamp_limit(limit)])


def participants_of_conversations(
    user: User, conversation_ids: Iterable[int]
) -> tuple[list[User], dict[int, list[int]]]:
    """For those of the conversations the user is in: every participant, and each one's user ids."""
    rows = list(
        Participant.objects.filter(
            conversation_id__in=list(conversation_ids), conversation__participants__user=user
        ).values_list("conversation_id", "user_id")
    )
    members: dict[int, list[int]] = {}
    for conversation_id, user_id in sorted(rows):
        members.setdefault(conversation_id, []).append(user_id)
    users = list(User.objects.filter(pk__in={uid for _, uid in rows}).order_by("pk"))
    return users, members


def private_conversation_between(user_a: int, user_b: int) -> Conversation | None:
    return Conversation.objects.filter(private_key=private_key(user_a, user_b)).first()


def private_key(user_a: int, user_b: int) -> str:
    low, high = sorted((int(user_a), int(user_b)))
    return f"{low}:{high}"
