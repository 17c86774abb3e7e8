"""A storm of 1,000 simultaneous logins, then 1,000 simultaneous reconnects, on one server process
with a small connection pool: every request is answered, with success or the protocol's "try
again" (503), never a 500, and PostgreSQL never runs out of connections."""

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async

from accounts import services, tokens
from tests.helpers import PASSWORD, make_user
from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

CLIENTS = 1000
USERS = 100
STORM = {
    "DATABASE_POOL_MAX": "4",
    "DATABASE_POOL_TIMEOUT": "5",
    # The storm comes from one address: the brute-force limits are not what this test is about.
    "LOGIN_RATE": "100000/min",
    "REGISTER_RATE": "100000/min",
}


def _tokens(users: list) -> list[str]:
    """One access token per client: USERS users with CLIENTS // USERS devices each."""
    per_user = CLIENTS // len(users)
    return [
        tokens.tokens_issue(services.device_session_open(user, device_id=f"ws-{n}"))[0]
        for user in users
        for n in range(per_user)
    ]


async def _login(client: httpx.AsyncClient, port: int, login: str, n: int) -> int | str:
    try:
        response = await client.post(
            f"http://127.0.0.1:{port}/login", json={"login": login, "password": PASSWORD, "device_id": f"http-{n}"}
        )
    except httpx.HTTPError as error:
        return f"dropped: {type(error).__name__}"
    body = response.json()  # always JSON, whatever the status
    assert response.status_code == 200 or body["error"]["status"] == response.status_code, body
    return response.status_code


async def _reconnect(port: int, token: str, n: int) -> int | str:
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/", open_timeout=120) as socket:
            await socket.send(json.dumps({"request": {"connect": {"token": token, "device_id": "x"}, "id": str(n)}}))
            answer = json.loads(await asyncio.wait_for(socket.recv(), 120))["response"]
    except (OSError, TimeoutError, websockets.WebSocketException) as error:
        return f"dropped: {type(error).__name__}"
    assert answer["id"] == str(n), answer
    return 200 if answer.get("success") is True else answer["error"]["status"]


async def test_a_thousand_logins_and_reconnects_are_all_answered(tmp_path: Path):
    users = [await database_sync_to_async(make_user)() for _ in range(USERS)]
    access = await database_sync_to_async(_tokens)(users)
    log = tmp_path / "server.log"
    with daphne_servers(1, env=STORM, log=log) as (port,):
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:
            logins = await asyncio.gather(*(_login(client, port, users[n % USERS].username, n) for n in range(CLIENTS)))
        reconnects = await asyncio.gather(*(_reconnect(port, token, n) for n, token in enumerate(access)))
    text = log.read_text()
    assert "Traceback" not in text and "too many clients" not in text, text[-3000:]
    for answers in (logins, reconnects):
        assert len(answers) == CLIENTS
        outcomes = {str(answer): answers.count(answer) for answer in set(answers)}
        assert set(answers) <= {200, 503}, (outcomes, text[-3000:])
        assert answers.count(200) > 0
