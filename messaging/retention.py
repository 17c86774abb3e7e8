"""What of messaging's rows retention removes (`manage.py purge`, docs/retention.md): operations log
entries older than OPLOG_RETENTION_DAYS. Messages, files, reactions and delivery receipts are never
removed by retention: a receipt records a Hooligram acknowledgement, and a message without one is
delivered again at the user's next sign-in (messaging/receipts.py), however old it is."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from config.batch_delete import Progress, rows_delete
from messaging.models import OpLogEntry


def oplog_entries_old(now: datetime) -> "QuerySet[OpLogEntry]":
    """Operations log entries older than OPLOG_RETENTION_DAYS. SAMA's `op_log_list` replays a
    user's log from any moment the client names (messaging/oplog.py), in practice since it last
    disconnected; the default (90 days) is longer than a client stays signed in unseen
    (REFRESH_TOKEN_LIFETIME, 30 days by default)."""
    return OpLogEntry.objects.filter(created_at__lt=now - timedelta(days=settings.OPLOG_RETENTION_DAYS))


def oplog_entries_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the operations log entries past retention (`oplog_entries_old`)."""
    return rows_delete(oplog_entries_old(timezone.now()), dry_run=dry_run, progress=progress)
