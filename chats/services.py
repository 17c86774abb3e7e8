"""Writes on conversations and participants; authorization for them lives here, once."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation, is_owner, owner_refuse_unless
from chats.models import Conversation, ConversationBlock, Participant
from chats.selectors import private_conversation_between, private_key
from chats.snapshots import conversation_snapshot, participant_ids
from config.errors import Forbidden, Invalid, NotFound
from events.delivery import publish
from events.kinds import ConversationCreated, ConversationDeleted, ConversationUpdated, MembersAdded, MembersRemoved
from messaging.services import system_message_store

NAME_MAX = 255
DESCRIPTION_MAX = 2000


def _group_max() -> int:
    return getattr(settings, "GROUP_MAX_PARTICIPANTS", 1000)


def _clean_text(value: object, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{field} must be a string of at most {limit} characters")
    return value.strip()


def _users(ids: Iterable[int], *, exclude: int | None = None) -> list[User]:
    wanted = {int(i) for i in ids} - ({exclude} if exclude is not None else set())
    users = list(User.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))
    missing = wanted - {u.pk for u in users}
    if missing:
        raise NotFound(f"Users not found: {', '.join(str(i) for i in sorted(missing))}", code="user_not_found")
    return users


def _x_user(user: User) -> dict:
    """The user as SAMA's stored system messages carry it in `x.user`."""
    return {
        "_id": str(user.pk),
        "native_id": str(user.pk),
        "login": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "recent_activity": int(user.last_activity_at.timestamp()) if user.last_activity_at else None,
    }


@transaction.atomic
def conversation_create(
    actor: User,
    *,
    type: str,
    participant_ids: Iterable[int],
    name: object = "",
    description: object = "",
    origin: str | None = None,
) -> tuple[Conversation, bool]:
    """Create a conversation; a private one between the same two people is returned, not repeated.

    Answers (conversation, created)."""
    if type not in (Conversation.PRIVATE, Conversation.GROUP):
        raise Invalid("type must be 'u' or 'g'", code="invalid_type")
    name = _clean_text(name, "name", NAME_MAX)
    description = _clean_text(description, "description", DESCRIPTION_MAX)
    others = _users(participant_ids, exclude=actor.pk)
    blocking.ensure_can_reach(actor, others, private=type == Conversation.PRIVATE)
    if type == Conversation.PRIVATE:
        if len(others) != 1:
            raise Invalid("A private conversation has exactly one other participant", code="invalid_participants")
        opponent = others[0]
        existing = private_conversation_between(actor.pk, opponent.pk)
        if existing is not None:
            Participant.objects.get_or_create(conversation=existing, user=actor)
            Participant.objects.get_or_create(conversation=existing, user=opponent)
            return existing, False
        conversation = Conversation.objects.create(
            type=type,
            name=name,
            description=description,
            owner=actor,
            opponent=opponent,
            private_key=private_key(actor.pk, opponent.pk),
        )
    else:
        if len(others) + 1 > _group_max():
            raise Invalid(f"A group has at most {_group_max()} participants", code="too_many_participants")
        conversation = Conversation.objects.create(type=type, name=name, description=description, owner=actor)
    members = [actor, *others]
    Participant.objects.bulk_create([Participant(conversation=conversation, user=u) for u in members])
    snapshot = conversation_snapshot(conversation, members)
    publish(
        ConversationCreated(
            recipients=tuple(u.pk for u in members), actor_id=actor.pk, origin=origin, conversation=snapshot
        )
    )
    return conversation, True


@transaction.atomic
def conversation_update(
    actor: User,
    *,
    conversation_id: int,
    name: object = None,
    description: object = None,
    add_ids: Iterable[int] = (),
    remove_ids: Iterable[int] = (),
    origin: str | None = None,
) -> Conversation:
    """Rename, describe, and add or remove participants; locks the conversation row.

    Any participant renames and adds; only the owner removes others."""
    conversation = access_conversation(actor, conversation_id, to_post=True, lock=True)
    add_ids, remove_ids = list(add_ids), list(remove_ids)
    if (add_ids or remove_ids) and conversation.is_private:
        raise Invalid("A private conversation's participants cannot change", code="private_conversation")
    if remove_ids and set(map(int, remove_ids)) != {actor.pk}:
        owner_refuse_unless(actor, conversation, "removes participants")
    changed = []
    if name is not None:
        conversation.name = _clean_text(name, "name", NAME_MAX)
        changed.append("name")
    if description is not None:
        conversation.description = _clean_text(description, "description", DESCRIPTION_MAX)
        changed.append("description")
    conversation.save()
    if changed:
        snapshot = conversation_snapshot(conversation)
        publish(
            ConversationUpdated(
                recipients=tuple(participant_ids(snapshot)), actor_id=actor.pk, origin=origin, conversation=snapshot
            )
        )
    if add_ids:
        participants_add(actor, conversation, add_ids, origin=origin)
    if remove_ids:
        participants_remove(actor, conversation, remove_ids, origin=origin)
    return conversation


def participants_add(
    actor: User, conversation: Conversation, user_ids: Iterable[int], *, origin: str | None = None
) -> list[User]:
    """Add users to a group (inside the caller's transaction); answers those actually added."""
    existing = set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    candidates = [u for u in _users(user_ids) if u.pk not in existing]
    blocking.ensure_can_reach(actor, candidates, private=False)
    refused = set(
        ConversationBlock.objects.filter(conversation=conversation, user__in=candidates).values_list(
            "user_id", flat=True
        )
    )
    if refused:
        raise Forbidden("A user has blocked this conversation", code="conversation_blocked")
    if len(existing) + len(candidates) > _group_max():
        raise Invalid(f"A group has at most {_group_max()} participants", code="too_many_participants")
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
    for user in candidates:
        system_message_store(
            actor,
            conversation=conversation,
            body=f"{user.display_name} has been added to the group",
            x={"type": "added_participant", "user": _x_user(user)},
            recipients=tuple(participant_ids(snapshot)),
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
        _delete(actor, conversation, origin=origin, recipients=tuple(u.pk for u in removed))
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
        )
    )
    for user in removed:
        if left:
            body, kind = f"{user.username} has left the group", "left_participants"
        else:
            body, kind = f"{user.display_name} has been removed from the group", "removed_participant"
        system_message_store(
            actor,
            conversation=conversation,
            body=body,
            x={"type": kind, "user": _x_user(user)},
            recipients=tuple(participant_ids(snapshot)),
        )
    return removed


def _delete(actor: User, conversation: Conversation, *, origin: str | None, recipients: tuple[int, ...]) -> None:
    snapshot = conversation_snapshot(conversation)
    snapshot["participants"] = []
    conversation.delete()
    publish(ConversationDeleted(recipients=recipients, actor_id=actor.pk, origin=origin, conversation=snapshot))


@transaction.atomic
def conversation_leave(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """The actor leaves the conversation; the last one out deletes it."""
    conversation = access_conversation(actor, conversation_id, lock=True)
    participants_remove(actor, conversation, [actor.pk], origin=origin, left=True)


@transaction.atomic
def conversation_delete(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """The owner of a group deletes it for everyone; anyone else (and either side of a private
    conversation) leaves it."""
    conversation = access_conversation(actor, conversation_id, lock=True)
    if not conversation.is_private and is_owner(actor, conversation):
        recipients = tuple(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
        _delete(actor, conversation, origin=origin, recipients=recipients)
        return
    participants_remove(actor, conversation, [actor.pk], origin=origin, left=True)


@transaction.atomic
def conversation_destroy(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Delete the conversation with all its data; only its owner (any side of a private one) may."""
    conversation = access_conversation(actor, conversation_id, as_owner="deletes a group", lock=True)
    recipients = tuple(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    _delete(actor, conversation, origin=origin, recipients=recipients)
