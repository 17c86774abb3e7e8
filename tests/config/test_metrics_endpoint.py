"""`/metrics` over HTTP: the process's metrics in Prometheus' text format (OpenMetrics when asked),
behind a Bearer token when METRICS_TOKEN is set; garbage-collection pauses, the push queue and
(on PostgreSQL) the database pool among them."""

import gc
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import PushDelivery, PushEvent
from accounts.push.services import push_subscription_create
from config.server import CollectionTimer
from tests.helpers import make_user
from tests.metrics_samples import moved, samples, value

pytestmark = pytest.mark.django_db

SERVER_METRICS = [
    "# TYPE chat_websocket_connections gauge",
    "# TYPE chat_messages_sent_total counter",
    "# TYPE chat_deliveries_total counter",
    "# TYPE chat_send_commit_seconds histogram",
    "# TYPE chat_send_delivery_seconds histogram",
    "# TYPE chat_batch_size histogram",
    "# TYPE chat_gc_pause_seconds histogram",
    "# TYPE chat_push_events_queued gauge",
    "# TYPE chat_push_deliveries_pending gauge",
    "# TYPE chat_push_deliveries_total counter",
]


def test_metrics_answers_prometheus_text_with_the_servers_metrics(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.content.decode()
    assert [line for line in SERVER_METRICS if line not in text] == []
    for protocol in ("sama", "hooligram", "nkchat", "rest"):  # each protocol's series from zero
        assert f'chat_websocket_connections{{protocol="{protocol}"}}' in text
    assert client.post("/metrics").status_code == 405


def test_metrics_answers_openmetrics_to_a_scraper_that_asks_for_it(client):
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.decode().endswith("# EOF\n")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic bWV0cmljczpzM2NyZXQ=", "s3cret"])
def test_with_a_token_set_metrics_refuses_a_request_without_it(client, settings, authorization):
    settings.METRICS_TOKEN = "s3cret"
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"chat_" not in response.content


def test_with_a_token_set_metrics_answers_the_bearer_of_it(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200
    assert b"# TYPE chat_messages_sent_total counter" in response.content


def test_a_collection_is_observed_as_a_pause_of_its_generation(client):
    before = samples(client.get("/metrics").content.decode())
    timer = CollectionTimer()
    gc.callbacks.append(timer)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(timer)
    after = samples(client.get("/metrics").content.decode())
    assert moved(before, after, "chat_gc_pause_seconds_count", generation="2") >= 1
    assert moved(before, after, "chat_gc_pause_seconds_sum", generation="2") > 0


def test_the_push_queue_is_counted_at_each_scrape(client):
    alice = make_user()
    subscription = push_subscription_create(alice, platform="android", device_udid="phone", device_token="t")
    event = PushEvent.objects.create(recipient_ids=[alice.pk], message={"title": "hi"})
    PushEvent.objects.create(recipient_ids=[alice.pk], message={"title": "expanded"}, sent_at=timezone.now())
    PushDelivery.objects.create(event=event, subscription=subscription, next_attempt_at=timezone.now())
    PushDelivery.objects.create(
        event=event, subscription=subscription, next_attempt_at=timezone.now() + timedelta(minutes=5), attempts=1
    )
    PushDelivery.objects.create(event=event, subscription=subscription, next_attempt_at=None)  # done
    readings = samples(client.get("/metrics").content.decode())
    assert value(readings, "chat_push_events_queued") == 1
    assert value(readings, "chat_push_deliveries_pending") == 2


def _borrow_a_connection() -> None:
    """Use the database from a thread of its own, giving the connection back after (to the pool)."""

    def borrow() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.close()

    thread = threading.Thread(target=borrow)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_the_database_pool_is_read_at_each_scrape_where_there_is_one(client):
    """On PostgreSQL the pool's use (psycopg_pool's statistics); on SQLite, no pool, nothing."""
    before = samples(client.get("/metrics").content.decode())
    if getattr(connection, "pool", None) is None:
        assert [name for name, _ in before if name.startswith("chat_database_pool")] == []
        return
    # This thread's connection, which the scrape borrowed (to count the push queue), is kept for
    # the test: only the other thread's borrowing moves the count between the next two readings.
    before = samples(client.get("/metrics").content.decode())
    _borrow_a_connection()
    after = samples(client.get("/metrics").content.decode())
    assert value(after, "chat_database_pool_max") == settings.DATABASE_POOL_MAX
    assert 1 <= value(after, "chat_database_pool_connections") <= settings.DATABASE_POOL_MAX
    assert moved(before, after, "chat_database_pool_requests_total") == 1
    assert value(after, "chat_database_pool_waiting") == 0
