"""The monitor's CPU figures: the sum of a set's processes, its busiest one, and stolen time."""

import subprocess
import sys
import time

import psutil

from realtime.loadtest.monitor import Monitor

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
    assert figures["machine_steal_pct"] >= 0
