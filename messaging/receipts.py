"""What each user has read and received: read positions (every protocol), and delivery receipts
(Hooligram store-and-forward: a client acknowledges each delivered message; what a user has not
acknowledged is delivered again at their next sign-in: `messaging.backlog`)."""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from chats.access import access_participation
from chats.models import Participant
from chats.selectors import participant_ids_of
from config.errors import NotFound
from config.prepared_sql import executed, id_pairs
from events.delivery import publish
from events.kinds import MessagesRead
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
