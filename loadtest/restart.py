"""The `restart` scenario: every user signed in on the first of the started processes, which is then
stopped (SIGTERM) as in a rolling restart; each client reconnects as soon as its connection closes
(as the SAMA SDK does) to the next process, and signs in again.

It reports when the stopped process's closes came (from the signal), how long each reconnection
took from its close to its sign-in's answer, how many were under way at once, and when the last
client was back: what SHUTDOWN_CLOSE_RATE changes (`--server-env SHUTDOWN_CLOSE_RATE=0` closes
every connection at once).
"""

import asyncio
import signal
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import uvloop
from django.conf import settings

from loadtest.clients import CLIENTS, LoadClient, UserSpec
from loadtest.runner import Options, Target
from loadtest.stats import Ledger, percentile

# How long a run waits, from the signal, for every client to have reconnected (well past the
# stopped process's drain and the clients' own timeouts); those not back by then are counted.
BACK_WITHIN_S = 90.0


def run_restart(options: Options, target: Target, users: list[UserSpec], in_flight: int) -> dict[str, Any]:
    """Sign every user in on the first process (at most `in_flight` at once), stop it, and report
    the reconnections to the second."""
    group = target.group
    if group is None or len(group.urls) < 2:
        raise ValueError("restart needs two or more started processes (--servers 2, no --url)")
    first, following = group.urls[0], group.urls[1]
    on_first = [replace(spec, url=first) for spec in users]

    def stop_first() -> None:
        group.processes[0].send_signal(signal.SIGTERM)

    figures = uvloop.run(_restart(options, on_first, following, in_flight, stop_first))
    close_rate = group.env.get("SHUTDOWN_CLOSE_RATE", settings.SHUTDOWN_CLOSE_RATE)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "protocol": options.protocol,
        "users": len(users),
        "shutdown_close_rate": float(close_rate),
        **figures,
    }


async def _restart(
    options: Options, users: list[UserSpec], following: str, in_flight: int, stop_first: Any
) -> dict[str, Any]:
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
                errors[f"before the restart: {type(error).__name__}: {str(error)[:80]}"] += 1
                await client.close()
            else:
                signed_in.append(client)

    await asyncio.gather(*(sign_in_first() for _ in range(min(in_flight, len(users)))))
    closes: list[float] = []
    reconnects: list[float] = []
    back: list[float] = []
    again: list[LoadClient] = []
    under_way = [0, 0]  # now, most
    signalled = time.monotonic()

    async def follow(client: LoadClient) -> None:
        await client.closed.wait()
        closed = time.monotonic()
        closes.append(closed - signalled)
        under_way[0] += 1
        under_way[1] = max(under_way)
        reconnecting = make(replace(client.user, url=following), ledger, timeout=options.timeout)
        again.append(reconnecting)
        try:
            await reconnecting.open()
            await reconnecting.sign_in()
        except Exception as error:  # counted, never fatal
            errors[f"reconnecting: {type(error).__name__}: {str(error)[:80]}"] += 1
        else:
            now = time.monotonic()
            reconnects.append((now - closed) * 1000)
            back.append(now - signalled)
        finally:
            under_way[0] -= 1

    following_all = asyncio.gather(*(follow(client) for client in signed_in))
    stop_first()
    try:
        await asyncio.wait_for(following_all, BACK_WITHIN_S)
    except TimeoutError:
        errors["not closed by the stopped process in time"] += len(signed_in) - len(closes)
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
