"""`manage.py deactivate_user`, run as a process of its own, closes the user's connections held by
two other server processes (the event crosses Redis to every process's hub)."""

import asyncio
import json
import os
import sys

import pytest
import websockets
from django.conf import settings

from tests import servers
from tests.helpers import access_token_for, db, make_user
from tests.servers import sama_over_tcp

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def _close_code(socket) -> tuple[int, str]:
    """Wait (at most 10 s) for the server to close the socket; its close code and reason."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(socket.recv(), 10)
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def _manage(*args: str) -> tuple[int, str]:
    """Run a management command in a process of its own, with the servers' database, Redis and
    channel-layer prefix (TEST_RUN_ID is in the environment)."""
    env = {**os.environ, "DATABASE_URL": servers.test_database_url(), "REDIS_URL": settings.REDIS_URL}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        *args,
        cwd=servers.ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, output.decode()


async def _sama_refused(port: int, token: str) -> dict:
    async with websockets.connect(f"ws://127.0.0.1:{port}/") as socket:
        await socket.send(json.dumps({"request": {"connect": {"token": token, "device_id": "phone"}, "id": "c"}}))
        return json.loads(await asyncio.wait_for(socket.recv(), 5))


async def test_the_command_closes_the_users_connections_on_every_server_process():
    user, other = await db(make_user)(), await db(make_user)()
    phone, laptop = await db(access_token_for)(user, "phone"), await db(access_token_for)(user, "laptop")
    other_token = await db(access_token_for)(other, "o")
    with servers.daphne_servers(2) as (port_a, port_b):
        on_a = await sama_over_tcp(port_a, phone, "phone")
        rest_on_b = await websockets.connect(f"ws://127.0.0.1:{port_b}/ws?token={laptop}")
        bystander = await sama_over_tcp(port_b, other_token, "o")
        code, output = await _manage("deactivate_user", user.username)
        assert code == 0, output
        assert await _close_code(on_a) == (4401, "signed out")
        assert await _close_code(rest_on_b) == (4401, "signed out")
        await bystander.send(json.dumps({"request": {"user_last_activity": {"ids": [str(other.pk)]}, "id": "la"}}))
        assert json.loads(await asyncio.wait_for(bystander.recv(), 5))["response"]["id"] == "la"
        refused = await _sama_refused(port_b, phone)
        assert refused["response"]["error"]["status"] == 401
        await bystander.close()
