"""Conversations: creating them (a private one between the same two people only once), changing
their name, description and participants, and deleting them."""

import hashlib
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q

from accounts import blocking
from accounts.models import User
from chats.access import access_conversation, access_group, owner_refuse_unless
from chats.membership import (
    active_users,
    conversation_erase,
    participants_add,
    participants_remove,
    participants_within,
)
from chats.models import Conversation, Participant
from chats.selectors import conversations_of, private_conversation_between, private_key
from chats.snapshots import conversation_snapshot, participant_ids
from config.errors import Invalid
from events.delivery import publish
from events.kinds import ConversationCreated, ConversationUpdated

NAME_MAX = 255
DESCRIPTION_MAX = 2000


def _clean_text(value: object, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{field} must be a string of at most {limit} characters")
    return value.strip()


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
    others = active_users(participant_ids, exclude=actor.pk)
    blocking.ensure_can_reach(actor, others, private=type == Conversation.PRIVATE)
    if type == Conversation.PRIVATE:
        if len(others) != 1:
            raise Invalid("A private conversation has exactly one other participant", code="invalid_participants")
        opponent = others[0]
        existing = private_conversation_between(actor.pk, opponent.pk)
        if existing is None:
            try:
                with transaction.atomic():  # a savepoint: the other may be creating it this moment
                    conversation = Conversation.objects.create(
                        type=type,
                        name=name,
                        description=description,
                        owner=actor,
                        opponent=opponent,
                        private_key=private_key(actor.pk, opponent.pk),
                    )
            except IntegrityError:  # they did (its key is unique): theirs is the conversation
                existing = private_conversation_between(actor.pk, opponent.pk)
                if existing is None:
                    raise
        if existing is not None:
            Participant.objects.get_or_create(conversation=existing, user=actor)
            Participant.objects.get_or_create(conversation=existing, user=opponent)
            return existing, False
    else:
        participants_within(len(others) + 1)
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


@transaction.atomic
def group_rename(actor: User, *, conversation_id: int, name: object, origin: str | None = None) -> Conversation:
    """Rename a group; a private conversation has no name of its own (refused in Chats REST's words).
    Locks the conversation row."""
    access_group(actor, conversation_id, to_post=True, what="title")
    return conversation_update(actor, conversation_id=conversation_id, name=name, origin=origin)


@transaction.atomic
def conversation_delete_for_everyone(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Delete the conversation with all its data; only its owner (any side of a private one) may."""
    conversation = access_conversation(actor, conversation_id, as_owner="deletes a group", lock=True)
    recipients = tuple(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    conversation_erase(actor, conversation, origin=origin, recipients=recipients)


def _wait_for_other_creates_of(member_ids: set[int]) -> None:
    """Wait for any other transaction finding or creating a chat of exactly these members, until it
    commits (on PostgreSQL, an advisory lock on the member set): two at once both found none and
    made two chats. SQLite, for development, is not covered."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(",".join(map(str, sorted(member_ids))).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _same_members_group(actor: User, member_ids: set[int]) -> Conversation | None:
    """The actor's group whose participants are exactly `member_ids`, if there is one."""
    return (
        Conversation.objects.filter(type=Conversation.GROUP, pk__in=conversations_of(actor).values("pk"))
        .annotate(
            members=Count("participants", distinct=True),
            matching=Count("participants", filter=Q(participants__user_id__in=member_ids), distinct=True),
        )
        .filter(members=len(member_ids), matching=len(member_ids))
        .order_by("pk")
        .first()
    )


@transaction.atomic
def conversation_find_or_create(
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
    _wait_for_other_creates_of(members)
    existing = _same_members_group(actor, members)
    if existing is not None:
        return existing, False
    return conversation_create(actor, type=Conversation.GROUP, participant_ids=others, name=title or "", origin=origin)
