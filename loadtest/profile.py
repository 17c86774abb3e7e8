"""Sampling profiles of the server processes during the steady phase (py-spy), and their summary.

`py-spy record --idle --format raw` writes collapsed stacks ("frame;frame;… count") of every
thread, waiting or not, so shares are of wall-clock time. The summary splits samples by thread
(the event loop, and the database threads that run the ORM: realtime/db.py's, or asgiref's thread
on SQLite), says how busy each was (not waiting for work), and lists where the busy time goes,
inclusive and self.
"""

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

PY_SPY = Path(sys.executable).with_name("py-spy")


def py_spy_path() -> str | None:
    """The py-spy executable next to this Python, or on PATH."""
    return str(PY_SPY) if PY_SPY.exists() else shutil.which("py-spy")


# The command's `--profile` modes: "wall" samples every thread, waiting or not; "gil" only the
# thread holding the GIL, i.e. where the process's Python CPU goes; "native" that thread with the C
# frames under each Python one (system calls, C extensions), pausing the process at each sample.
MODES = ("wall", "gil", "native")


def gil_only(mode: str) -> bool:
    """Whether a profile of this mode samples only the thread holding the GIL."""
    return mode in ("gil", "native")


def start_recording(
    pids: list[int], seconds: float, out_dir: Path, rate: int = 100, mode: str = "wall"
) -> list[subprocess.Popen]:
    """Start one py-spy per server process for `seconds` (see MODES); it writes `profile-<pid>.txt`."""
    executable = py_spy_path()
    if executable is None:
        raise RuntimeError("py-spy is not installed (pip install -r requirements-dev.txt)")
    out_dir.mkdir(parents=True, exist_ok=True)
    recorders = []
    for pid in pids:
        command = [executable, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds)))]
        command += ["--rate", str(rate), "--format", "raw", "--threads"]
        command += ["--native"] if mode == "native" else ["--nonblocking"]  # C frames need a pause
        command += ["--gil"] if gil_only(mode) else ["--idle"]
        command += ["--output", str(out_dir / f"profile-{pid}.txt")]
        recorders.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return recorders


def stop_recording(recorders: list[subprocess.Popen]) -> None:
    """End the recordings now (py-spy writes what it has sampled when interrupted)."""
    for recorder in recorders:
        recorder.send_signal(signal.SIGINT)


def finish_recording(recorders: list[subprocess.Popen], timeout: float = 30.0) -> None:
    """Wait for the recorders to write their profiles."""
    for recorder in recorders:
        try:
            recorder.wait(timeout)
        except subprocess.TimeoutExpired:
            recorder.terminate()
            recorder.wait(5)


DB_THREAD = re.compile(r"(ThreadPoolExecutor|asgiref|\bdb)[-_]?\d*")


def _thread_kind(label: str) -> str:
    """ "thread (123): MainThread" -> "event loop"; the ORM's threads (Channels' one, or a pool) -> "ORM"."""
    name = label.split(": ", 1)[-1]
    if name == "MainThread":
        return "event loop"
    if DB_THREAD.match(name):
        return "ORM threads"
    return "other threads"


def _frame_name(frame: str) -> str:
    """`function (path/to/file.py:123)` as `function (file.py)`."""
    if " (" not in frame:
        return frame
    function, where = frame.split(" (", 1)
    return f"{function} ({where.rsplit(':', 1)[0].rsplit('/', 1)[-1].rstrip(')')})"


# Leaf frames of a thread that waits for work: the event loop in its selector, a pool thread on its
# queue (a database thread of realtime/db.py waits in `_serve`, its queue's `get` being C).
IDLE_LEAVES = (
    "select (selectors.py)",
    "_worker (thread.py)",
    "_serve (db.py)",
    "wait (threading.py)",
    "get (queue.py)",
)


LIBRARIES = (
    ("psycopg", "psycopg"),
    ("django/db/models", "Django ORM (building and compiling queries, models)"),
    ("django/db", "Django database layer"),
    ("django/", "Django, other"),
    ("channels_redis", "channels-redis"),
    ("redis/", "redis-py"),
    ("autobahn", "autobahn (WebSocket frames)"),
    ("twisted", "Twisted"),
    ("daphne", "daphne"),
    ("asgiref", "asgiref (thread hops)"),
    ("concurrent/futures", "thread pool"),
    ("asyncio", "asyncio"),
    ("selectors.py", "selector"),
    ("json", "json"),
    ("msgpack", "msgpack"),
    ("channels/", "Channels"),
    ("protocols/", "protocol adapters"),
    ("events/", "events"),
    ("realtime/", "realtime, other"),
    ("messaging/", "messaging"),
    ("accounts/", "accounts"),
    ("chats/", "chats"),
)


def _library(frame: str) -> str:
    where = frame.split(" (", 1)[-1]
    return next((name for key, name in LIBRARIES if key in where), "other")


def summarize(paths: list[Path], top: int = 25, gil: bool = False) -> str:
    """A text summary of raw py-spy profiles: samples per thread kind, top inclusive and self frames.

    With `gil` the samples are those of the thread holding the GIL: their split between the event
    loop and the ORM threads, and where each spends them, is where the process's Python CPU goes."""
    per_thread: Counter[str] = Counter()
    idle: Counter[str] = Counter()
    threads: defaultdict[str, set[str]] = defaultdict(set)
    inclusive: defaultdict[str, Counter[str]] = defaultdict(Counter)
    own: defaultdict[str, Counter[str]] = defaultdict(Counter)
    libraries: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            kind, samples = _thread_kind(frames[0]), int(count)
            per_thread[kind] += samples
            threads[kind].add(frames[0].split(": ", 1)[0])
            if _frame_name(frames[-1]).endswith(IDLE_LEAVES):
                idle[kind] += samples
                continue
            for name in {_frame_name(f) for f in frames[1:]}:
                inclusive[kind][name] += samples
            own[kind][_frame_name(frames[-1])] += samples
            libraries[kind][_library(frames[-1])] += samples
    total = sum(per_thread.values()) or 1
    lines = [f"{total} samples of " + ("the thread holding the GIL" if gil else "every thread, waiting or not")]
    for kind, all_samples in per_thread.most_common():
        samples = max(1, all_samples - idle[kind])
        busy = f"busy {100 * (all_samples - idle[kind]) / all_samples:.0f}% of the time"
        if gil:
            busy = f"{100 * all_samples / total:.0f}% of the GIL samples"
        lines.append(f"\n== {kind} ({len(threads[kind])} threads): {busy} ({all_samples} samples)")
        lines.append("   (shares below are of the busy samples)")
        lines.append("-- inclusive (frames in nearly every sample, such as the loop itself, left out)")
        ranked = inclusive[kind].most_common()
        root = ranked[0][1] if ranked else 0
        shown = [(name, n) for name, n in ranked if n < 0.9 * root][:top]
        lines += [f"{100 * n / samples:5.1f}%  {name}" for name, n in shown]
        lines.append("-- self")
        lines += [f"{100 * n / samples:5.1f}%  {name}" for name, n in own[kind].most_common(top // 2)]
        lines.append("-- self, by library")
        lines += [f"{100 * n / samples:5.1f}%  {name}" for name, n in libraries[kind].most_common(top // 2)]
    return "\n".join(lines)
