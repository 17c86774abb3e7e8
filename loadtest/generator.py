"""One generator process: connects its share of the users, runs their groups, reports to the parent.

The parent (the management command) starts several of these with `multiprocessing` (spawn), gives
each whole groups (so a send and its deliveries are matched in one process) and a shared timeline
in wall-clock seconds, then tells them when the steady phase starts and ends over a queue.
"""

import asyncio
import contextlib
import gc
import math
import queue
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any

import uvloop

from loadtest.clients import CLIENTS, ClientError, LoadClient, UserSpec
from loadtest.stats import Ledger, make_body, percentile

# Allocations between young-generation collections, as in the servers (config/server.py).
GC_GEN0_THRESHOLD = 50_000

# Every group a run makes is named so: the next run takes its users out of them (provision).
GROUP_NAME_PREFIX = "loadtest "


@dataclass
class Plan:
    """What one generator process does; times are Unix seconds shared by every process."""

    worker: int
    run: str
    protocol: str
    groups: list[list[UserSpec]]
    total_users: int
    start_at: float
    ramp_rate: float
    period: float = 5.0
    send: bool = True
    register: bool = False
    timeout: float = 10.0
    hard_deadline: float = math.inf


@dataclass
class Window:
    """The steady phase, once the parent has announced it."""

    start: float = math.inf
    end: float = math.inf
    drain_until: float = math.inf
    stop: asyncio.Event = field(default_factory=asyncio.Event)


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to the hard limit; answers the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def sleep_until(moment: float) -> None:
    """Sleep until a Unix time (at once if it has passed)."""
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


class Worker:
    """The asyncio side of one generator process."""

    def __init__(self, plan: Plan, control: Queue, results: Queue) -> None:
        self.plan = plan
        self.control = control
        self.results = results
        self.ledger = Ledger()
        self.window = Window()
        self.clients: list[LoadClient] = []
        self.failed_users = 0
        self.groups_ready = 0
        self.lags_ms: list[float] = []
        self.senders: list[asyncio.Task] = []
        self.errors: Counter[str] = Counter()
        self.reported: Counter[str] = Counter()

    def note_error(self, error: Exception) -> None:
        """Count a failure by its kind and message, for the report."""
        self.errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1

    async def connect_one(self, spec: UserSpec) -> LoadClient | None:
        """Open and sign in one user at its place in the ramp; None when that fails."""
        await sleep_until(self.plan.start_at + spec.index / self.plan.ramp_rate)
        client = CLIENTS[self.plan.protocol](spec, self.ledger, timeout=self.plan.timeout)
        try:
            await client.open()
            if self.plan.register:
                await client.register()
            await client.sign_in()
        except Exception as error:  # any failure to sign in is counted, never fatal
            self.note_error(error)
            await client.close()
            return None
        self.clients.append(client)
        return client

    async def run_group(self, number: int, specs: list[UserSpec]) -> None:
        """Sign in the group's users, create the group and start their senders."""
        connected = await asyncio.gather(*(self.connect_one(s) for s in specs))
        members = [m for m in connected if m is not None]
        if len(members) < len(connected):
            self.failed_users += len(connected) - len(members)
            return
        if not self.plan.send:
            self.groups_ready += 1
            return
        try:
            group_id = await members[0].create_group(members, f"{GROUP_NAME_PREFIX}{self.plan.worker}.{number}")
        except Exception as error:
            self.note_error(error)
            self.failed_users += len(members)
            return
        self.groups_ready += 1
        for member in members:
            self.senders.append(asyncio.create_task(self.sender(member, group_id, len(members) - 1)))

    async def sender(self, client: LoadClient, group_id: str, expected: int) -> None:
        """Send every `period` seconds at this user's even share of the period, until the steady phase ends."""
        plan, index = self.plan, client.user.index
        moment = plan.start_at + (index / plan.total_users) * plan.period
        while moment < time.time():
            moment += plan.period
        sequence = 0
        while moment < min(self.window.end, plan.hard_deadline) and not self.window.stop.is_set():
            await sleep_until(moment)
            if moment >= self.window.end or client.closed.is_set():
                break
            send_id = f"{plan.run}.{plan.worker}.{index}.{sequence}"
            now = time.time()
            measured = self.window.start <= moment < self.window.end
            if measured:
                self.lags_ms.append((now - moment) * 1000)
            self.ledger.sent(send_id, now, expected, measured)
            try:
                await client.send_message(group_id, send_id, make_body(send_id, now))
            except ClientError:
                self.ledger.failed(send_id)
            moment += plan.period
            sequence += 1

    async def listen(self) -> None:
        """Apply the parent's control messages: ("steady", start, end, drain_until) or ("stop",)."""
        loop = asyncio.get_running_loop()
        while not self.window.stop.is_set():
            try:
                message = await loop.run_in_executor(None, self.control.get, True, 0.5)
            except queue.Empty:
                if time.time() > self.plan.hard_deadline:
                    self.window.stop.set()
                continue
            if message[0] == "steady":
                self.window.start, self.window.end, self.window.drain_until = message[1:4]
            else:
                self.window.stop.set()

    async def run(self) -> None:
        """Ramp up, report ready, run until drained (or stopped), report, close."""
        listener = asyncio.create_task(self.listen())
        await asyncio.gather(*(self.run_group(n, specs) for n, specs in enumerate(self.plan.groups)))
        # The clients live until the run ends: out of the collector's sight, a full collection
        # does not stop every client of this process (which would show as the server's latency).
        gc.freeze()
        connected = sum(1 for c in self.clients if not c.closed.is_set())
        for client in self.clients:
            if client.closed.is_set():
                self.errors[f"socket {client.close_reason} before the steady phase"] += 1
        errors = dict(self.errors.most_common(5))
        self.reported = Counter(self.errors)
        self.results.put(("ready", self.plan.worker, connected, self.failed_users, self.groups_ready, errors))
        if self.plan.send:
            await self.until_drained()
        else:
            await self.until_stopped()
        extra = self.extra()
        self.results.put(("done", self.plan.worker, self.ledger.result() if self.plan.send else None, extra))
        self.window.stop.set()
        for task in self.senders:
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True), 30)
        listener.cancel()

    async def until_drained(self) -> None:
        """Wait for the steady phase to end and its deliveries to arrive (or the drain time to pass)."""
        while not self.window.stop.is_set() and time.time() < self.plan.hard_deadline:
            now = time.time()
            if now >= self.window.drain_until or (now >= self.window.end and self.ledger.pending() == 0):
                return
            await asyncio.sleep(0.25)

    async def until_stopped(self) -> None:
        """Hold the connections open until the parent says stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.window.stop.wait(), max(0.0, self.plan.hard_deadline - time.time()))

    def extra(self) -> dict[str, Any]:
        """Figures beyond the ledger: open sockets, send lag, errors since ready."""
        lags = sorted(self.lags_ms)
        for client in self.clients:
            if client.closed.is_set():
                self.errors[f"socket {client.close_reason} by the end"] += 1
        return {
            "connected_at_end": sum(1 for c in self.clients if not c.closed.is_set()),
            "send_lag_p99_ms": round(percentile(lags, 0.99), 1),
            "errors": dict((self.errors - self.reported).most_common(5)),
        }


def worker_main(plan: Plan, control: Queue, results: Queue) -> None:
    """Entry point of a generator process."""
    raise_fd_limit()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    try:
        uvloop.run(Worker(plan, control, results).run())  # the servers' loop: less CPU per frame
    except Exception as error:  # report, so the parent does not wait for nothing
        results.put(("error", plan.worker, repr(error), {}))
