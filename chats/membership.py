"""Who takes part in a group: adding and removing participants, leaving, and the conversation's end
when its last participant is gone. Each change is published (MembersAdded, MembersRemoved); the
notice it leaves in the group's history is written by `messaging.membership_notices`, which receives
those events inside the same transaction."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation
from chats.models import Conversation, ConversationBlock, Participant
from chats.snapshots import conversation_snapshot, participant_ids
from config.errors import Forbidden, Invalid, NotFound
from events.delivery import publish
from events.kinds import ConversationDeleted, MembersAdded, MembersRemoved


def group_max() -> int:
    """The most participants a group may have (GROUP_MAX_PARTICIPANTS)."""
    return getattr(settings, "GROUP_MAX_PARTICIPANTS", 1000)


def active_users(ids: Iterable[int], *, exclude: int | None = None) -> list[User]:
    """The active users of these ids (but `exclude`), by id; NotFound naming those that are not."""
    wanted = {int(i) for i in ids} - ({exclude} if exclude is not None else set())
    users = list(User.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))
    missing = wanted - {u.pk for u in users}
    if missing:
        raise NotFound(f"Users not found: {', '.join(str(i) for i in sorted(missing))}", code="user_not_found")
    return users


def participants_add(
    actor: User, conversation: Conversation, user_ids: Iterable[int], *, origin: str | None = None
) -> list[User]:
    """Add users to a group (inside the caller's transaction); answers those actually added."""
    existing = set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    candidates = [u for u in active_users(user_ids) if u.pk not in existing]
    blocking.ensure_can_reach(actor, candidates, private=False)
    refused = set(
        ConversationBlock.objects.filter(conversation=conversation, user__in=candidates).values_list(
            "user_id", flat=True
        )
    )
    if refused:
        raise Forbidden("A user has blocked this conversation", code="conversation_blocked")
    if len(existing) + len(candidates) > group_max():
        raise Invalid(f"A group has at most {group_max()} participants", code="too_many_participants")
    if not candidates:
        return []
    Participant.objects.bulk_create([Participant(conversation=conversation, user=u) for u in candidates])
    conversation.save(update_fields=["updated_at"])
    snapshot = conversation_snapshot(conversation)
    added = tuple(u.pk for u in candidates)
    publish(
        MembersAdded(
            recipients=tuple(participant_ids(snapshot)),
            actor_id=actor.pk,
            origin=origin,
            conversation=snapshot,
            user_ids=added,
        )
    )
    return candidates


def participants_remove(
    actor: User, conversation: Conversation, user_ids: Iterable[int], *, origin: str | None = None, left: bool = False
) -> list[User]:
    """Remove users from a group (inside the caller's transaction); answers those removed."""
    wanted = {int(i) for i in user_ids}
    removed = list(User.objects.filter(pk__in=wanted, participations__conversation=conversation).order_by("pk"))
    if not removed:
        return []
    Participant.objects.filter(conversation=conversation, user__in=removed).delete()
    remaining = Participant.objects.filter(conversation=conversation).exists()
    if not remaining:
        conversation_erase(actor, conversation, origin=origin, recipients=tuple(u.pk for u in removed))
        return removed
    conversation.save(update_fields=["updated_at"])
    snapshot = conversation_snapshot(conversation)
    publish(
        MembersRemoved(
            recipients=tuple(participant_ids(snapshot)) + tuple(u.pk for u in removed),
            actor_id=actor.pk,
            origin=origin,
            conversation=snapshot,
            user_ids=tuple(u.pk for u in removed),
            left=left,
        )
    )
    return removed


def conversation_erase(
    actor: User, conversation: Conversation, *, origin: str | None, recipients: tuple[int, ...]
) -> None:
    """Delete the conversation with all its data and tell `recipients` (inside the caller's transaction)."""
    snapshot = conversation_snapshot(conversation)
    snapshot["participants"] = []
    conversation.delete()
    publish(ConversationDeleted(recipients=recipients, actor_id=actor.pk, origin=origin, conversation=snapshot))


@transaction.atomic
def conversation_leave(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """The actor leaves the conversation; the last one out deletes it."""
    conversation = access_conversation(actor, conversation_id, lock=True)
    participants_remove(actor, conversation, [actor.pk], origin=origin, left=True)
