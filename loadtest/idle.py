"""The `idle` scenario: N signed-in connections that do nothing, and the server memory each one costs.

Connections open in two halves. The server's RSS is read before any (fresh process), after the
first half and after the second: the second half's growth divided by its size is the marginal cost
of one connection, free of one-time costs such as lazy imports and the first database connection.
"""

import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from loadtest.clients import UserSpec
from loadtest.monitor import MB, rss_bytes
from loadtest.runner import START_LEAD, Options, Target, make_plans
from loadtest.workers import WorkerPool

KB = 1024


def _open_half(options: Options, target: Target, users: list[UserSpec]) -> tuple[WorkerPool, int]:
    """Open and sign in these users' connections; answers the pool holding them and how many succeeded.

    Why connections failed goes into the pool's `errors`."""
    start_at = time.time() + START_LEAD
    rebased = [replace(u, index=n) for n, u in enumerate(users)]
    pool = WorkerPool(make_plans(options, rebased, start_at=start_at, send=False, group_size=1))
    pool.start()
    ready = pool.collect("ready", start_at + len(users) / options.ramp + 4 * options.timeout + 30)
    for answer in ready.values():
        pool.errors += [f"{count} x {reason}" for reason, count in answer[3].items()]
    return pool, sum(answer[0] for answer in ready.values())


def settled_rss(target: Target, seconds: float) -> int:
    """The servers' summed RSS after letting them settle for `seconds`."""
    time.sleep(seconds)
    return rss_bytes(target.server_processes())


def run_idle(options: Options, target: Target, users: list[UserSpec]) -> dict[str, Any]:
    """Open len(users) idle signed-in connections in two halves and report server memory per connection."""
    half = len(users) // 2
    fresh = settled_rss(target, 1.0)
    pools: list[WorkerPool] = []
    try:
        first_pool, first = _open_half(options, target, users[:half])
        pools.append(first_pool)
        middle = settled_rss(target, options.settle)
        second_pool, second = _open_half(options, target, users[half:])
        pools.append(second_pool)
        full = settled_rss(target, options.settle)
    finally:
        for pool in pools:
            pool.stop()
    connected = first + second
    errors = [e for pool in pools for e in pool.errors]
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "protocol": options.protocol,
        "connections": len(users),
        "connected": connected,
        "failed": len(users) - connected,
        "servers": len(target.urls),
        "server_rss_fresh_mb": round(fresh / MB, 1),
        "server_rss_half_mb": round(middle / MB, 1),
        "server_rss_full_mb": round(full / MB, 1),
        "kb_per_connection_marginal": round((full - middle) / KB / second, 1) if second else None,
        "kb_per_connection_total": round((full - fresh) / KB / connected, 1) if connected else None,
        "machine_load": f"load average {os.getloadavg()[0]:.1f}",
    }
    if errors:
        figures["errors"] = errors
    return figures
