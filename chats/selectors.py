"""Reads on conversations and their participants (who may read what: `chats.access`)."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from chats.models import Conversation, Participant
from config.paging import clamp_limit


def participations_of(user: User | int) -> QuerySet[Participant]:
    """The user's participations, with their conversations: one for each conversation they take
    part in (the rule every reader of a user's conversations starts from; Hooligram's hand-written
    snapshot query, in `messaging.backlog.sign_in_backlogs`, joins the same rows)."""
    user_id = user if isinstance(user, int) else user.pk
    return Participant.objects.filter(user_id=user_id).select_related("conversation")


def conversations_of(user: User | int) -> QuerySet[Conversation]:
    """The conversations the user takes part in."""
    return Conversation.objects.filter(pk__in=participations_of(user).values("conversation_id"))


def participant_ids_of(conversation_id: int) -> list[int]:
    return list(Participant.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True))


def conversation_search(
    user: User,
    *,
    name: str,
    limit: int | None = None,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
) -> list[Conversation]:
    """The user's conversations whose name contains `name`, newest first."""
    rows = conversations_of(user)
    if name:
        rows = rows.filter(name__icontains=name)
    if updated_after is not None:
        rows = rows.filter(updated_at__gt=updated_after)
    if updated_before is not None:
        rows = rows.filter(updated_at__lt=updated_before)
    return list(rows.order_by("-updated_at", "-id")[: clamp_limit(limit)])


def participants_of_conversations(
    user: User, conversation_ids: Iterable[int]
) -> tuple[list[User], dict[int, list[int]]]:
    """For those of the conversations the user is in: every participant, and each one's user ids."""
    rows = list(
        Participant.objects.filter(
            conversation_id__in=conversations_of(user).filter(pk__in=list(conversation_ids)).values("pk")
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
