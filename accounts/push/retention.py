"""What of the push queue retention removes (`manage.py purge`, docs/retention.md): deliveries the
worker (realtime/push/worker.py) is done with, and events all of whose deliveries are, once
PUSH_RETENTION_DAYS old. Nothing the worker may still send is touched."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import PushDelivery, PushEvent
from config.batch_delete import Progress, rows_delete


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.PUSH_RETENTION_DAYS)


def _finished(cutoff: datetime) -> Q:
    return Q(next_attempt_at__isnull=True, created_at__lt=cutoff)


def push_deliveries_finished(now: datetime) -> "QuerySet[PushDelivery]":
    """Deliveries older than PUSH_RETENTION_DAYS that the worker is done with: sent, refused for
    good, or given up after PUSH_MAX_ATTEMPTS, which it marks by clearing `next_attempt_at`. One
    still due, waiting for a retry or leased by a worker has a `next_attempt_at`, and stays."""
    return PushDelivery.objects.filter(_finished(_cutoff(now)))


def push_deliveries_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the finished push deliveries (`push_deliveries_finished`)."""
    return rows_delete(push_deliveries_finished(timezone.now()), dry_run=dry_run, progress=progress)


def push_events_finished(now: datetime) -> "QuerySet[PushEvent]":
    """Events the worker expanded into deliveries (`sent_at`) more than PUSH_RETENTION_DAYS ago
    all of whose deliveries are finished (`push_deliveries_finished`, which runs first and leaves
    them none). An event still queued (no `sent_at`) stays, and so does one with a delivery the
    worker may still send (deleting the event would delete it)."""
    cutoff = _cutoff(now)
    unfinished = PushDelivery.objects.filter(~_finished(cutoff), event_id=OuterRef("pk"))
    return PushEvent.objects.filter(~Exists(unfinished), sent_at__lt=cutoff)


def push_events_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the finished push events (`push_events_finished`)."""
    return rows_delete(push_events_finished(timezone.now()), dry_run=dry_run, progress=progress)
