"""How much push work waits, read from the queue's tables at each scrape of a process's metrics
(`config/metrics.py`): two counts, each stopped at QUEUE_COUNT_MAX so a scrape stays cheap
however far the queue has grown."""

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from accounts.models import PushDelivery, PushEvent

logger = logging.getLogger("accounts.push")

QUEUE_COUNT_MAX = 10_000


class PushQueueCollector(Collector):
    """Queued push events a worker has not expanded yet, and deliveries not yet sent nor given up."""

    def describe(self) -> Iterator[Metric]:
        """Nothing: registering the collector must not query the database."""
        return iter(())

    def collect(self) -> Iterator[Metric]:
        try:
            events = PushEvent.objects.filter(sent_at__isnull=True)[:QUEUE_COUNT_MAX].count()
            deliveries = PushDelivery.objects.filter(next_attempt_at__isnull=False)[:QUEUE_COUNT_MAX].count()
        except DatabaseError as error:  # the other metrics are still worth answering
            logger.warning("push queue not counted: %s: %s", type(error).__name__, error)
            return
        yield GaugeMetricFamily(
            "chat_push_events_queued", f"Push events no worker has expanded yet (at most {QUEUE_COUNT_MAX})", events
        )
        yield GaugeMetricFamily(
            "chat_push_deliveries_pending",
            f"Push deliveries waiting for their first try or a retry (at most {QUEUE_COUNT_MAX})",
            deliveries,
        )


REGISTRY.register(PushQueueCollector())
