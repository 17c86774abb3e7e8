"""CPU and memory of the processes that take part in a run, measured with psutil."""

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from psutil._ntuples import scputimes  # the machine's CPU times; its fields vary by platform

MB = 1024 * 1024


def root_processes_named(*names: str) -> list[psutil.Process]:
    """The processes named one of `names` whose parent is not (the PostgreSQL postmaster, redis-server)."""
    roots = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] not in names:
            continue
        try:
            parent = process.parent()
        except psutil.Error:
            continue
        if parent is None or parent.name() not in names:
            roots.append(process)
    return roots


def tree_cpu_seconds(root: psutil.Process) -> float:
    """CPU seconds used by a process and all its children so far, reaped ones included.

    A PostgreSQL backend that lives for one connection is counted too: once it exits, its time
    moves into the postmaster's children times."""
    try:
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        children = root.children(recursive=True)
    except psutil.Error:
        return 0.0
    for child in children:
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        if process.is_running():
            seconds[process.pid] = tree_cpu_seconds(process)
    return seconds


def _cores() -> int:
    return psutil.cpu_count() or 1  # None only where psutil cannot tell


def _busy_and_total(times: "scputimes") -> tuple[float, float]:
    total = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    return total - times.idle - getattr(times, "iowait", 0.0), total


def rss_bytes(processes: list[psutil.Process]) -> int:
    """The summed resident memory of the processes still alive (without their children)."""
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


@dataclass
class Monitor:
    """CPU % (100 = one core busy) of named process sets between `start` and `stop`, and their peak RSS."""

    sets: dict[str, list[psutil.Process]]
    started_at: float = 0.0
    cpu_start: dict[str, dict[int, float]] = field(default_factory=dict)
    machine_start: "scputimes | None" = None
    peak_rss: dict[str, int] = field(default_factory=dict)
    last_machine: "scputimes | None" = None
    last_sampled_at: float = 0.0
    steal_by_second: dict[int, float] = field(default_factory=dict)

    def start(self) -> None:
        """Take the starting CPU times."""
        self.started_at = self.last_sampled_at = time.monotonic()
        self.cpu_start = {name: _cpu_seconds(procs) for name, procs in self.sets.items()}
        self.machine_start = self.last_machine = psutil.cpu_times()
        self.sample()

    def pids(self, name: str) -> list[int]:
        """The pids of one measured set."""
        return [p.pid for p in self.sets.get(name, [])]

    def sample(self) -> None:
        """Record the current RSS of every set (keeping the peak)."""
        for name, procs in self.sets.items():
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss_bytes(procs))
        now, sampled_at = psutil.cpu_times(), time.monotonic()
        if self.last_machine is not None:
            steal = steal_pct(self.last_machine, now)
            if steal:  # keyed by the second the interval began, as `slow_seconds` by the send's
                self.steal_by_second[int(self.last_sampled_at - self.started_at)] = steal
        self.last_machine, self.last_sampled_at = now, sampled_at

    def stop(self) -> dict[str, Any]:
        """Figures since `start`: `<set>_cpu_pct` (and `<set>_cpu_max_pct`, its busiest process's),
        `<set>_rss_mb` (peak), and the whole machine's busy CPU %."""
        self.sample()
        elapsed = max(1e-6, time.monotonic() - self.started_at)
        assert self.machine_start is not None, "start() comes first"
        figures: dict[str, Any] = {}
        for name, procs in self.sets.items():
            before, after = self.cpu_start.get(name, {}), _cpu_seconds(procs)
            used = {pid: after[pid] - before[pid] for pid in after if pid in before}
            figures[f"{name}_cpu_pct"] = round(100 * sum(used.values()) / elapsed, 1)
            if len(used) > 1:  # the busiest process: at 100 its event loop is saturated, whatever the sum
                figures[f"{name}_cpu_max_pct"] = round(100 * max(used.values()) / elapsed, 1)
                # the idlest: with --loaded-servers, what a process serving nobody costs
                figures[f"{name}_cpu_min_pct"] = round(100 * min(used.values()) / elapsed, 1)
            figures[f"{name}_rss_mb"] = round(self.peak_rss.get(name, 0) / MB, 1)
        busy_end, total_end = _busy_and_total(psutil.cpu_times())
        busy_start, total_start = _busy_and_total(self.machine_start)
        total = total_end - total_start
        busy = busy_end - busy_start
        figures["machine_cpu_pct"] = round(100 * _cores() * busy / total, 1) if total else 0.0
        # On a virtual machine, time the host gave to others (part of machine_cpu_pct): a run that
        # lost much of it measured a smaller machine, and a second that lost much of it stalled.
        figures["machine_steal_pct"] = steal_pct(self.machine_start, psutil.cpu_times())
        worst = sorted(self.steal_by_second.items(), key=lambda item: -item[1])[:5]
        figures["steal_seconds"] = {f"+{second}s": pct for second, pct in worst}
        return figures


def steal_pct(before: "scputimes", after: "scputimes") -> float:
    """The machine's CPU % (100 = one core) stolen by the host between two `psutil.cpu_times()`."""
    total = _busy_and_total(after)[1] - _busy_and_total(before)[1]
    steal = getattr(after, "steal", 0.0) - getattr(before, "steal", 0.0)
    return round(100 * _cores() * steal / total, 1) if total else 0.0
