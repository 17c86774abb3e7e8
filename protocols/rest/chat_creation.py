"""Chats REST creation rule: the same participants give back the same chat, personal or group."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from accounts.models import User
from chats.conversations import conversation_create
from chats.models import Conversation, Participant
from config.errors import Invalid


def _same_members_group(actor: User, member_ids: set[int]) -> Conversation | None:
    """The actor's group whose participants are exactly `member_ids`, if there is one."""
    return (
        Conversation.objects.filter(
            type=Conversation.GROUP, pk__in=Participant.objects.filter(user=actor).values("conversation_id")
        )
        .annotate(
            members=Count("participants", distinct=True),
            matching=Count("participants", filter=Q(participants__user_id__in=member_ids), distinct=True),
        )
        .filter(members=len(member_ids), matching=len(member_ids))
        .order_by("pk")
        .first()
    )


@transaction.atomic
def chat_find_or_create(
    actor: User,
    *,
    participant_ids: Iterable[int],
    is_personal: bool | None = None,
    title: object = None,
    origin: str | None = None,
) -> tuple[Conversation, bool]:
    """The chat of exactly these participants (the actor included), created when there is none.

    A chat is personal when asked, or by default when it has two members; a personal chat with more
    than two members is refused. Answers (conversation, created)."""
    others = {int(i) for i in participant_ids} - {actor.pk}
    if not others:
        raise Invalid("A new chat needs at least one participant besides you", code="no_participants")
    members = others | {actor.pk}
    personal = len(members) == 2 if is_personal is None else bool(is_personal)
    if personal and len(members) > 2:
        raise Invalid("A personal chat has at most two participants", code="too_many_participants")
    if personal:
        return conversation_create(actor, type=Conversation.PRIVATE, participant_ids=others, origin=origin)
    existing = _same_members_group(actor, members)
    if existing is not None:
        return existing, False
    return conversation_create(actor, type=Conversation.GROUP, participant_ids=others, name=title or "", origin=origin)
