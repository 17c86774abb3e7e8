"""The send path's statements, as SQL written once instead of compiled (or saved) per message.

Building and compiling the ORM queries was over half of the database threads' Python time under
load. These statements only store and fetch facts; the rules that use them stay in the services
(`messaging.sending` refuses a send, `accounts.blocking.message_hidden_for` decides what a block
means).

Sends come in batches (one, or the many a process's connections sent at one moment): a batch is a
read and a write whatever its size. The read fetches the participants of every conversation sent
to, whom the services judge each send by; the write inserts every message and stamps each
conversation's last activity. On PostgreSQL each is one prepared statement (the read's rows as
arrays, the write's as one JSON document, so one plan for any batch), and the write commits on its
own, so a batch costs one disk flush instead of one per message. SQLite runs them row by row."""

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import orjson
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import PushSubscription, UserBlock
from chats.models import Conversation, Participant
from config.prepared_sql import executed, id_pairs
from messaging.models import Message


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
    """After a relation `asks (conversation_id, actor_id)`: each ask's participants, as
    (conversation id, actor id) + Recipient."""
    participant, conversation = Participant._meta.db_table, Conversation._meta.db_table
    block, push = UserBlock._meta.db_table, PushSubscription._meta.db_table
    return (
        f"SELECT asks.conversation_id, asks.actor_id, p.user_id, p.is_blocked, c.type,"
        f" EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = p.user_id AND b.blocked_id = asks.actor_id),"
        f" EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = asks.actor_id AND b.blocked_id = p.user_id),"
        f" p.is_removed_on_device, p.is_muted,"
        f" EXISTS (SELECT 1 FROM {push} s WHERE s.user_id = p.user_id)"
        f" FROM asks JOIN {participant} p ON p.conversation_id = asks.conversation_id"
        f" JOIN {conversation} c ON c.id = p.conversation_id"
    )


def recipients_read(asks: Sequence[tuple[int, int]]) -> dict[tuple[int, int], list[Recipient]]:
    """For each (conversation id, actor id): every participant of the conversation with what the
    actor's sending to them depends on (one query for all; a conversation without participants is
    left out)."""
    unique = sorted(set(asks))
    found: dict[tuple[int, int], list[Recipient]] = {}
    if not unique:
        return found
    asks_cte, params = id_pairs("asks", ("conversation_id", "actor_id"), unique)
    sql = f"WITH {asks_cte} {_participants_sql()}"
    with executed(sql, params) as cursor:
        rows = cursor.fetchall()
    for cid, aid, uid, blocked, ctype, b1, b2, removed, muted, push in rows:
        recipient = Recipient(uid, bool(blocked), ctype, bool(b1), bool(b2), bool(removed), bool(muted), bool(push))
        found.setdefault((cid, aid), []).append(recipient)
    return found


_COLUMNS = (
    ("conversation_id", "bigint"),
    ("sender_id", "bigint"),
    ("client_id", "text"),
    ("body", "text"),
    ("x", "jsonb"),
    ("attachments", "jsonb"),
    ("is_system", "boolean"),
    ("is_visible", "boolean"),
    ("replied_message_id", "bigint"),
    ("forwarded_message_id", "bigint"),
)
_NAMES = tuple(name for name, _ in _COLUMNS)


@cache
def _insert_many_sql() -> str:
    """PostgreSQL: the rows of a JSON array (objects with the columns and their `position`)
    inserted in their order with ids of their own, a duplicate client id skipped, and the
    conversations of the inserted ones stamped (locked in id order, so that two batches never wait
    on each other crosswise); answers each row's id and whether it was inserted.

    The conversations are named as an array (`= ANY(ARRAY(...))`), which the planner looks up by
    key whatever it guesses of the batch: joined to the inserted rows, which it takes for a
    hundred, it read every conversation twice a batch below about 40,000 of them (10 ms a batch
    with 25,000: most of PostgreSQL's time for a send).

    One JSON document instead of an array a column: psycopg dumps arrays element by element in
    Python (1-3.5 us an element, about 20 us a message, and 100 us a statement to find its
    dumpers), where orjson writes a row in under 3 us, and the extra data and attachments go in
    as they are instead of through `json.dumps` each."""
    message, conversation = Message._meta.db_table, Conversation._meta.db_table
    definitions = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
    columns = ", ".join(_NAMES)
    return (
        f"WITH rows AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('{message}', 'id')) AS id, r.*"
        f" FROM json_to_recordset(%s::json) AS r ({definitions}, position integer)),"
        f" inserted AS (INSERT INTO {message} (id, {columns}, created_at, updated_at)"
        f" SELECT id, {columns}, %s, %s FROM rows ORDER BY position"
        f" ON CONFLICT DO NOTHING RETURNING id, conversation_id),"
        f" locked AS (SELECT c.id FROM {conversation} c WHERE c.id = ANY(ARRAY(SELECT conversation_id FROM inserted))"
        f" ORDER BY c.id FOR NO KEY UPDATE),"
        f" stamped AS (UPDATE {conversation} c SET updated_at = %s WHERE c.id = ANY(ARRAY(SELECT id FROM locked)))"
        f" SELECT rows.id, inserted.id IS NOT NULL FROM rows LEFT JOIN inserted ON inserted.id = rows.id"
        f" ORDER BY rows.position"
    )


@cache
def _insert_one_sql() -> str:
    message = Message._meta.db_table
    columns = ", ".join((*_NAMES, "created_at", "updated_at"))
    placeholders = ", ".join(["%s"] * (len(_COLUMNS) + 2))
    return f"INSERT INTO {message} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING RETURNING id"


def messages_insert(messages: Sequence[Message]) -> list[bool]:
    """Insert new messages in their order and stamp their conversations' last activity, atomically;
    answers, for each, whether it was inserted (False: its sender already used its client id).

    An inserted message gets its id and times. On PostgreSQL this is one statement: outside a
    transaction it commits on its own, and conversations stay locked only while it runs."""
    if not messages:
        return []
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        rows = orjson.dumps([_row(m) | {"position": i} for i, m in enumerate(messages)], option=orjson.OPT_NON_STR_KEYS)
        with executed(_insert_many_sql(), [rows.decode(), stamp, stamp, stamp]) as cursor:
            answers = cursor.fetchall()
    else:
        answers = []
        with transaction.atomic():
            for message in messages:
                row = _row(message)
                row["x"] = connection.ops.adapt_json_value(message.x, None)
                row["attachments"] = connection.ops.adapt_json_value(message.attachments, None)
                with executed(_insert_one_sql(), [*row.values(), stamp, stamp]) as cursor:
                    found = cursor.fetchone()
                answers.append((found[0] if found else None, found is not None))
            stamped = sorted({m.conversation_id for m, (_, ok) in zip(messages, answers, strict=True) if ok})
            if stamped:
                Conversation.objects.filter(pk__in=stamped).update(updated_at=now)
    for message, (pk, inserted) in zip(messages, answers, strict=True):
        if inserted:
            message.pk = pk
            message.created_at = message.updated_at = now
            message._state.adding = False
            message._state.db = connection.alias
    return [inserted for _, inserted in answers]


def _row(m: Message) -> dict[str, Any]:
    """A new message's columns, in `_COLUMNS`' order."""
    return {
        "conversation_id": m.conversation_id,
        "sender_id": m.sender_id,
        "client_id": m.client_id,
        "body": m.body,
        "x": m.x,
        "attachments": m.attachments,
        "is_system": m.is_system,
        "is_visible": m.is_visible,
        "replied_message_id": m.replied_message_id,
        "forwarded_message_id": m.forwarded_message_id,
    }
