"""Real server processes (daphne) sharing the test database and Redis, for multi-process tests."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import websockets
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("multi-process tests need DATABASE_URL=postgres://... (PostgreSQL)")
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _wait_for_port(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


@contextmanager
def daphne_servers(count: int, *, env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[list[int]]:
    """Start `count` daphne processes on free ports (with `env` added to their environment, their
    output appended to `log`); answer the ports."""
    with daphne_processes(count, env=env, log=log) as processes:
        yield [port for port, _ in processes]


@contextmanager
def daphne_processes(
    count: int, *, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[list[tuple[int, subprocess.Popen]]]:
    """`daphne_servers`, answering each server's port and process (to kill one, say)."""
    if not settings.REDIS_URL:
        raise RuntimeError("multi-process tests need REDIS_URL (the Redis channel layer)")
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "1",
        **(env or {}),
    }
    ports = [free_port() for _ in range(count)]
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "config.server", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=output,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 30
        for port, process in zip(ports, processes, strict=True):
            _wait_for_port(port, process, deadline)
        yield list(zip(ports, processes, strict=True))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if log is not None:
            output.close()


async def sama_over_tcp(port: int, token: str, device: str = "d") -> websockets.ClientConnection:
    """A SAMA WebSocket to the server on this port, signed in with `connect`."""
    socket = await websockets.connect(f"ws://127.0.0.1:{port}/")
    await socket.send(json.dumps({"request": {"connect": {"token": token, "device_id": device}, "id": "c"}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"response": {"id": "c", "success": True}}
    return socket


async def sama_request(socket: websockets.ClientConnection, name: str, params: dict) -> dict:
    """Send a SAMA request on a socket from `sama_over_tcp` and answer its next frame's `response`."""
    await socket.send(json.dumps({"request": {name: params, "id": name}}))
    return json.loads(await asyncio.wait_for(socket.recv(), 5))["response"]


async def sama_next(socket: websockets.ClientConnection, key: str) -> dict:
    """The next frame on a socket from `sama_over_tcp` with this top-level key (`response`,
    `message`, `ack`...), skipping others."""
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
        if key in frame:
            return frame
