"""What a process measures, in Prometheus' terms: the metrics live in prometheus_client's default
registry, one per process, and each server process answers its own at `/metrics`
(`config/metrics_view.py`). The code where a thing happens counts it; `docs/metrics.md` says what
each metric means and how Prometheus scrapes several processes."""

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

# No `_created` series beside every counter and histogram: Prometheus' text format would carry each as
# a gauge of its own, doubling a scrape for a start time that process_start_time_seconds already tells.
disable_created_metrics()

# Seconds from a send's arrival to its commit or its delivery: a few milliseconds when all is well.
LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
GC_PAUSE_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)

WEBSOCKET_CONNECTIONS = Gauge(
    "chat_websocket_connections", "WebSocket connections open in this process (handshake accepted)", ["protocol"]
)
MESSAGES_SENT = Counter("chat_messages_sent", "Messages stored from clients' sends", ["protocol"])
DELIVERIES = Counter("chat_deliveries", "Event frames written to WebSocket connections", ["protocol"])
SEND_COMMIT_SECONDS = Histogram(
    "chat_send_commit_seconds",
    "From a WebSocket send's arrival in this process to its batch's commit",
    buckets=LATENCY_BUCKETS,
)
SEND_DELIVERY_SECONDS = Histogram(
    "chat_send_delivery_seconds",
    "From a WebSocket send's arrival (in any process, wall clock) to this process having written the "
    "frames of its message to all of its recipients' connections here",
    buckets=LATENCY_BUCKETS,
)
BATCH_SIZE = Histogram(
    "chat_batch_size", "Items handled together in one batch of the event loop", ["batch"], buckets=BATCH_SIZE_BUCKETS
)
GC_PAUSE_SECONDS = Histogram(
    "chat_gc_pause_seconds",
    "Garbage collections of a server process: how long each stopped the process",
    ["generation"],
    buckets=GC_PAUSE_BUCKETS,
)
EVENTS_UNSENT_DROPPED = Counter(
    "chat_events_unsent_dropped",
    "Events dropped because the channel layer (Redis) did not take them in time (events/channel.py)",
)
PUSH_DELIVERIES = Counter(
    "chat_push_deliveries", "Push notifications tried by the push worker, by outcome", ["platform", "outcome"]
)


@dataclass(frozen=True, slots=True)
class ProtocolMeters:
    """One protocol's series, looked up once: the hot paths only increment them."""

    connections: Gauge
    messages_sent: Counter
    deliveries: Counter


@functools.cache
def protocol_meters(protocol: str) -> ProtocolMeters:
    """The series of one protocol (made on first use, so each shows from zero)."""
    return ProtocolMeters(
        connections=WEBSOCKET_CONNECTIONS.labels(protocol),
        messages_sent=MESSAGES_SENT.labels(protocol),
        deliveries=DELIVERIES.labels(protocol),
    )


# psycopg_pool's statistics (`get_stats()`): name, help, and the factor to seconds of "_ms" counters.
# (Not its "usage_ms": it counts only `pool.connection()` blocks, and Django borrows with getconn.)
_POOL_GAUGES = {
    "pool_size": ("chat_database_pool_connections", "Connections the pool holds, lent or idle"),
    "pool_available": ("chat_database_pool_available", "Idle connections in the pool"),
    "pool_max": ("chat_database_pool_max", "Most connections the pool may hold (DATABASE_POOL_MAX)"),
    "requests_waiting": ("chat_database_pool_waiting", "Requests waiting now for a connection"),
}
_POOL_COUNTERS = {
    "requests_num": ("chat_database_pool_requests", "Connections asked of the pool", 1.0),
    "requests_queued": ("chat_database_pool_requests_queued", "Requests that had to wait for a connection", 1.0),
    "requests_wait_ms": ("chat_database_pool_wait_seconds", "Time requests waited for a connection", 0.001),
    "requests_errors": ("chat_database_pool_timeouts", "Requests that got no connection in time", 1.0),
    "connections_num": ("chat_database_pool_connects", "Connections the pool opened to the database", 1.0),
    "connections_lost": ("chat_database_pool_connections_lost", "Connections found broken and discarded", 1.0),
}


class DatabasePoolCollector(Collector):
    """The PostgreSQL connection pool's use (Django's pool, psycopg_pool), read at each scrape;
    nothing without a pool (SQLite, or DATABASE_POOL_MAX=0)."""

    def describe(self) -> Iterator[Metric]:
        """Nothing: registering the collector must not make the pool (the registry would collect)."""
        return iter(())

    def collect(self) -> Iterator[Metric]:
        pool = getattr(connections["default"], "pool", None)
        if pool is None:
            return
        stats = pool.get_stats()
        for key, (name, documentation) in _POOL_GAUGES.items():
            yield GaugeMetricFamily(name, documentation, value=stats.get(key, 0))
        for key, (name, documentation, factor) in _POOL_COUNTERS.items():
            yield CounterMetricFamily(name, documentation, value=stats.get(key, 0) * factor)


REGISTRY.register(DatabasePoolCollector())
