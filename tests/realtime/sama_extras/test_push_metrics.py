"""The push worker counts every try by platform and outcome, and serves its metrics on
PUSH_WORKER_METRICS_PORT while it runs."""

import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import PushDelivery, PushEvent
from accounts.push.backends.memory import MemoryBackend
from realtime.push import worker
from tests.helpers import make_user
from tests.metrics_samples import moved, samples
from tests.push_helpers import pushes_in_memory, subscribe
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_push(settings):
    yield from pushes_in_memory(settings, PUSH_MAX_ATTEMPTS=2)


def _scrape(client) -> dict:
    return samples(client.get("/metrics").content.decode())


def test_each_try_is_counted_by_its_outcome(client):
    bob, carol = make_user(), make_user()
    subscribe(bob, "bob-phone")
    subscribe(carol, "carol-phone")
    PushEvent.objects.create(recipient_ids=[bob.pk, carol.pk], message={"title": "news"})
    MemoryBackend.failures = 1
    MemoryBackend.gone.add("carol-phone")
    before = _scrape(client)
    worker.run_once()  # bob's fails for now, carol's device is gone
    PushDelivery.objects.filter(sent_at__isnull=True).update(next_attempt_at=timezone.now())
    worker.run_once()  # bob's again: sent
    after = _scrape(client)
    counted = {
        outcome: moved(before, after, "chat_push_deliveries_total", platform="ios", outcome=outcome)
        for outcome in ("sent", "failed", "given_up", "rejected", "gone")
    }
    assert counted == {"sent": 1, "failed": 1, "given_up": 0, "rejected": 0, "gone": 1}


def test_a_failure_on_the_last_try_is_counted_as_given_up(client):
    bob = make_user()
    subscribe(bob, "bob-phone")
    PushEvent.objects.create(recipient_ids=[bob.pk], message={"title": "news"})
    MemoryBackend.failures = 2
    before = _scrape(client)
    worker.run_once()
    PushDelivery.objects.filter(sent_at__isnull=True).update(next_attempt_at=timezone.now())
    worker.run_once()
    after = _scrape(client)
    assert moved(before, after, "chat_push_deliveries_total", platform="ios", outcome="failed") == 1
    assert moved(before, after, "chat_push_deliveries_total", platform="ios", outcome="given_up") == 1


def test_the_worker_serves_its_metrics_on_its_port_while_it_runs(settings, monkeypatch):
    settings.PUSH_WORKER_METRICS_PORT = port = free_port()
    served = []

    def one_look(poll: float) -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            served.append((response.status, response.read().decode()))

    monkeypatch.setattr(worker, "run_forever", one_look)
    call_command("push_worker")
    [(status, text)] = served
    assert status == 200
    assert "# TYPE chat_push_deliveries_total counter" in text
    assert "# TYPE chat_push_events_queued gauge" in text
