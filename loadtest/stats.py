"""Matching deliveries to sends, and the figures a run reports."""

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

BODY_PREFIX = "lt"

# A delivery slower than this counts in its send's second of `slow_seconds`: a stall shows as a
# few full seconds, a queue that grows as a rising tail.
SLOW_MS = 100.0


def make_body(send_id: str, sent_at: float) -> str:
    """A message body that carries its send id and send time (Unix seconds)."""
    return f"{BODY_PREFIX}|{send_id}|{sent_at:.6f}"


def parse_body(body: object) -> tuple[str, float] | None:
    """(send id, send time) from a body made by `make_body`, or None for any other body."""
    if not isinstance(body, str):
        return None
    parts = body.split("|")
    if len(parts) != 3 or parts[0] != BODY_PREFIX:
        return None
    try:
        return parts[1], float(parts[2])
    except ValueError:
        return None


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(slots=True)
class SendRecord:
    """One message sent: when, how many deliveries it should get, and what came back."""

    sent_at: float
    expected: int
    measured: bool
    received: int = 0
    acked: bool = False
    failed: bool = False


@dataclass
class Ledger:
    """Sends and deliveries of one generator process; `measured` sends are those of the steady phase."""

    sends: dict[str, SendRecord] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    ack_latencies_ms: list[float] = field(default_factory=list)
    slow_by_second: Counter[int] = field(default_factory=Counter)
    duplicates: int = 0
    unknown: int = 0
    late: int = 0

    def sent(self, send_id: str, sent_at: float, expected: int, measured: bool) -> None:
        """Record a send and how many deliveries it should get."""
        self.sends[send_id] = SendRecord(sent_at, expected, measured)

    def acked(self, send_id: str, now: float | None = None) -> None:
        """Record the server's acknowledgement of a send."""
        record = self.sends.get(send_id)
        if record is None or record.acked:
            return
        record.acked = True
        if record.measured:
            self.ack_latencies_ms.append(((now or time.time()) - record.sent_at) * 1000)

    def failed(self, send_id: str) -> None:
        """Record a send the server refused."""
        record = self.sends.get(send_id)
        if record is not None:
            record.failed = True

    def delivered(self, body: object, now: float | None = None) -> None:
        """Match a delivered body to its send and record the latency."""
        parsed = parse_body(body)
        record = self.sends.get(parsed[0]) if parsed else None
        if record is None:
            self.unknown += 1
            return
        record.received += 1
        if record.received > record.expected:
            self.duplicates += 1
        elif record.measured:
            latency_ms = ((now or time.time()) - record.sent_at) * 1000
            self.latencies_ms.append(latency_ms)
            if latency_ms > SLOW_MS:
                self.slow_by_second[int(record.sent_at)] += 1

    def pending(self) -> int:
        """Deliveries and acknowledgements of measured sends still awaited."""
        return sum(
            max(0, r.expected - r.received) + (0 if r.acked or r.failed else 1)
            for r in self.sends.values()
            if r.measured
        )

    def result(self) -> "GroupsResult":
        """The outcome of the measured sends."""
        measured = [r for r in self.sends.values() if r.measured]
        return GroupsResult(
            sends=len(measured),
            sends_failed=sum(1 for r in measured if r.failed or not r.acked),
            expected=sum(r.expected for r in measured),
            delivered=sum(min(r.received, r.expected) for r in measured),
            duplicates=self.duplicates,
            unknown=self.unknown,
            latencies_ms=self.latencies_ms,
            ack_latencies_ms=self.ack_latencies_ms,
            slow_by_second=self.slow_by_second,
        )


@dataclass
class GroupsResult:
    """The raw outcome of the steady phase, from one generator process or merged from several."""

    sends: int = 0
    sends_failed: int = 0
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    unknown: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    ack_latencies_ms: list[float] = field(default_factory=list)
    slow_by_second: Counter[int] = field(default_factory=Counter)

    @property
    def lost(self) -> int:
        """Expected deliveries that did not arrive."""
        return self.expected - self.delivered

    def merge(self, other: "GroupsResult") -> None:
        """Add another process's outcome to this one."""
        for name in ("sends", "sends_failed", "expected", "delivered", "duplicates", "unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies_ms.extend(other.latencies_ms)
        self.ack_latencies_ms.extend(other.ack_latencies_ms)
        self.slow_by_second.update(other.slow_by_second)

    def summary(self, duration: float, start: float = 0.0) -> dict[str, Any]:
        """The reported figures for a steady phase of `duration` seconds that began at `start`."""
        ordered = sorted(self.latencies_ms)
        acks = sorted(self.ack_latencies_ms)
        return {
            "sends_per_s": round(self.sends / duration, 1) if duration else 0.0,
            "deliveries_per_s": round(self.delivered / duration, 1) if duration else 0.0,
            "sends": self.sends,
            "sends_failed": self.sends_failed,
            "deliveries": self.delivered,
            "deliveries_lost": self.lost,
            "duplicates": self.duplicates,
            "p50_ms": round(percentile(ordered, 0.50), 1),
            "p95_ms": round(percentile(ordered, 0.95), 1),
            "p99_ms": round(percentile(ordered, 0.99), 1),
            "max_ms": round(ordered[-1], 1) if ordered else 0.0,
            "ack_p50_ms": round(percentile(acks, 0.50), 1),
            "ack_p99_ms": round(percentile(acks, 0.99), 1),
            "slow_seconds": self.slow_seconds(start),
        }

    def slow_seconds(self, start: float, worst: int = 5) -> dict[str, int]:
        """The seconds of the steady phase (from its start) with the most deliveries over SLOW_MS."""
        offsets = ((int(second - start), count) for second, count in self.slow_by_second.items())
        return {f"+{offset}s": count for offset, count in sorted(offsets, key=lambda item: -item[1])[:worst]}


def cpu_ms_per_operation(figures: dict[str, Any], rate: str, *names: str) -> dict[str, float | None]:
    """Each named process set's CPU per operation, in ms of one core (`<name>_cpu_ms_per_<op>`):
    its `<name>_cpu_pct` over `rate`, the operations a second, both of the same window. Comparable
    between machines for the same scenario, where a rate also depends on what else shares the
    machine; it reads low when the servers fall behind (operations left unhandled in the window)."""
    operation = rate.removesuffix("s_per_s")  # sends_per_s: send; sign_ins_per_s: sign_in
    per_s = figures.get(rate) or 0.0
    return {
        f"{name}_cpu_ms_per_{operation}": round(10 * figures[f"{name}_cpu_pct"] / per_s, 2) if per_s else None
        for name in names
        if f"{name}_cpu_pct" in figures
    }


def format_report(title: str, figures: dict[str, Any]) -> str:
    """A plain two-column report of a run's figures."""
    width = max(len(k) for k in figures)
    lines = [title, "-" * len(title)]
    lines += [f"{key.ljust(width)}  {value}" for key, value in figures.items()]
    return "\n".join(lines)


GROUPS_COLUMNS: tuple[str, ...] = (
    "date",
    "commit",
    "scenario",
    "users",
    "servers",
    "sends_per_s",
    "deliveries_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "deliveries_lost",
    "sends_failed",
    "server",
    "generator_cpu_pct",
    "postgres_cpu_pct",
    "machine_cpu_pct",
)
IDLE_COLUMNS: tuple[str, ...] = (
    "date",
    "commit",
    "connections",
    "servers",
    "connected",
    "rss",
    "marginal",
    "total",
    "machine",
)


STORM_COLUMNS: tuple[str, ...] = (
    "date",
    "commit",
    "protocol",
    "users",
    "in_flight",
    "servers",
    "signed_in",
    "sign_ins_per_s",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "listen_overflows",
    "server_cpu_pct",
    "machine_cpu_pct",
)


RESTART_COLUMNS: tuple[str, ...] = (
    "date",
    "commit",
    "protocol",
    "users",
    "close_rate",
    "reconnected",
    "first_close_s",
    "last_close_s",
    "most_reconnecting",
    "reconnect_p50_ms",
    "reconnect_p99_ms",
    "all_back_s",
)


def markdown_row(figures: dict[str, Any]) -> str:
    """The run as a row of the results tables in docs/performance.md."""
    if "reconnected" in figures:
        cells, columns = figures, RESTART_COLUMNS
    elif "in_flight" in figures:
        cells, columns = figures, STORM_COLUMNS
    elif "connections" in figures:
        rss = (figures["server_rss_fresh_mb"], figures["server_rss_half_mb"], figures["server_rss_full_mb"])
        cells = {
            **figures,
            "rss": " → ".join(str(mb) for mb in rss),
            "marginal": figures["kb_per_connection_marginal"],
            "total": figures["kb_per_connection_total"],
            "machine": figures.get("machine_load", ""),
        }
        columns = IDLE_COLUMNS
    else:
        scenario = f"{figures['protocol']} groups, P={figures['period_s']:g} s, {figures['steady_s']:g} s"
        cells = {**figures, "scenario": scenario, "server": f"{figures['server_cpu_pct']} / {figures['server_rss_mb']}"}
        columns = GROUPS_COLUMNS
    return "| " + " | ".join(str(cells.get(c, "")) for c in columns) + " |"
