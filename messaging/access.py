"""Which messages a user sees, decided here once for every protocol, the ORM and hand-written SQL.

A user sees a message of a conversation they take part in unless it is hidden from them (deleted
for themselves, or sent by someone they had blocked) or deleted for everyone; a deleted message is
seen only where a protocol shows its place in the history (`include_deleted`)."""

from collections.abc import Sequence
from functools import cache

from django.db.models import QuerySet

from accounts.models import User
from chats.models import Participant
from config.errors import NotFound
from config.prepared_sql import executed, id_rows
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


def viewers_of(message: Message) -> tuple[int, ...]:
    """The participants of the message's conversation who see it: whom news of it (an edit, a
    reaction) may reach."""
    hidden_for = HiddenMessage.objects.filter(message=message).values("user_id")
    viewers = Participant.objects.filter(conversation_id=message.conversation_id).exclude(user_id__in=hidden_for)
    return tuple(viewers.values_list("user_id", flat=True))


@cache
def visible_messages_sql(message: str = "m", participation: str = "p", user: str = "%s") -> tuple[str, str]:
    """`visible_messages` (without deleted ones) for hand-written statements over the message table
    aliased `message`: a JOIN that binds `participation` to the user's participant row, and a
    condition; each takes the user's id as its one parameter, the JOIN's first (or, with `user`,
    reads it from that column instead)."""
    participant, hidden = Participant._meta.db_table, HiddenMessage._meta.db_table
    join = (
        f"JOIN {participant} {participation} ON {participation}.conversation_id = {message}.conversation_id"
        f" AND {participation}.user_id = {user}"
    )
    condition = (
        f"{message}.deleted_at IS NULL AND NOT EXISTS"
        f" (SELECT 1 FROM {hidden} h WHERE h.message_id = {message}.id AND h.user_id = {user})"
    )
    return join, condition


@cache
def _visible_in_conversations_sql() -> str:
    join, condition = visible_messages_sql("m", "p", user="asks.user_id")
    return (
        f"SELECT asks.user_id, asks.conversation_id, m.id FROM asks JOIN {Message._meta.db_table} m"
        f" ON m.id = asks.message_id AND m.conversation_id = asks.conversation_id {join} WHERE {condition}"
    )


def visible_in_conversations(asks: Sequence[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """Those of the (user id, conversation id, message id) asks where the user sees the message and
    it is of that conversation: `access_message` for a batch, in one query."""
    unique = sorted(set(asks))
    if not unique:
        return set()
    cte, params = id_rows("asks", ("user_id", "conversation_id", "message_id"), unique)
    with executed(f"WITH {cte} {_visible_in_conversations_sql()}", params) as cursor:
        return {(int(u), int(c), int(m)) for u, c, m in cursor.fetchall()}


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
