"""Retention of the push queue: deliveries the worker is done with, and events with no delivery
left, go once PUSH_RETENTION_DAYS old; whatever the worker may still send stays and is sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PushDelivery, PushEvent
from accounts.push import retention
from accounts.push.backends.memory import MemoryBackend
from accounts.push.services import push_event_create
from realtime.push import worker
from tests.helpers import make_user
from tests.push_helpers import pushes_in_memory, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_push(settings):
    yield from pushes_in_memory(settings, PUSH_RETRY_DELAY=30, PUSH_MAX_ATTEMPTS=5, PUSH_RETENTION_DAYS=7)


def subscribed_user(udid: str):
    user = make_user()
    subscribe(user, udid)
    return user


def push(sender, recipient) -> PushEvent:
    return push_event_create(sender, recipient_ids=[recipient.pk], message={"title": "t", "body": "b"})


def make_old(*events: PushEvent, days: int = 8) -> None:
    """Make the events, and their deliveries, `days` old."""
    then = timezone.now() - timedelta(days=days)
    ids = [e.pk for e in events]
    PushEvent.objects.filter(pk__in=ids).update(created_at=then)
    PushEvent.objects.filter(pk__in=ids, sent_at__isnull=False).update(sent_at=then)
    PushDelivery.objects.filter(event_id__in=ids).update(created_at=then)


def test_finished_pushes_go_and_pending_ones_stay_and_are_still_sent(settings):
    alice, bob, carol = make_user(), subscribed_user("bob-phone"), subscribed_user("carol-phone")
    sent = push(alice, bob)
    worker.run_once()  # sent
    retrying = push(alice, carol)
    MemoryBackend.failures = 1
    worker.run_once()  # failed once, retried in 30 s
    settings.PUSH_MAX_ATTEMPTS = 1
    given_up = push(alice, bob)
    MemoryBackend.failures = 1
    worker.run_once()  # failed, and that was its last attempt
    settings.PUSH_MAX_ATTEMPTS = 5
    recent = push(alice, bob)
    worker.run_once()  # sent, and not old
    due = push(alice, bob)
    worker.dispatch_events()  # expanded, not tried yet
    queued = push(alice, carol)  # no worker has seen it
    make_old(sent, retrying, given_up, due, queued)
    done = PushDelivery.objects.filter(next_attempt_at__isnull=True)
    assert done.count() == 3 and PushDelivery.objects.filter(event=retrying, sent_at__isnull=True).exists()

    assert (retention.push_deliveries_purge(dry_run=True), retention.push_events_purge(dry_run=True)) == (2, 2)
    assert PushDelivery.objects.count() == 5
    assert retention.push_deliveries_purge() == 2  # sent's and given_up's
    assert retention.push_events_purge() == 2
    left = set(PushEvent.objects.values_list("pk", flat=True))
    assert left == {retrying.pk, due.pk, queued.pk, recent.pk}
    assert set(PushDelivery.objects.values_list("event_id", flat=True)) == {retrying.pk, due.pk, recent.pk}

    PushDelivery.objects.filter(event=retrying).update(next_attempt_at=timezone.now())
    MemoryBackend.outbox.clear()
    worker.run_once()
    assert len(MemoryBackend.outbox) == 3  # the retry, the one due, and the queued event's


def test_a_delivery_leased_by_a_worker_stays():
    alice, bob = make_user(), subscribed_user("bob-phone")
    event = push(alice, bob)
    worker.dispatch_events()
    (leased,) = worker._claim(10)  # a worker holds it while it sends
    make_old(event, days=30)
    assert retention.push_deliveries_purge() == 0
    assert retention.push_events_purge() == 0
    assert PushDelivery.objects.filter(pk=leased.pk).exists()
