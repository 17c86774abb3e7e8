"""Blocking a chat (leave it and refuse to be added back) and blocking a user from posting in it."""

from django.db import transaction

from accounts.models import User
from chats.access import access_participation, owner_refuse_unless
from chats.membership import conversation_leave
from chats.models import ConversationBlock, Participant
from config.errors import Invalid, NotFound


@transaction.atomic
def conversation_block(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Leave a group and refuse to be added to it again; personal chats ignore it."""
    conversation = access_participation(actor, conversation_id).conversation
    if conversation.is_private:
        return
    ConversationBlock.objects.get_or_create(conversation=conversation, user=actor)
    conversation_leave(actor, conversation_id=conversation_id, origin=origin)


@transaction.atomic
def conversation_unblock(actor: User, *, conversation_id: int) -> None:
    """Allow being added to a group the actor blocked; personal chats ignore it."""
    deleted, _ = ConversationBlock.objects.filter(conversation_id=conversation_id, user=actor).delete()
    if not deleted:
        access_participation(actor, conversation_id)  # NotFound unless the actor takes part in it


@transaction.atomic
def participant_block_set(actor: User, *, conversation_id: int, user_id: int, blocked: bool) -> Participant:
    """Block (or unblock) a participant from posting: the owner in a group, either side in a
    personal chat. Locks the target's participant row."""
    participation = access_participation(actor, conversation_id, to_post=True)
    owner_refuse_unless(actor, participation.conversation, "blocks users in a group")
    if int(user_id) == actor.pk:
        raise Invalid("You cannot block yourself", code="self_block")
    target = Participant.objects.select_for_update().filter(conversation_id=conversation_id, user_id=user_id).first()
    if target is None:
        raise NotFound("User is not a participant of this chat", code="participant_not_found")
    if target.is_blocked != blocked:
        target.is_blocked = blocked
        target.save(update_fields=["is_blocked"])
    return target


def blocked_users_list(actor: User, *, conversation_id: int) -> list[User]:
    """The participants blocked from posting in a chat the actor takes part in."""
    access_participation(actor, conversation_id)
    return list(
        User.objects.filter(participations__conversation_id=conversation_id, participations__is_blocked=True).order_by(
            "pk"
        )
    )
