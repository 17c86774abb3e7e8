"""What each user has read and received: read positions (every protocol), and delivery receipts
(Hooligram store-and-forward: a client acknowledges each delivered message; what a user has not
acknowledged is delivered again at their next sign-in)."""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from chats.access import access_participation
from chats.models import Conversation, Participant
from chats.selectors import participant_ids_of
from chats.snapshots import conversation_snapshot
from config.errors import NotFound
from config.prepared_sql import both_in_one, columns, executed, id_pairs, instance_at, rows_of_each
from events.delivery import publish
from events.kinds import MessagesRead
from messaging.access import visible_messages_sql
from messaging.models import DeliveryReceipt, Message

READ_EVENT_IDS_MAX = 500


@transaction.atomic
def message_read(
    actor: User,
    *,
    conversation_id: int,
    message_ids: Iterable[int] | None = None,
    origin: str | None = None,
) -> list[int]:
    """Move the actor's read position forward to the newest given message (or the newest of all);
    answers the ids newly read. Locks the actor's participant row."""
    participation = access_participation(actor, conversation_id, lock=True)
    messages = Message.objects.filter(conversation_id=conversation_id)
    if message_ids is not None:
        ids = [int(i) for i in message_ids]
        messages = messages.filter(pk__in=ids) if ids else messages.none()
    newest = messages.order_by("-id").values_list("id", flat=True).first()
    if newest is None or newest <= participation.last_read_message_id:
        return []
    newly = list(
        Message.objects.filter(
            conversation_id=conversation_id,
            id__gt=participation.last_read_message_id,
            id__lte=newest,
            deleted_at__isnull=True,
            is_system=False,
        )
        .exclude(sender=actor)
        .order_by("-id")
        .values_list("id", "sender_id")[:READ_EVENT_IDS_MAX]
    )
    now = timezone.now()
    participation.last_read_message_id = newest
    participation.last_read_at = now
    participation.save(update_fields=["last_read_message_id", "last_read_at"])
    if newly:
        publish(
            MessagesRead(
                recipients=tuple(participant_ids_of(conversation_id)),
                actor_id=actor.pk,
                origin=origin,
                conversation_id=conversation_id,
                message_ids=tuple(sorted(i for i, _ in newly)),
                sender_ids=tuple(s for _, s in sorted(newly)),
                reader_id=actor.pk,
                read_at=now.timestamp(),
            )
        )
    return sorted(i for i, _ in newly)


def read_positions(conversation_ids: list[int]) -> dict[int, list[Participant]]:
    """Every participant of these chats with their read position, per chat, in one query."""
    rows = Participant.objects.filter(conversation_id__in=conversation_ids, last_read_message_id__gt=0).order_by(
        "conversation_id", "user_id"
    )
    positions: dict[int, list[Participant]] = {}
    for row in rows:
        positions.setdefault(row.conversation_id, []).append(row)
    return positions


def receipt_refused() -> NotFound:
    """The error for a receipt of a message the user did not receive."""
    return NotFound("Message not found", code="message_not_found")


def receipt_record(user: User, *, message_id: int) -> None:
    """Record that the user received a message of a conversation they take part in (idempotent)."""
    if not receipts_record([(user.pk, message_id)])[0]:
        raise receipt_refused()


def receipts_record(pairs: list[tuple[int, int]]) -> list[bool]:
    """Record many (user id, message id) receipts in one write; answers, for each pair, whether the
    message exists in a conversation of that user (only those are recorded).

    SQL written once instead of ORM queries (compiling those was most of the database threads'
    time under Hooligram load, a receipt per delivered message): on PostgreSQL one prepared
    statement whatever the batch's size, so one plan per connection and one commit per batch;
    elsewhere a read and a write."""
    unique = sorted(set(pairs))
    if not unique:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pairs_cte, params = id_pairs("pairs", ("user_id", "message_id"), unique)
    if connection.vendor == "postgresql":
        with executed(_record_sql(pairs_cte), [*params, now]) as cursor:
            visible = set(cursor.fetchall())
    else:
        with executed(f"WITH {pairs_cte}, {_visible_sql()} SELECT * FROM visible", params) as cursor:
            visible = set(cursor.fetchall())
        if visible:
            rows = [(uid, mid, now) for uid, mid in sorted(visible)]
            with executed(
                f"INSERT INTO {DeliveryReceipt._meta.db_table} (user_id, message_id, created_at)"
                f" VALUES {', '.join(['(%s, %s, %s)'] * len(rows))} ON CONFLICT DO NOTHING",
                _flat(rows),
            ):
                pass
    return [pair in visible for pair in pairs]


def _flat(rows: list[tuple[Any, ...]]) -> list[Any]:
    return [value for row in rows for value in row]


@cache
def _visible_sql() -> str:
    """The rule a receipt is recorded by, as CTEs after a `pairs (user_id, message_id)` one:
    `visible` holds the pairs whose message is in a conversation of that user. Each message is
    found by its key first (materialized): left to itself, PostgreSQL's planner may start from
    the user's participations and read every message of each conversation."""
    message, participant = Message._meta.db_table, Participant._meta.db_table
    return (
        f"found AS MATERIALIZED (SELECT pairs.user_id, pairs.message_id, m.conversation_id FROM pairs"
        f" JOIN {message} m ON m.id = pairs.message_id),"
        f" visible AS (SELECT found.user_id, found.message_id FROM found"
        f" JOIN {participant} p ON p.conversation_id = found.conversation_id AND p.user_id = found.user_id)"
    )


@cache
def _record_sql(pairs_cte: str) -> str:
    """PostgreSQL: the visible pairs (of the arrays in `pairs_cte`), inserted (once) and answered,
    in one statement."""
    return (
        f"WITH {pairs_cte}, {_visible_sql()},"
        f" stored AS (INSERT INTO {DeliveryReceipt._meta.db_table} (user_id, message_id, created_at)"
        f" SELECT user_id, message_id, %s FROM visible ON CONFLICT DO NOTHING)"
        f" SELECT user_id, message_id FROM visible"
    )


def sign_in_backlog(user: User) -> tuple[list[dict[str, Any]], list[Message]]:
    """What a Hooligram sign-in delivers, in one statement: every conversation the user takes part
    in, as snapshots with all participants; and the messages the user has not acknowledged, oldest
    first, with their senders: those of the user's conversations sent by others since the user
    joined, neither system messages, deleted, nor hidden by the user, at most
    HOOLIGRAM_REDELIVERY_LIMIT. SQL written once, since every sign-in asks (compiling it as ORM
    queries was a third of the database threads' time while clients signed in), and one statement
    rather than one each: a round trip fewer, about 80 µs of the server's CPU and 25 of
    PostgreSQL's a sign-in."""
    cap = settings.HOOLIGRAM_REDELIVERY_LIMIT
    # The groups' user; then the messages': the user four times and the cap (on PostgreSQL again).
    params = [user.pk, user.pk, user.pk, user.pk, user.pk, cap]
    if connection.vendor == "postgresql":
        params += [user.pk, cap]
    with executed(_backlog_sql(), params) as cursor:
        conversation_rows, message_rows = rows_of_each(cursor.fetchall(), _member_conversations_width())
    return _conversation_snapshots(conversation_rows), _messages(message_rows)


@cache
def _backlog_sql() -> str:
    """The user's conversations with their members (by conversation, then member), then the
    undelivered messages (by id)."""
    conversations = _member_conversations_width()
    by_message = 2 + conversations  # its first column: the message's id
    by_member = 2 + len(Conversation._meta.concrete_fields)  # the member's id
    return both_in_one(
        (_member_conversations_sql(), conversations),
        (_undelivered_sql(), len(Message._meta.concrete_fields) + len(User._meta.concrete_fields)),
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
def _undelivered_sql() -> str:
    """On PostgreSQL read conversation by conversation (a LATERAL subquery per participation of
    the user), so that whatever the planner's statistics say it starts from the user's few
    conversations: as one join ordered by message id, statistics taken before a burst of writes
    made it walk every message of every conversation by id (330 ms instead of 0.5 ms with 270,000
    messages). SQLite has no LATERAL, and plans the join from the participations anyway."""
    message, user, receipt = Message._meta.db_table, User._meta.db_table, DeliveryReceipt._meta.db_table
    visible_join, visible = visible_messages_sql("m", "p")
    undelivered = (
        f"{visible} AND p.joined_at <= m.created_at"
        f" AND NOT m.is_system AND (m.sender_id IS NULL OR m.sender_id <> %s)"
        f" AND NOT EXISTS (SELECT 1 FROM {receipt} r WHERE r.message_id = m.id AND r.user_id = %s)"
    )
    if connection.vendor != "postgresql":
        return (
            f"SELECT {columns(Message, 'm')}, {columns(User, 'u')} FROM {message} m {visible_join}"
            f" LEFT JOIN {user} u ON u.id = m.sender_id WHERE {undelivered} ORDER BY m.id LIMIT %s"
        )
    return (
        f"SELECT {columns(Message, 'm')}, {columns(User, 'u')} FROM {Participant._meta.db_table} member"
        f" CROSS JOIN LATERAL (SELECT m.* FROM {message} m {visible_join}"
        f" WHERE m.conversation_id = member.conversation_id AND {undelivered} ORDER BY m.id LIMIT %s) m"
        f" LEFT JOIN {user} u ON u.id = m.sender_id"
        f" WHERE member.user_id = %s ORDER BY m.id LIMIT %s"
    )


def _member_conversations_width() -> int:
    """The columns of a row of `_member_conversations_sql`: a conversation's, a member's, and on
    PostgreSQL the two keys it is ordered by."""
    width = len(Conversation._meta.concrete_fields) + len(User._meta.concrete_fields)
    return width + 2 if connection.vendor == "postgresql" else width


@cache
def _member_conversations_sql() -> str:
    """On PostgreSQL each of the user's conversations is read with its members in a LATERAL
    subquery, each member by its key in another (OFFSET 0 keeps the planner from merging them back
    into one join), for the backlog's reason: on statistics taken while the tables were nearly
    empty, the one join was planned as a merge over every conversation by id, growing with their
    number (151 buffers a sign-in with 2,500 conversations, against 21 now). SQLite has no
    LATERAL, and plans the join from the participations anyway."""
    participant, conversation, user = Participant._meta.db_table, Conversation._meta.db_table, User._meta.db_table
    if connection.vendor != "postgresql":
        return (
            f"SELECT {columns(Conversation, 'c')}, {columns(User, 'u')} FROM {participant} mine"
            f" JOIN {conversation} c ON c.id = mine.conversation_id"
            f" JOIN {participant} p ON p.conversation_id = c.id"
            f" JOIN {user} u ON u.id = p.user_id"
            f" WHERE mine.user_id = %s ORDER BY c.id, u.id"
        )
    return (
        f"SELECT x.* FROM {participant} mine CROSS JOIN LATERAL"
        f" (SELECT {columns(Conversation, 'c')}, {columns(User, 'u')}, c.id AS c_key, u.id AS u_key"
        f" FROM {conversation} c JOIN {participant} p ON p.conversation_id = c.id"
        f" CROSS JOIN LATERAL (SELECT * FROM {user} WHERE id = p.user_id OFFSET 0) u"
        f" WHERE c.id = mine.conversation_id OFFSET 0) x"
        f" WHERE mine.user_id = %s ORDER BY x.c_key, x.u_key"
    )
