"""The send path's statements, as SQL written once instead of compiled (or saved) per message.

Building and compiling the ORM queries was over half of the database threads' Python time under
load. These statements only store and fetch facts; the rules that use them stay in the services
(`messaging.services` refuses a send, `accounts.blocking.message_hidden_for` decides what a block
means).

A send is a read and a write: the participants (whom the services judge the send by), then the
insert with the conversation's stamp, which PostgreSQL runs as one statement; both are prepared
statements there (messaging/prepared_sql.py). SQLite runs the insert and the stamp one by one."""

from functools import cache
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import PushSubscription, UserBlock
from chats.models import Conversation, Participant
from messaging.models import Message
from messaging.prepared_sql import executed


class Recipient(NamedTuple):
    user_id: int
    is_blocked: bool
    conversation_type: str
    blocked_actor: bool
    blocked_by_actor: bool
    is_removed_on_device: bool
    is_muted: bool
    has_push: bool


@cache
def _participants_sql() -> str:
    """Every participant's (user id, …) as Recipient, without "SELECT"."""
    participant, conversation = Participant._meta.db_table, Conversation._meta.db_table
    block, push = UserBlock._meta.db_table, PushSubscription._meta.db_table
    return (
        f"p.user_id, p.is_blocked, c.type,"
        f" EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = p.user_id AND b.blocked_id = %s),"
        f" EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = %s AND b.blocked_id = p.user_id),"
        f" p.is_removed_on_device, p.is_muted,"
        f" EXISTS (SELECT 1 FROM {push} s WHERE s.user_id = p.user_id)"
        f" FROM {participant} p JOIN {conversation} c ON c.id = p.conversation_id"
        f" WHERE p.conversation_id = %s"
    )


@cache
def _touch_sql() -> str:
    return f"UPDATE {Conversation._meta.db_table} SET updated_at = %s WHERE id = %s"


_INSERT_COLUMNS = (
    "conversation_id",
    "sender_id",
    "client_id",
    "body",
    "x",
    "attachments",
    "is_system",
    "is_visible",
    "created_at",
    "updated_at",
)


@cache
def _insert_sql() -> str:
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    return f"INSERT INTO {Message._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) VALUES ({placeholders}) RETURNING id"


@cache
def _send_sql() -> str:
    """PostgreSQL: the insert and the conversation's stamp in one statement (one round trip)."""
    return f"WITH m AS ({_insert_sql()}), t AS ({_touch_sql()}) SELECT id FROM m"


def recipients_read(conversation_id: int, actor_id: int) -> list[Recipient]:
    """Every participant of the conversation with what sending to them depends on (one query)."""
    with executed(f"SELECT {_participants_sql()}", [actor_id, actor_id, conversation_id]) as cursor:
        rows = cursor.fetchall()
    return [
        Recipient(uid, bool(blocked), ctype, bool(b1), bool(b2), bool(removed), bool(muted), bool(push))
        for uid, blocked, ctype, b1, b2, removed, muted, push in rows
    ]


def message_insert(message: Message) -> None:
    """Insert a new message (an IntegrityError on a duplicate client id), give it its id and times,
    and stamp its conversation's last activity, atomically.

    On PostgreSQL this is one statement: outside a transaction it commits on its own, so the
    conversation's row is locked only while PostgreSQL runs it, never across a round trip."""
    ops = connection.ops
    now = timezone.now()
    message.created_at = message.updated_at = now
    stamp = ops.adapt_datetimefield_value(now)
    values = [
        message.conversation_id,
        message.sender_id,
        message.client_id,
        message.body,
        ops.adapt_json_value(message.x, None),
        ops.adapt_json_value(message.attachments, None),
        message.is_system,
        message.is_visible,
        stamp,
        stamp,
    ]
    touch = [stamp, message.conversation_id]
    if connection.vendor == "postgresql":
        with executed(_send_sql(), values + touch) as cursor:
            message.pk = cursor.fetchone()[0]
    else:
        with transaction.atomic(), executed(_insert_sql(), values) as cursor:
            message.pk = cursor.fetchone()[0]
            with executed(_touch_sql(), touch):
                pass
    message._state.adding = False
    message._state.db = connection.alias
