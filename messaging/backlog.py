"""What a Hooligram sign-in delivers: every conversation the user takes part in, as snapshots with
all participants; and the messages the user has not acknowledged (`messaging.receipts`), oldest
first, with their senders: those of the user's conversations sent by others since the user
joined, neither system messages, deleted, nor hidden by the user, at most
HOOLIGRAM_REDELIVERY_LIMIT.

SQL written once, since every sign-in asks (compiling it as ORM queries was a third of the
database threads' time while clients signed in). On PostgreSQL one statement reads the backlogs of
any number of users (`realtime.backlog_batches` gathers the sign-ins of a process): its round trip
and hop to a database thread were a fifth of a Hooligram sign-in's cost in a storm."""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection

from accounts.models import User
from chats.models import Conversation, Participant
from chats.snapshots import conversation_snapshot
from config.prepared_sql import both_in_one, columns, executed, instance_at, rows_of_each
from messaging.access import visible_messages_sql
from messaging.models import DeliveryReceipt, Message

Backlog = tuple[list[dict[str, Any]], list[Message]]


def sign_in_backlogs(user_ids: Sequence[int]) -> dict[int, Backlog]:
    """Each user's backlog (conversation snapshots, undelivered messages), by user id: on
    PostgreSQL in one statement for them all, elsewhere one statement a user."""
    cap = settings.HOOLIGRAM_REDELIVERY_LIMIT
    wanted = sorted(set(user_ids))
    rows: dict[int, list[Sequence[Any]]] = {user_id: [] for user_id in wanted}
    if connection.vendor == "postgresql":
        users = "{" + ",".join(str(int(user_id)) for user_id in wanted) + "}"  # see `id_rows`
        with executed(_backlogs_sql(), [users, cap, cap]) as cursor:
            for row in cursor.fetchall():
                rows[row[0]].append(row[1:])
    else:
        for user_id in wanted:
            with executed(_backlog_sql("%s"), [user_id] * 5 + [cap]) as cursor:
                rows[user_id] = cursor.fetchall()
    return {user_id: _backlog(user_rows) for user_id, user_rows in rows.items()}


def _backlog(rows: list[Sequence[Any]]) -> Backlog:
    conversation_rows, message_rows = rows_of_each(rows, _member_conversations_width())
    return _conversation_snapshots(conversation_rows), _messages(message_rows)


@cache
def _backlogs_sql() -> str:
    """PostgreSQL: for each user of an array (its one parameter, then the cap twice), the user's
    id and then the rows of `_backlog_sql`, in its order, the users in the order of their ids."""
    conversations = _member_conversations_width()
    by_message = 3 + conversations
    by_member = 3 + len(Conversation._meta.concrete_fields)
    return (
        f"SELECT who.id, x.* FROM unnest(%s::bigint[]) AS who (id)"
        f" CROSS JOIN LATERAL ({_backlog_sql('who.id')}) x ORDER BY 1, 2, 3, {by_member}, {by_message}"
    )


@cache
def _backlog_sql(user: str) -> str:
    """The conversations of the user (`user`: an SQL expression) with their members (by
    conversation, then member), then the undelivered messages (by id), in one statement. With
    `user` a parameter (`%s`, on SQLite) it takes the user's id five times, then the cap."""
    conversations = _member_conversations_width()
    by_message = 2 + conversations  # its first column: the message's id
    by_member = 2 + len(Conversation._meta.concrete_fields)  # the member's id
    return both_in_one(
        (_member_conversations_sql(user), conversations),
        (_undelivered_sql(user), len(Message._meta.concrete_fields) + len(User._meta.concrete_fields)),
        order_by=f"1, 2, {by_member}, {by_message}",
    )


def _messages(rows: list[Sequence[Any]]) -> list[Message]:
    messages = []
    for row in rows:
        message, at = instance_at(Message, row, 0)
        if row[at] is not None:  # a sender whose account is gone leaves the message without one
            message.sender = instance_at(User, row, at)[0]
        messages.append(message)
    return messages


def _conversation_snapshots(rows: list[Sequence[Any]]) -> list[dict[str, Any]]:
    conversations: dict[int, tuple[Conversation, list[User]]] = {}
    user_at = len(Conversation._meta.concrete_fields)
    for row in rows:
        if row[0] not in conversations:
            conversations[row[0]] = (instance_at(Conversation, row, 0)[0], [])
        conversations[row[0]][1].append(instance_at(User, row, user_at)[0])
    return [conversation_snapshot(conversation, members) for conversation, members in conversations.values()]


@cache
def _undelivered_sql(user: str) -> str:
    """On PostgreSQL read conversation by conversation (a LATERAL subquery per participation of
    the user), so that whatever the planner's statistics say it starts from the user's few
    conversations: as one join ordered by message id, statistics taken before a burst of writes
    made it walk every message of every conversation by id (330 ms instead of 0.5 ms with 270,000
    messages). SQLite has no LATERAL, and plans the join from the participations anyway."""
    message, users, receipt = Message._meta.db_table, User._meta.db_table, DeliveryReceipt._meta.db_table
    visible_join, visible = visible_messages_sql("m", "p", user=user)
    undelivered = (
        f"{visible} AND p.joined_at <= m.created_at"
        f" AND NOT m.is_system AND (m.sender_id IS NULL OR m.sender_id <> {user})"
        f" AND NOT EXISTS (SELECT 1 FROM {receipt} r WHERE r.message_id = m.id AND r.user_id = {user})"
    )
    if connection.vendor != "postgresql":
        return (
            f"SELECT {columns(Message, 'm')}, {columns(User, 'u')} FROM {message} m {visible_join}"
            f" LEFT JOIN {users} u ON u.id = m.sender_id WHERE {undelivered} ORDER BY m.id LIMIT %s"
        )
    return (
        f"SELECT {columns(Message, 'm')}, {columns(User, 'u')} FROM {Participant._meta.db_table} member"
        f" CROSS JOIN LATERAL (SELECT m.* FROM {message} m {visible_join}"
        f" WHERE m.conversation_id = member.conversation_id AND {undelivered} ORDER BY m.id LIMIT %s) m"
        f" LEFT JOIN {users} u ON u.id = m.sender_id"
        f" WHERE member.user_id = {user} ORDER BY m.id LIMIT %s"
    )


def _member_conversations_width() -> int:
    """The columns of a row of `_member_conversations_sql`: a conversation's, a member's, and on
    PostgreSQL the two keys it is ordered by."""
    width = len(Conversation._meta.concrete_fields) + len(User._meta.concrete_fields)
    return width + 2 if connection.vendor == "postgresql" else width


@cache
def _member_conversations_sql(user: str) -> str:
    """On PostgreSQL each of the user's conversations is read with its members in a LATERAL
    subquery, each member by its key in another (OFFSET 0 keeps the planner from merging them back
    into one join), for the backlog's reason: on statistics taken while the tables were nearly
    empty, the one join was planned as a merge over every conversation by id, growing with their
    number (151 buffers a sign-in with 2,500 conversations, against 21 now). SQLite has no
    LATERAL, and plans the join from the participations anyway."""
    participant, conversation, users = Participant._meta.db_table, Conversation._meta.db_table, User._meta.db_table
    if connection.vendor != "postgresql":
        return (
            f"SELECT {columns(Conversation, 'c')}, {columns(User, 'u')} FROM {participant} mine"
            f" JOIN {conversation} c ON c.id = mine.conversation_id"
            f" JOIN {participant} p ON p.conversation_id = c.id"
            f" JOIN {users} u ON u.id = p.user_id"
            f" WHERE mine.user_id = {user} ORDER BY c.id, u.id"
        )
    return (
        f"SELECT x.* FROM {participant} mine CROSS JOIN LATERAL"
        f" (SELECT {columns(Conversation, 'c')}, {columns(User, 'u')}, c.id AS c_key, u.id AS u_key"
        f" FROM {conversation} c JOIN {participant} p ON p.conversation_id = c.id"
        f" CROSS JOIN LATERAL (SELECT * FROM {users} WHERE id = p.user_id OFFSET 0) u"
        f" WHERE c.id = mine.conversation_id OFFSET 0) x"
        f" WHERE mine.user_id = {user} ORDER BY x.c_key, x.u_key"
    )
