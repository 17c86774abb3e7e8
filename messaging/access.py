"""Which messages a user sees, decided here once for every protocol, the ORM and hand-written SQL.

A user sees a message of a conversation they take part in unless it is hidden from them (deleted
for themselves, or sent by someone they had blocked) or deleted for everyone; a deleted message is
seen only where a protocol shows its place in the history (`include_deleted`)."""

from functools import cache

from django.db.models import QuerySet

from accounts.models import User
from chats.models import Participant
from config.errors import NotFound
from messaging.models import HiddenMessage, Message


def visible_messages(
    user: User | int, *, conversation_id: int | None = None, include_deleted: bool = False
) -> QuerySet[Message]:
    """The messages the user sees, in one conversation when `conversation_id` is given."""
    user_id = user if isinstance(user, int) else user.pk
    rows = Message.objects.filter(conversation__participants__user_id=user_id)
    if conversation_id is not None:
        rows = rows.filter(conversation_id=conversation_id)
    if not include_deleted:
        rows = rows.filter(deleted_at__isnull=True)
    return rows.exclude(pk__in=HiddenMessage.objects.filter(user_id=user_id).values("message_id"))


@cache
def visible_messages_sql(message: str = "m", participation: str = "p") -> tuple[str, str]:
    """`visible_messages` (without deleted ones) for hand-written statements over the message table
    aliased `message`: a JOIN that binds `participation` to the user's participant row, and a
    condition; each takes the user's id as its one parameter, the JOIN's first."""
    participant, hidden = Participant._meta.db_table, HiddenMessage._meta.db_table
    join = (
        f"JOIN {participant} {participation} ON {participation}.conversation_id = {message}.conversation_id"
        f" AND {participation}.user_id = %s"
    )
    condition = (
        f"{message}.deleted_at IS NULL AND NOT EXISTS"
        f" (SELECT 1 FROM {hidden} h WHERE h.message_id = {message}.id AND h.user_id = %s)"
    )
    return join, condition


def access_message(
    user: User | int,
    message_id: int,
    *,
    conversation_id: int | None = None,
    include_deleted: bool = False,
    lock: bool = False,
) -> Message:
    """A message the user sees (with its sender and conversation), in `conversation_id` when given, its row locked
    with `lock`; the same NotFound whether it is absent, elsewhere or hidden from them."""
    rows = visible_messages(user, conversation_id=conversation_id, include_deleted=include_deleted)
    rows = rows.select_related("sender", "conversation")
    if lock:
        rows = rows.select_for_update(of=("self",))
    message = rows.filter(pk=message_id).first()
    if message is None:
        raise NotFound("Message not found", code="message_not_found")
    return message
