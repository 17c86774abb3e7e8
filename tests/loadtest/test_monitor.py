"""The monitor's CPU figures: the sum of a set's processes, its busiest one, and stolen time."""

import subprocess
import sys
import time
from collections import namedtuple

import psutil

from loadtest.monitor import Monitor, steal_pct

BUSY = "import time\nend = time.time() + 3\nwhile time.time() < end: pass"
IDLE = "import time\ntime.sleep(3)"


def test_a_set_of_processes_reports_its_busiest_one_and_the_machine_its_stolen_time():
    children = [subprocess.Popen([sys.executable, "-c", code]) for code in (BUSY, IDLE)]
    try:
        time.sleep(0.3)  # both started
        servers = [psutil.Process(child.pid) for child in children]
        monitor = Monitor({"server": servers, "one": servers[1:]})
        monitor.start()
        time.sleep(1.0)
        figures = monitor.stop()
    finally:
        for child in children:
            child.kill()
            child.wait()
    # The busy process is the busiest: the idle one used less than it.
    assert figures["server_cpu_max_pct"] > 0
    assert figures["server_cpu_pct"] - figures["server_cpu_max_pct"] < figures["server_cpu_max_pct"]
    assert "one_cpu_max_pct" not in figures  # a single process has no busiest
    assert figures["machine_steal_pct"] >= 0 and isinstance(figures["steal_seconds"], dict)


def test_stolen_time_is_the_share_of_the_cores_the_host_took():
    times = namedtuple("times", "user system idle steal")
    before, after = times(10.0, 0.0, 10.0, 0.0), times(12.0, 0.0, 11.0, 1.0)  # 4 s of cpu time passed, 1 s of it stolen
    assert steal_pct(before, after) == 25.0 * psutil.cpu_count()
