"""Who takes part in a group: adding and removing participants, leaving, and the conversation's end
when its last participant is gone. Each change is published (MembersAdded, MembersRemoved); the
notice it leaves in the group's history is written by `messaging.membership_notices`, which receives
those events inside the same transaction."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation, access_group, owner_refuse_unless
from chats.models import Conversation, ConversationBlock, Participant
from chats.snapshots import conversation_snapshot, participant_ids
from config.errors import Forbidden, Invalid, NotFound
from events.delivery import publish
from events.kinds import ConversationDeleted, MembersAdded, MembersRemoved


def group_max() -> int:
    """The most participants a group may have (GROUP_MAX_PARTICIPANTS)."""
    return getattr(settings, "GROUP_MAX_PARTICIPANTS", 1000)


def participants_within(count: int) -> None:
    """Invalid when a group would have more than `group_max()` participants (a caller may check a
    list of would-be members before looking them up)."""
    if count > group_max():
        raise Invalid(f"A group has at most {group_max()} participants", code="too_many_participants")


def active_users(ids: Iterable[int], *, exclude: int | None = None) -> list[User]:
    """The active users of these ids (but `exclude`), by id; NotFound naming those that are not."""
    wanted = {int(i) for i in ids} - ({exclude} if exclude is not None else set())
    users = list(User.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))
    missing = wanted - {u.pk for u in users}
    if missing:
        raise NotFound(f"Users not found: {', '.join(str(i) for i in sorted(missing))}", code="user_not_found")
    return users


def users_per_call() -> int:
    """How many users Chats REST adds or removes at once (REST_CHAT_USERS_PER_CALL)."""
    return getattr(settings, "REST_CHAT_USERS_PER_CALL", 10)


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
    participants_within(len(existing) + len(candidates))
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
    actor: User, conversation: Conversation, user_ids: Iterable[int], *, origin: str | None = None
) -> list[User]:
    """Remove users from a conversation (inside the caller's transaction, its row locked); answers
    those removed (the actor, if among them, left). When its owner goes, the longest-standing
    participant left owns it; when nobody is left, it is deleted."""
    wanted = {int(i) for i in user_ids}
    removed = list(User.objects.filter(pk__in=wanted, participations__conversation=conversation).order_by("pk"))
    if not removed:
        return []
    Participant.objects.filter(conversation=conversation, user__in=removed).delete()
    heir = Participant.objects.filter(conversation=conversation).order_by("joined_at", "user_id").first()
    if heir is None:
        conversation_erase(actor, conversation, origin=origin, recipients=tuple(u.pk for u in removed))
        return removed
    changed = ["updated_at"]
    if conversation.owner_id in wanted:
        conversation.owner_id = heir.user_id
        changed.append("owner")
    conversation.save(update_fields=changed)
    snapshot = conversation_snapshot(conversation)
    publish(
        MembersRemoved(
            recipients=tuple(participant_ids(snapshot)) + tuple(u.pk for u in removed),
            actor_id=actor.pk,
            origin=origin,
            conversation=snapshot,
            user_ids=tuple(u.pk for u in removed),
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
    participants_remove(actor, conversation, [actor.pk], origin=origin)


def conversations_leave_all(user: User) -> None:
    """The user leaves every conversation, each as `conversation_leave` does (ownership passes on,
    the others are told, the last one out deletes it), inside the caller's transaction: what an
    account's deletion does first (chats/apps.py)."""
    conversations = Conversation.objects.select_for_update().filter(participants__user=user).order_by("pk")
    for conversation in conversations:
        participants_remove(user, conversation, [user.pk])


def _distinct(user_ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in user_ids})


@transaction.atomic
def group_participants_add(
    actor: User, *, conversation_id: int, user_ids: Iterable[int], origin: str | None = None
) -> tuple[Conversation, list[User]]:
    """Add at most REST_CHAT_USERS_PER_CALL users to a group; adding nobody new is an error (Chats
    REST's rules on top of `participants_add`).

    Locks the conversation row."""
    conversation = access_group(actor, conversation_id, to_post=True)
    wanted = _distinct(user_ids)
    existing = set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    new = [uid for uid in wanted if uid not in existing]
    if not new:
        raise Invalid("No users to add", code="no_users_added")
    if len(new) > users_per_call():
        raise Invalid(f"At most {users_per_call()} users are added at a time", code="too_many_users")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    added = participants_add(actor, conversation, new, origin=origin)
    return conversation, added


@transaction.atomic
def group_participants_remove(
    actor: User, *, conversation_id: int, user_ids: Iterable[int], origin: str | None = None
) -> tuple[Conversation, list[User]]:
    """The owner removes participants from a group; naming nobody, oneself or no participant is an
    error (Chats REST's rules on top of `participants_remove`).

    Locks the conversation row."""
    conversation = access_group(actor, conversation_id, to_post=True)
    wanted = _distinct(user_ids)
    if not wanted:
        raise Invalid("No users to remove", code="no_users_removed")
    if actor.pk in wanted:
        raise Invalid("You cannot remove yourself; exit the chat instead", code="self_remove")
    owner_refuse_unless(actor, conversation, "removes participants")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    removed = participants_remove(actor, conversation, wanted, origin=origin)
    if not removed:
        raise Invalid("The users are not participants of this chat", code="not_participants")
    return conversation, removed


@transaction.atomic
def group_leave(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """The actor leaves a group; a private conversation cannot be left (Chats REST's rule)."""
    access_group(actor, conversation_id)
    conversation_leave(actor, conversation_id=conversation_id, origin=origin)
