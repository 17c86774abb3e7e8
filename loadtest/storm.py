"""The `storm` scenario: every user signs in at once, as after a restart, with at most `in_flight`
sign-ins under way; how fast the servers answer, and whether the kernel dropped connections.

With a `rate`, sign-ins start at that rate whatever is under way instead (an open loop, as the
clients of a restarted server arrive on their own clocks): the closed loop's one pool of workers
over processes taken in turn lets a process that falls behind keep the workers waiting on it, so
its figure is the slower process's, where the open loop's is each process's own.

Each sign-in is timed from the TCP connect to the sign-in's answer (SAMA `connect {token}`,
Hooligram's sign-in with a verified code, ...: the protocol client's own `open` and `sign_in`).
Connections stay open until every user has signed in, as the clients of a restarted server do.
The kernel's `ListenOverflows` counter (connections dropped because a listen queue was full) is
read before and after from /proc/net/netstat.
"""

import asyncio
import gc
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psutil
import uvloop

from loadtest import profile
from loadtest.clients import CLIENTS, LoadClient, UserSpec
from loadtest.monitor import Monitor, root_processes_named
from loadtest.runner import Options, Target
from loadtest.stats import Ledger, cpu_ms_per_operation, percentile

# The monitor's figures a storm reports.
RESOURCES = ("server_", "postgres_cpu", "redis_cpu", "machine_")


def listen_overflows() -> int | None:
    """The kernel's count of connections dropped on a full listen queue (None where unreadable)."""
    try:
        with open("/proc/net/netstat") as netstat:
            lines = netstat.read().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            fields = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(fields.get("ListenOverflows", 0))
    return None


async def _storm(
    options: Options,
    users: list[UserSpec],
    in_flight: int,
    rate: float | None,
    signed_in: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Sign every user in, at most `in_flight` at once or, with a `rate`, starting `rate` a second;
    `signed_in` (the resources used) is called once every sign-in has ended, before the
    connections close."""
    ledger = Ledger()
    clients: list[LoadClient] = []
    times_ms: list[float] = []
    by_server: dict[str, list[float]] = {spec.url: [] for spec in users}
    errors: Counter[str] = Counter()
    under_way = [0, 0]  # now, most

    async def sign_in(spec: UserSpec) -> None:
        client = CLIENTS[options.protocol](spec, ledger, timeout=options.timeout)
        started = time.monotonic()
        under_way[0] += 1
        under_way[1] = max(under_way)
        try:
            await client.open()
            await client.sign_in()
        except Exception as error:  # counted, never fatal
            errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
            await client.close()
            return
        finally:
            under_way[0] -= 1
        times_ms.append((time.monotonic() - started) * 1000)
        by_server[spec.url].append(times_ms[-1])
        clients.append(client)

    # `in_flight` workers, each signing in the next user as soon as its last sign-in ended: users
    # start in order, at most `in_flight` at once. (A task per user behind a semaphore did the same,
    # but Python 3.11's semaphore looks through its waiters at each release: 670,000 checks in a
    # storm of 5,000, 7 % of the generator's CPU time.)
    queue = iter(users)

    async def worker() -> None:
        for spec in queue:
            await sign_in(spec)

    interval = 1 / rate if rate else 0.0

    async def at_its_time(index: int, spec: UserSpec) -> None:
        await asyncio.sleep(began + index * interval - time.monotonic())
        await sign_in(spec)

    began = time.monotonic()
    if rate:
        await asyncio.gather(*(at_its_time(index, spec) for index, spec in enumerate(users)))
    else:
        await asyncio.gather(*(worker() for _ in range(min(in_flight, len(users)))))
    elapsed = time.monotonic() - began
    resources = signed_in()
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    times_ms.sort()
    figures: dict[str, Any] = {
        "signed_in": len(times_ms),
        "failed": len(users) - len(times_ms),
        "storm_s": round(elapsed, 2),
        "sign_ins_per_s": round(len(times_ms) / elapsed, 1) if elapsed else None,
        "most_under_way": under_way[1],
    }
    for name, q in (("p50_ms", 0.5), ("p99_ms", 0.99), ("max_ms", 1.0)):
        figures[name] = round(percentile(times_ms, q), 1) if times_ms else None
    # The slowest answers of a storm came from one process at a time: each server's own p50, p99.
    for name, q in (("p50_ms_by_server", 0.5), ("p99_ms_by_server", 0.99)):
        figures[name] = [round(percentile(sorted(times), q), 1) for times in by_server.values()]
    figures.update(resources)
    if errors:
        figures["errors"] = [f"{count} x {reason}" for reason, count in errors.most_common(5)]
    return figures


def _own_cpu_seconds() -> float:
    """This process's CPU seconds, without its children (the servers it started)."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def run_storm(
    options: Options, target: Target, users: list[UserSpec], in_flight: int, rate: float | None = None
) -> dict[str, Any]:
    """Sign every user in at once (at most `in_flight` under way, or `rate` starting a second) and
    report rate, latency, drops."""
    servers = target.server_processes()
    monitor = Monitor(
        {
            "server": servers,
            "postgres": root_processes_named("postgres", "postmaster"),
            "redis": root_processes_named("redis-server"),
        }
    )
    recorders = []
    if options.profile:  # until every sign-in has ended (at most as long as 200 a second would take)
        seconds = max(2.0, len(users) / 200)
        recorders = profile.start_recording([p.pid for p in servers], seconds, options.log_dir, mode=options.profile)
    overflows_before = listen_overflows()
    monitor.start()
    generator_before, began = _own_cpu_seconds(), time.monotonic()  # the clients run in this process

    def signed_in() -> dict[str, Any]:
        generator_pct = 100 * (_own_cpu_seconds() - generator_before) / (time.monotonic() - began)
        resources = {k: v for k, v in monitor.stop().items() if k.startswith(RESOURCES)}
        profile.stop_recording(recorders)  # the closing connections are not the storm's
        return {**resources, "generator_cpu_pct": round(generator_pct, 1)}

    # No collection while the clients run: this process holds Django and all it loaded, and its full
    # collections (8 in a storm of 5,000) took 2.6 s of a 7 s storm, each stopping every client and
    # its timing. A storm is short, and reference counting frees nearly all of its garbage.
    # Both are left as the caller had them (a test session calls the command in its own process):
    # no call releases only what one freeze froze, so what a caller froze stays frozen with ours.
    collecting, caller_froze = gc.isenabled(), gc.get_freeze_count() > 0
    gc.freeze()
    gc.disable()
    try:
        figures = uvloop.run(_storm(options, users, in_flight, rate, signed_in))
    finally:
        if collecting:
            gc.enable()
        if not caller_froze:
            gc.unfreeze()
    overflows_after = listen_overflows()
    if recorders:
        profile.finish_recording(recorders)
        summary = options.log_dir / "profile-storm.txt"
        summary.write_text(
            profile.summarize(sorted(options.log_dir.glob("profile-*[0-9].txt")), gil=profile.gil_only(options.profile))
        )
        figures["profile"] = str(summary)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "protocol": options.protocol,
        "users": len(users),
        "in_flight": None if rate else in_flight,
        "rate": rate,
        "servers": len(target.urls),
        "listen_overflows": None
        if overflows_before is None or overflows_after is None
        else overflows_after - overflows_before,
        **figures,
        **cpu_ms_per_operation(figures, "sign_ins_per_s", "server", "postgres"),
        "machine_load": f"load average {os.getloadavg()[0]:.1f}",
    }
