"""The `groups` and `max` scenarios: users in groups of 4, each sending every P seconds, matched deliveries."""

import platform
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from loadtest import profile
from loadtest.clients import UserSpec
from loadtest.generator import Plan
from loadtest.monitor import Monitor, root_processes_named
from loadtest.servers import ServerGroup, listening_processes
from loadtest.stats import GroupsResult, cpu_ms_per_operation
from loadtest.workers import WorkerPool, deal, split_groups

# Seconds between starting the generator processes and their first connection (they import first).
START_LEAD = 1.5


@dataclass
class Options:
    """Everything a run is told; the command fills it from its arguments."""

    protocol: str = "sama"
    users: int = 100
    period: float = 5.0
    ramp: float = 100.0
    duration: float = 60.0
    settle: float = 2.0
    drain: float = 10.0
    group_size: int = 4
    generators: int = 1
    timeout: float = 10.0
    urls: list[str] = field(default_factory=list)
    servers: int = 1
    provision: str = "db"
    auth: str = "token"
    prefix: str = "lt"
    password: str = "loadtest-pass"
    device_id: str = "loadtest"
    log_dir: Path = Path("artifacts/loadtest")
    profile: str = ""  # "" or one of profile.MODES


@dataclass
class Target:
    """Where the generators connect, and which processes to measure as "the server"."""

    urls: list[str]
    group: ServerGroup | None = None
    # Processes that get one user each and no more (--loaded-servers): nearly idle, as a process
    # of a large deployment is to most of its events.
    sparse_urls: list[str] = field(default_factory=list)

    def server_processes(self) -> list[psutil.Process]:
        """The started processes, or those listening on the target URLs."""
        if self.group is not None:
            return self.group.psutil_processes()
        found: dict[int, psutil.Process] = {}
        for url in self.urls:
            found.update({p.pid: p for p in listening_processes(url)})
        return list(found.values())


def machine_description() -> str:
    """Cores, memory and CPU model of this machine, for the results table."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = psutil.virtual_memory().total / 2**30
    return f"{psutil.cpu_count()} cores, {memory:.0f} GiB, {model}"


def user_specs(
    options: Options, target: Target, count: int, provisioned: list[dict[str, Any]] | None
) -> list[UserSpec]:
    """The users of a run, spread round-robin over the target's URLs (as a load balancer would),
    but for one each on its sparse URLs first."""
    specs = []
    for n in range(count):
        sparse = len(target.sparse_urls)
        url = target.sparse_urls[n] if n < sparse else target.urls[(n - sparse) % len(target.urls)]
        account = dict(provisioned[n]) if provisioned is not None else {"login": f"{options.prefix}{n:06d}"}
        if options.auth != "token":
            account.pop("token", None)
        specs.append(UserSpec(index=n, password=options.password, url=url, device_id=options.device_id, **account))
    return specs


def make_plans(options: Options, users: list[UserSpec], *, start_at: float, send: bool, group_size: int) -> list[Plan]:
    """Split the users' groups among the generator processes, on one shared timeline."""
    groups = split_groups(users, group_size)
    ramp_time = len(users) / options.ramp
    hard_deadline = start_at + ramp_time + 4 * options.timeout + options.settle + options.duration + options.drain + 60
    workers = max(1, min(options.generators, len(groups)))
    run = secrets.token_hex(3)
    return [
        Plan(
            worker=n,
            run=run,
            protocol=options.protocol,
            groups=share,
            total_users=len(users),
            start_at=start_at,
            ramp_rate=options.ramp,
            period=options.period,
            send=send,
            register=options.provision == "protocol",
            timeout=options.timeout,
            hard_deadline=hard_deadline if send else start_at + ramp_time + 4 * options.timeout + 3600,
        )
        for n, share in enumerate(deal(groups, workers))
    ]


def measured_sets(target: Target, pool: WorkerPool) -> dict[str, list[psutil.Process]]:
    """The processes whose CPU and memory a run reports, by role."""
    return {
        "server": target.server_processes(),
        "generator": pool.psutil_processes(),
        "postgres": root_processes_named("postgres", "postmaster"),
        "redis": root_processes_named("redis-server"),
    }


# Called with a run's users before it starts: the command takes them out of earlier runs' groups.
BeforeRun = Callable[[list[UserSpec]], None]


def run_groups(
    options: Options, target: Target, users: list[UserSpec], before: BeforeRun | None = None
) -> dict[str, Any]:
    """One `groups` run: ramp up, steady phase, drain; answers the reported figures.

    U is rounded down to whole groups."""
    users = users[: len(users) - len(users) % options.group_size]
    if before is not None:
        before(users)
    start_at = time.time() + START_LEAD
    plans = make_plans(options, users, start_at=start_at, send=True, group_size=options.group_size)
    pool = WorkerPool(plans)
    pool.start()
    try:
        ramp_end = start_at + len(users) / options.ramp
        ready = pool.collect("ready", ramp_end + 4 * options.timeout + 30)
        steady_start = max(time.time() + 1.0, ramp_end) + options.settle
        steady_end = steady_start + options.duration
        pool.broadcast(("steady", steady_start, steady_end, steady_end + options.drain))
        time.sleep(max(0.0, steady_start - time.time()))
        monitor = Monitor(measured_sets(target, pool))
        monitor.start()
        recorders = []
        if options.profile:
            pids, seconds = monitor.pids("server"), options.duration
            recorders = profile.start_recording(pids, seconds, options.log_dir, mode=options.profile)
        while time.time() < steady_end:
            time.sleep(min(1.0, max(0.0, steady_end - time.time())))
            monitor.sample()
        resources = monitor.stop()
        if recorders:
            profile.finish_recording(recorders)
            summary = options.log_dir / f"profile-{len(users)}-users.txt"
            raw = sorted(options.log_dir.glob("profile-*[0-9].txt"))
            summary.write_text(profile.summarize(raw, gil=profile.gil_only(options.profile)))
            resources["profile"] = str(summary)
        done = pool.collect("done", steady_end + options.drain + 30)
    finally:
        pool.stop()
    merged = GroupsResult()
    extras: list[dict] = []
    for result, extra in done.values():
        if result is not None:
            merged.merge(result)
        extras.append(extra)
    errors: dict[str, int] = {}
    for extra in [*extras, *({"errors": answer[3]} for answer in ready.values())]:
        for key, count in extra.get("errors", {}).items():
            errors[key] = errors.get(key, 0) + count
    connected = sum(answer[0] for answer in ready.values())
    # A user counts as failed when its socket closed before the steady phase or its group was
    # not made (it then never sends, and its deliveries are not expected).
    started = sum(answer[2] for answer in ready.values()) * options.group_size
    outcome = merged.summary(options.duration, steady_start)
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "protocol": options.protocol,
        "users": len(users),
        "connected": connected,
        "users_failed": len(users) - min(connected, started),
        "servers": len(target.group.urls) if target.group is not None else len(target.urls),
        "loaded_servers": len(target.urls) if target.sparse_urls else None,
        "generators": len(plans),
        "period_s": options.period,
        "steady_s": options.duration,
        **outcome,
        **resources,
        **cpu_ms_per_operation({**outcome, **resources}, "sends_per_s", "server", "postgres"),
        "send_lag_p99_ms": max((e.get("send_lag_p99_ms", 0.0) for e in extras), default=0.0),
        "connected_at_end": sum(e.get("connected_at_end", 0) for e in extras),
    }
    if errors or pool.errors:
        figures["errors"] = {**errors, **{e: 1 for e in pool.errors}}
    return figures


def passes(figures: dict[str, Any], p99_ms: float) -> bool:
    """The `max` criterion: p99 under the bound, nothing lost, no send or sign-in failed."""
    return (
        figures["p99_ms"] < p99_ms
        and figures["deliveries_lost"] == 0
        and figures["sends_failed"] == 0
        and figures["users_failed"] == 0
        and figures["sends"] > 0
    )


def run_max(
    options: Options,
    target: Target,
    users: list[UserSpec],
    *,
    start: int,
    step: int,
    p99_ms: float,
    report: Any,
    before: BeforeRun | None = None,
) -> dict[str, Any]:
    """Raise U by `step` from `start` until a run fails the criterion; answers the largest U that passed."""
    best: dict[str, Any] | None = None
    steps = []
    count = start
    while count <= len(users):
        figures = run_groups(options, target, users[:count], before)
        figures["passed"] = passes(figures, p99_ms)
        steps.append(figures)
        report(figures)
        if not figures["passed"]:
            break
        best = figures
        count += step
        time.sleep(options.settle)
    return {"max_users": best["users"] if best else 0, "p99_bound_ms": p99_ms, "best": best, "steps": steps}
