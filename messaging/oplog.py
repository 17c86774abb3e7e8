"""Each user's operations log (SAMA `op_log_list`): the logged events that reached them, kept so that
a client that was offline can catch up. Written inside the transaction that publishes the event."""

from datetime import datetime
from typing import Any

from accounts.models import User
from events.kinds import Event
from messaging.models import OpLogEntry

OPLOG_LIMIT = 500


def oplog_record(event: Event, **_: Any) -> None:
    """Write a logged event into each recipient's operations log (one query); the receiver of
    `events.delivery.event_published`, connected in `messaging.apps`."""
    if not event.logged or not event.recipients:
        return
    payload = event.data()
    OpLogEntry.objects.bulk_create(
        [OpLogEntry(user_id=uid, kind=event.kind, payload=payload) for uid in sorted(set(event.recipients))]
    )


def oplog_list(user: User, *, after: datetime | None = None, before: datetime | None = None) -> list[OpLogEntry]:
    """The user's operations log in order, oldest first, at most OPLOG_LIMIT entries."""
    rows = OpLogEntry.objects.filter(user=user)
    if after is not None:
        rows = rows.filter(created_at__gt=after)
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return list(rows.order_by("id")[:OPLOG_LIMIT])
