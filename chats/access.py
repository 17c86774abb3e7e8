"""Who may act on a conversation, decided here once for every protocol.

A participant reads a conversation; a participant not blocked from posting posts in it (sends,
types, notifies, changes it); its owner manages it (in a private conversation both sides are its
owners). Anyone else learns nothing: the same NotFound whether the conversation exists or not."""

from accounts.models import User
from chats.models import Conversation, Participant
from config.errors import Forbidden, Invalid, NotFound


def access_participation(
    user: User | int, conversation_id: int, *, to_post: bool = False, lock: bool = False
) -> Participant:
    """The user's participation in a conversation, with the conversation (the participation's row
    locked with `lock`); NotFound when they take part in none such, Forbidden `to_post` when they
    are blocked from posting."""
    user_id = user if isinstance(user, int) else user.pk
    rows = Participant.objects.select_related("conversation").filter(conversation_id=conversation_id, user_id=user_id)
    participation = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if participation is None:
        raise NotFound("Conversation not found", code="conversation_not_found")
    if to_post:
        posting_refuse_if_blocked(participation.is_blocked)
    return participation


def access_conversation(
    user: User | int,
    conversation_id: int,
    *,
    to_post: bool = False,
    as_owner: str | None = None,
    lock: bool = False,
) -> Conversation:
    """The conversation (its row locked with `lock`), if the user takes part in it (see
    `access_participation`); `as_owner` names an action only its owner may take, refused to anyone
    else (`owner_refuse_unless`)."""
    if lock:
        # Locked before the participation is read: membership changes hold this lock, so the
        # participation read under it cannot be removed before the caller's transaction ends.
        conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        access_participation(user, conversation_id, to_post=to_post)
    else:
        conversation = access_participation(user, conversation_id, to_post=to_post).conversation
    if conversation is None:  # deleted after it was read: as if it never was
        raise NotFound("Conversation not found", code="conversation_not_found")
    if as_owner is not None:
        owner_refuse_unless(user, conversation, as_owner)
    return conversation


def access_group(
    user: User, conversation_id: int, *, to_post: bool = False, what: str = "participants"
) -> Conversation:
    """The group the user takes part in (see `access_participation`); a private conversation's
    `what` cannot change (refused in Chats REST's words)."""
    conversation = access_participation(user, conversation_id, to_post=to_post).conversation
    if conversation.is_private:
        raise Invalid(f"A personal chat's {what} cannot change", code="personal_chat")
    return conversation


def is_owner(user: User | int, conversation: Conversation) -> bool:
    """Whether a participant owns the conversation: a group's owner, either side of a private one."""
    user_id = user if isinstance(user, int) else user.pk
    return conversation.is_private or conversation.owner_id == user_id


def owner_refuse_unless(user: User | int, conversation: Conversation, action: str) -> None:
    """Forbidden "Only the owner <action>" unless the participant owns the conversation."""
    if not is_owner(user, conversation):
        raise Forbidden(f"Only the owner {action}", code="not_owner")


def posting_refuse_if_blocked(is_blocked: bool) -> None:
    """Forbidden for a participant blocked from posting: the one wording of that rule, also for the
    send path, which reads the flag in its own SQL (messaging/send_sql.py)."""
    if is_blocked:
        raise Forbidden("You are blocked from posting in this conversation", code="blocked")
