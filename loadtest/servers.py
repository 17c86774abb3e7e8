"""Start N daphne processes on loopback ports for a run (or find the processes behind a URL), and stop them."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback_url(url: str) -> bool:
    """True when the URL names this machine's loopback interface (the only place a run may connect)."""
    host = urlsplit(url).hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_listening(host: str, port: int, deadline: float) -> bool:
    """Wait until something accepts TCP connections on (host, port), or the deadline passes."""
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def listening_processes(url: str) -> list[psutil.Process]:
    """The processes listening on the URL's port (to measure a server this command did not start)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme in ("wss", "https") else 80)
    pids = {
        c.pid
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid
    }
    return [psutil.Process(pid) for pid in sorted(pids)]


class ServerGroup:
    """N daphne processes of this project, each on its own loopback port, sharing PostgreSQL and Redis."""

    def __init__(self, count: int, env: dict[str, str], log_dir: Path, host: str = "127.0.0.1") -> None:
        self.count = count
        self.env = env
        self.log_dir = log_dir
        self.host = host
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen] = []

    @property
    def urls(self) -> list[str]:
        """The WebSocket base URL of each process."""
        return [f"ws://{self.host}:{port}" for port in self.ports]

    @property
    def log_paths(self) -> list[Path]:
        """Where each process's output goes."""
        return [self.log_dir / f"server-{n}.log" for n in range(len(self.processes))]

    def start(self, timeout: float = 60.0) -> None:
        """Start the processes and wait until each accepts connections."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        root = Path(__file__).resolve().parents[1]
        for n in range(self.count):
            port = free_port(self.host)
            log = (self.log_dir / f"server-{n}.log").open("wb")
            command = [
                sys.executable,
                "-m",
                "config.server",
                "-v",
                "0",
                "-b",
                self.host,
                "-p",
                str(port),
                "config.asgi:application",
            ]
            process = subprocess.Popen(
                command, cwd=root, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            log.close()
            self.ports.append(port)
            self.processes.append(process)
        deadline = time.time() + timeout
        for port, process in zip(self.ports, self.processes, strict=True):
            if not wait_listening(self.host, port, deadline) or process.poll() is not None:
                self.stop()
                raise RuntimeError(f"server on port {port} did not start; see {self.log_dir}")

    def psutil_processes(self) -> list[psutil.Process]:
        """The processes still running."""
        return [psutil.Process(p.pid) for p in self.processes if p.poll() is None]

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the processes this group started (by pid), killing any that do not exit in time."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.time() + timeout
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def server_env(database_url: str, redis_url: str, secret_key: str, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a launched server: production-like settings on the run's database and Redis."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # With --provision protocol every user registers from this machine's one address.
            "REGISTER_RATE": "1000000/min",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        # Redis pub/sub channels ignore the database number: a prefix of its own keeps this run's
        # events apart from any other server or test using the same Redis.
        env["CHANNEL_LAYER_PREFIX"] = f"loadtest{secrets.token_hex(4)}"
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env
