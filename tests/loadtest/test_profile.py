"""Recording py-spy profiles (C frames too, on request), and the summary of raw ones: busy share per
thread, and where the busy time goes."""

import subprocess
import sys
import time

from loadtest.profile import finish_recording, start_recording, stop_recording, summarize


def test_summary_splits_threads_and_leaves_waiting_out(tmp_path):
    raw = tmp_path / "profile-1.txt"
    loop = "thread (1): MainThread;run_forever (asyncio/base_events.py:600)"
    pool = "thread (2): ThreadPoolExecutor-0_0;_worker (concurrent/futures/thread.py:83)"
    raw.write_text(
        f"{loop};select (selectors.py:468) 60\n"
        f"{loop};send_frame (realtime/consumers.py:46);dumps (json/__init__.py:238) 40\n"
        f"{pool} 25\n"
        f"{pool};message_send (messaging/sending.py:90);execute (psycopg/cursor.py:97) 75\n"
    )
    pooled = tmp_path / "profile-2.txt"
    pooled.write_text(
        "thread (7): db_0;_worker (concurrent/futures/thread.py:83) 10\n"
        "thread (8): db_1;_bootstrap (threading.py:1002);_serve (realtime/db.py:64) 10\n"
    )
    assert "== ORM threads (2 threads): busy 0% of the time (20 samples)" in summarize([pooled])
    summary = summarize([raw])
    assert "== event loop (1 threads): busy 40% of the time (100 samples)" in summary
    assert "== ORM threads (1 threads): busy 75% of the time (100 samples)" in summary
    assert "100.0%  dumps (__init__.py)" in summary
    assert "100.0%  execute (cursor.py)" in summary


def test_gil_summary_splits_python_cpu_between_threads(tmp_path):
    raw = tmp_path / "profile-3.txt"
    raw.write_text(
        "thread (1): MainThread;send (redis/asyncio/connection.py:1) 30\n"
        "thread (2): db_0;compile (django/db/models/sql/compiler.py:1) 70\n"
    )
    summary = summarize([raw], gil=True)
    assert "== ORM threads (1 threads): 70% of the GIL samples" in summary
    assert "100.0%  Django ORM (building and compiling queries, models)" in summary
    assert "100.0%  redis-py" in summary


def test_a_recording_stopped_early_writes_what_it_sampled(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(0.01)"])
    try:
        recorders = start_recording([sleeper.pid], 60, tmp_path)
        time.sleep(1.5)
        began = time.monotonic()
        stop_recording(recorders)
        finish_recording(recorders)
        assert time.monotonic() - began < 10  # not the 60 s asked for
        assert "<module>" in (tmp_path / f"profile-{sleeper.pid}.txt").read_text()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_native_recording_shows_the_c_frames_under_python_ones(tmp_path):
    """`--profile native` samples the thread holding the GIL with its C frames: a process asking
    for its pid in a loop (a system call, made holding the GIL) is seen in libc's `getpid`, under
    the Python line that called it."""
    asker = subprocess.Popen([sys.executable, "-c", "import os\nwhile True: os.getpid()"])
    try:
        recorders = start_recording([asker.pid], 60, tmp_path, mode="native")
        time.sleep(1.5)
        stop_recording(recorders)
        finish_recording(recorders)
        stacks = (tmp_path / f"profile-{asker.pid}.txt").read_text()
        assert "<module> (<string>:2)" in stacks and "getpid (libc" in stacks
    finally:
        asker.kill()
        asker.wait()
