"""Delivery receipts (Hooligram store-and-forward): a client acknowledges each delivered message;
what a user has not acknowledged is delivered again at their next sign-in."""

from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from chats.models import Participant
from chats.snapshots import conversation_snapshot
from config.errors import NotFound
from messaging.models import DeliveryReceipt, HiddenMessage, Message
from messaging.prepared_sql import executed


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
    if connection.vendor == "postgresql":
        user_ids, message_ids = [uid for uid, _ in unique], [mid for _, mid in unique]
        with executed(_record_sql(), [user_ids, message_ids, now]) as cursor:
            visible = set(cursor.fetchall())
    else:
        pairs_sql = f"WITH pairs (user_id, message_id) AS (VALUES {', '.join(['(%s, %s)'] * len(unique))})"
        with executed(f"{pairs_sql} {_visible_sql()}", _flat(unique)) as cursor:
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


def _flat(rows: list[tuple]) -> list:
    return [value for row in rows for value in row]


@cache
def _visible_sql() -> str:
    """SQLite: the pairs (a CTE) whose message is in a conversation of that user."""
    message, participant = Message._meta.db_table, Participant._meta.db_table
    return (
        f"SELECT pairs.user_id, pairs.message_id FROM pairs"
        f" JOIN {message} m ON m.id = pairs.message_id"
        f" JOIN {participant} p ON p.conversation_id = m.conversation_id AND p.user_id = pairs.user_id"
    )


@cache
def _record_sql() -> str:
    """PostgreSQL: the pairs of two id arrays whose message is in a conversation of that user,
    inserted (once) and answered. Each message is found by its key first (a materialized CTE):
    left to itself, the planner may start from the user's participations and read every message
    of each conversation."""
    message, participant = Message._meta.db_table, Participant._meta.db_table
    return (
        f"WITH pairs AS MATERIALIZED (SELECT pairs.user_id, pairs.message_id, m.conversation_id"
        f" FROM unnest(%s::bigint[], %s::bigint[]) AS pairs (user_id, message_id)"
        f" JOIN {message} m ON m.id = pairs.message_id),"
        f" visible AS (SELECT pairs.user_id, pairs.message_id FROM pairs"
        f" JOIN {participant} p ON p.conversation_id = pairs.conversation_id AND p.user_id = pairs.user_id),"
        f" stored AS (INSERT INTO {DeliveryReceipt._meta.db_table} (user_id, message_id, created_at)"
        f" SELECT user_id, message_id, %s FROM visible ON CONFLICT DO NOTHING)"
        f" SELECT user_id, message_id FROM visible"
    )


def undelivered_message_list(user: User, *, limit: int | None = None) -> list[Message]:
    """The messages the user has not acknowledged, oldest first, in one query: those of the
    user's conversations sent by others since the user joined, neither system messages, deleted,
    nor hidden by the user. At most HOOLIGRAM_REDELIVERY_LIMIT (or `limit`)."""
    member_since = Participant.objects.filter(
        conversation_id=OuterRef("conversation_id"), user=user, joined_at__lte=OuterRef("created_at")
    )
    acknowledged = DeliveryReceipt.objects.filter(message_id=OuterRef("pk"), user=user)
    hidden = HiddenMessage.objects.filter(message_id=OuterRef("pk"), user=user)
    rows = (
        Message.objects.filter(Exists(member_since), is_system=False, deleted_at__isnull=True)
        .exclude(sender=user)
        .exclude(Exists(acknowledged))
        .exclude(Exists(hidden))
        .select_related("sender")
        .order_by("id")
    )
    return list(rows[: limit or settings.HOOLIGRAM_REDELIVERY_LIMIT])


def member_conversation_snapshots(user: User) -> list[dict]:
    """Every conversation the user takes part in, as snapshots with all participants, in one query."""
    rows = (
        Participant.objects.filter(conversation__participants__user=user)
        .select_related("conversation", "user")
        .order_by("conversation_id", "user_id")
    )
    conversations: dict[int, tuple] = {}
    for row in rows:
        conversations.setdefault(row.conversation_id, (row.conversation, []))[1].append(row.user)
    return [conversation_snapshot(conversation, members) for conversation, members in conversations.values()]
