"""Blocking a chat (leave it and refuse to be added back) and blocking a user from posting in it."""

from django.db import transaction

from accounts.models import User
from chats.models import Conversation, ConversationBlock, Participant
from chats.selectors import participation_for_posting, participation_get
from chats.services import conversation_leave
from config.errors import Forbidden, Invalid, NotFound


@transaction.atomic
def conversation_block(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Leave a group and refuse to be added to it again; personal chats ignore it."""
    conversation = participation_get(actor, conversation_id).conversation
    if conversation.is_private:
        return
    ConversationBlock.objects.get_or_create(conversation=conversation, user=actor)
    conversation_leave(actor, conversation_id=conversation_id, origin=origin)


@transaction.atomic
def conversation_unblock(actor: User, *, conversation_id: int) -> None:
    """Allow being added to a group the actor blocked; personal chats ignore it."""
    deleted, _ = ConversationBlock.objects.filter(conversation_id=conversation_id, user=actor).delete()
    if not deleted:
        participation_get(actor, conversation_id)  # NotFound unless the actor takes part in it


def _may_block(actor: User, conversation: Conversation) -> None:
    if not conversation.is_private and conversation.owner_id != actor.pk:
        raise Forbidden("Only the owner blocks users in a group", code="not_owner")


@transaction.atomic
def participant_block_set(actor: User, *, conversation_id: int, user_id: int, blocked: bool) -> Participant:
    """Block (or unblock) a participant from posting: the owner in a group, either side in a
    personal chat. Locks the target's participant row."""
    participation = participation_for_posting(actor, conversation_id)
    _may_block(actor, participation.conversation)
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
    participation_get(actor, conversation_id)
    return list(
        User.objects.filter(participations__conversation_id=conversation_id, participations__is_blocked=True).order_by(
            "pk"
        )
    )
