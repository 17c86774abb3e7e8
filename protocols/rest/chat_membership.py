"""Chats REST rules on a chat's title and members, on top of the shared conversation services."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from accounts.models import User
from chats.access import access_participation, owner_refuse_unless
from chats.conversations import conversation_update
from chats.membership import conversation_leave, participants_add, participants_remove
from chats.models import Conversation, Participant
from config.errors import Invalid


def _users_per_call() -> int:
    return getattr(settings, "REST_CHAT_USERS_PER_CALL", 10)


def _group(participation: Participant, what: str) -> Conversation:
    conversation = participation.conversation
    if conversation.is_private:
        raise Invalid(f"A personal chat's {what} cannot change", code="personal_chat")
    return conversation


@transaction.atomic
def chat_title_update(actor: User, *, conversation_id: int, title: object, origin: str | None = None) -> Conversation:
    """Rename a group chat; personal chats have no title of their own."""
    _group(access_participation(actor, conversation_id, to_post=True), "title")
    return conversation_update(actor, conversation_id=conversation_id, name=title, origin=origin)


def _distinct(user_ids: Iterable[int]) -> list[int]:
    return sorted({int(i) for i in user_ids})


@transaction.atomic
def chat_users_add(
    actor: User, *, conversation_id: int, user_ids: Iterable[int], origin: str | None = None
) -> tuple[Conversation, list[User]]:
    """Add at most REST_CHAT_USERS_PER_CALL users to a group; adding nobody new is an error.

    Locks the conversation row."""
    conversation = _group(access_participation(actor, conversation_id, to_post=True), "participants")
    wanted = _distinct(user_ids)
    existing = set(Participant.objects.filter(conversation=conversation).values_list("user_id", flat=True))
    new = [uid for uid in wanted if uid not in existing]
    if not new:
        raise Invalid("No users to add", code="no_users_added")
    if len(new) > _users_per_call():
        raise Invalid(f"At most {_users_per_call()} users are added at a time", code="too_many_users")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    added = participants_add(actor, conversation, new, origin=origin)
    return conversation, added


@transaction.atomic
def chat_users_remove(
    actor: User, *, conversation_id: int, user_ids: Iterable[int], origin: str | None = None
) -> tuple[Conversation, list[User]]:
    """The owner removes participants from a group; naming no participant is an error.

    Locks the conversation row."""
    conversation = _group(access_participation(actor, conversation_id, to_post=True), "participants")
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
def chat_exit(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """The actor leaves a group chat; a personal chat cannot be left."""
    _group(access_participation(actor, conversation_id), "participants")
    conversation_leave(actor, conversation_id=conversation_id, origin=origin)
