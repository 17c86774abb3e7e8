"""The parent's side of the generator processes: start them, talk to them, stop them."""

import multiprocessing
import queue
import time
from typing import Any

import psutil

from loadtest.clients import UserSpec
from loadtest.generator import Plan, worker_main


def split_groups(users: list[UserSpec], group_size: int) -> list[list[UserSpec]]:
    """Consecutive users in groups of `group_size` (a smaller last group is dropped: it would skew the fan-out)."""
    groups = [users[i : i + group_size] for i in range(0, len(users), group_size)]
    return [g for g in groups if len(g) == group_size]


def deal(groups: list[list[UserSpec]], workers: int) -> list[list[list[UserSpec]]]:
    """Groups dealt round-robin to the generator processes, so each ramps up evenly."""
    return [groups[n::workers] for n in range(workers)]


class WorkerPool:
    """Generator processes (spawned, so none inherits Django's state), each with a control queue."""

    def __init__(self, plans: list[Plan]) -> None:
        context = multiprocessing.get_context("spawn")
        self.plans = plans
        self.results = context.Queue()
        self.controls = [context.Queue() for _ in plans]
        self.processes = [
            context.Process(target=worker_main, args=(plan, control, self.results), daemon=True)
            for plan, control in zip(plans, self.controls, strict=True)
        ]
        self.errors: list[str] = []

    def start(self) -> None:
        """Start every generator process."""
        for process in self.processes:
            process.start()

    def psutil_processes(self) -> list[psutil.Process]:
        """The generator processes still running."""
        return [psutil.Process(p.pid) for p in self.processes if p.pid and p.is_alive()]

    def collect(self, kind: str, deadline: float, on_wait: Any = None) -> dict[int, tuple]:
        """Wait for one `kind` message from every worker (a worker that fails counts as answered)."""
        answers: dict[int, tuple] = {}
        waiting = {plan.worker for plan in self.plans}
        while waiting and time.time() < deadline:
            try:
                message = self.results.get(timeout=0.5)
            except queue.Empty:
                if on_wait is not None:
                    on_wait()
                if not any(p.is_alive() for p in self.processes):
                    break
                continue
            if message[0] == "error":
                self.errors.append(f"generator {message[1]}: {message[2]}")
                waiting.discard(message[1])
            elif message[0] == kind:
                answers[message[1]] = message[2:]
                waiting.discard(message[1])
        if waiting:
            self.errors.append(f"no {kind!r} from generators {sorted(waiting)} in time")
        return answers

    def broadcast(self, message: tuple) -> None:
        """Send a control message to every generator."""
        for control in self.controls:
            control.put(message)

    def stop(self, timeout: float = 40.0) -> None:
        """Ask every worker to stop, wait for them, and terminate those still running."""
        self.broadcast(("stop",))
        deadline = time.time() + timeout
        for process in self.processes:
            process.join(max(0.1, deadline - time.time()))
        for process in self.processes:
            if process.is_alive():
                process.terminate()
                process.join(5)
        for q in (self.results, *self.controls):
            q.cancel_join_thread()
            q.close()
