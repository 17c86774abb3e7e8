"""The `restart` and `resync` scenarios: every client reconnects as soon as its connection closes
(as the SAMA SDK does), and signs in again.

- `restart`: every user signed in on the first of the started processes, which is then stopped
  (SIGTERM) as in a rolling restart; the clients reconnect to the next process. What
  SHUTDOWN_CLOSE_RATE changes (`--server-env SHUTDOWN_CLOSE_RATE=0` closes every connection at
  once).
- `resync`: the users spread over the started processes, whose routes Redis then loses (their
  marks are deleted, as a Redis restart loses them); each process closes its connections with
  1012, RESYNC_CLOSE_RATE a second, and the clients reconnect to the same process, as through a
  load balancer that keeps them there.

Each reports when the closes came (from the stop, or the loss), how long each reconnection took
from its close to its sign-in's answer, how many were under way at once, and when the last client
was back.
"""

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import redis
import uvloop
from django.conf import settings

from loadtest.clients import CLIENTS, LoadClient, UserSpec
from loadtest.runner import Options, Target
from loadtest.servers import ServerGroup
from loadtest.stats import Ledger, percentile

# How long a run waits, from the stop or the loss, for every client to have reconnected (well past
# the stopped process's drain and the clients' own timeouts); those not back by then are counted.
BACK_WITHIN_S = 90.0


def run_restart(options: Options, target: Target, users: list[UserSpec], in_flight: int) -> dict[str, Any]:
    """Sign every user in on the first process (at most `in_flight` at once), stop it, and report
    the reconnections to the second."""
    group = _started(target, "restart", at_least=2)
    first, following = group.urls[0], group.urls[1]
    on_first = [replace(spec, url=first) for spec in users]

    def stop_first() -> None:
        group.processes[0].send_signal(signal.SIGTERM)

    figures = uvloop.run(_reconnections(options, on_first, lambda _: following, in_flight, stop_first))
    return _described(options, users, "SHUTDOWN_CLOSE_RATE", group, figures)


def run_resync(options: Options, target: Target, users: list[UserSpec], in_flight: int) -> dict[str, Any]:
    """Sign every user in (at most `in_flight` at once), have Redis lose the processes' routes, and
    report the reconnections, each to the process the client was on."""
    group = _started(target, "resync", at_least=1)
    prefix = group.env["CHANNEL_LAYER_PREFIX"]

    def lose_routes() -> None:
        client = redis.Redis.from_url(group.env["REDIS_URL"])
        try:
            marks = list(client.scan_iter(match=f"{prefix}*:routed", count=1000))
            if not marks:
                raise RuntimeError("no process's routes are marked in Redis")
            client.delete(*marks)
        finally:
            client.close()

    figures = uvloop.run(_reconnections(options, users, lambda spec: spec.url, in_flight, lose_routes))
    return _described(options, users, "RESYNC_CLOSE_RATE", group, figures)


def _started(target: Target, mode: str, *, at_least: int) -> ServerGroup:
    group = target.group
    if group is None or len(group.urls) < at_least or "REDIS_URL" not in group.env:
        raise ValueError(f"{mode} needs {at_least} or more started processes and Redis (--servers, no --url)")
    return group


def _described(
    options: Options, users: list[UserSpec], rate_setting: str, group: ServerGroup, figures: dict[str, Any]
) -> dict[str, Any]:
    close_rate = group.env.get(rate_setting, getattr(settings, rate_setting))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "protocol": options.protocol,
        "users": len(users),
        "close_rate": float(close_rate),
        **figures,
    }


async def _reconnections(
    options: Options,
    users: list[UserSpec],
    reconnect_to: Callable[[UserSpec], str],
    in_flight: int,
    trigger: Callable[[], None],
) -> dict[str, Any]:
    """Sign the users in, call `trigger` (which closes their connections, in time), and follow each
    client as it reconnects (to `reconnect_to` its user) and signs in again."""
    ledger = Ledger()
    make = CLIENTS[options.protocol]
    errors: Counter[str] = Counter()
    signed_in: list[LoadClient] = []
    queue = iter(users)

    async def sign_in_first() -> None:
        for spec in queue:
            client = make(spec, ledger, timeout=options.timeout)
            try:
                await client.open()
                await client.sign_in()
            except Exception as error:  # counted, never fatal
                errors[f"before: {type(error).__name__}: {str(error)[:80]}"] += 1
                await client.close()
            else:
                signed_in.append(client)

    await asyncio.gather(*(sign_in_first() for _ in range(min(in_flight, len(users)))))
    closes: list[float] = []
    reconnects: list[float] = []
    back: list[float] = []
    again: list[LoadClient] = []
    under_way = [0, 0]  # now, most
    triggered = time.monotonic()

    async def follow(client: LoadClient) -> None:
        await client.closed.wait()
        closed = time.monotonic()
        closes.append(closed - triggered)
        under_way[0] += 1
        under_way[1] = max(under_way)
        reconnecting = make(replace(client.user, url=reconnect_to(client.user)), ledger, timeout=options.timeout)
        again.append(reconnecting)
        try:
            await reconnecting.open()
            await reconnecting.sign_in()
        except Exception as error:  # counted, never fatal
            errors[f"reconnecting: {type(error).__name__}: {str(error)[:80]}"] += 1
        else:
            now = time.monotonic()
            reconnects.append((now - closed) * 1000)
            back.append(now - triggered)
        finally:
            under_way[0] -= 1

    following_all = asyncio.gather(*(follow(client) for client in signed_in))
    trigger()
    try:
        await asyncio.wait_for(following_all, BACK_WITHIN_S)
    except TimeoutError:
        errors["not closed in time"] += len(signed_in) - len(closes)
    await asyncio.gather(*(client.close() for client in again), return_exceptions=True)
    reconnects.sort()
    closes.sort()
    figures: dict[str, Any] = {
        "signed_in_before": len(signed_in),
        "reconnected": len(reconnects),
        "failed": len(users) - len(reconnects),
        "first_close_s": round(closes[0], 2) if closes else None,
        "last_close_s": round(closes[-1], 2) if closes else None,
        "most_reconnecting": under_way[1],
        "reconnect_p50_ms": round(percentile(reconnects, 0.5), 1) if reconnects else None,
        "reconnect_p99_ms": round(percentile(reconnects, 0.99), 1) if reconnects else None,
        "reconnect_max_ms": round(reconnects[-1], 1) if reconnects else None,
        "all_back_s": round(max(back), 2) if back else None,
    }
    if errors:
        figures["errors"] = [f"{count} x {reason}" for reason, count in errors.most_common(5)]
    return figures
