"""Test helpers: users and conversations made through the service layer and WebSocket clients over the real ASGI app."""

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services, tokens
from accounts.models import User
from chats.conversations import conversation_create
from chats.models import Conversation
from config.asgi import application

PASSWORD = "secret-pass-1"
_counter = itertools.count(1)


def make_user(login: str | None = None, **profile: Any) -> User:
    return services.user_create(login=login or f"user{next(_counter)}", password=PASSWORD, address=None, **profile)


def make_group(owner: User, *members: User, name: str = "G", description: str = "") -> Conversation:
    """A group conversation owned by `owner` with `members`, made through the service layer."""
    group, _ = conversation_create(
        owner, type=Conversation.GROUP, name=name, description=description, participant_ids=[m.pk for m in members]
    )
    return group


def make_private(user: User, other: User) -> Conversation:
    """The private conversation between two users (`user` is its owner, `other` its opponent)."""
    conversation, _ = conversation_create(user, type=Conversation.PRIVATE, participant_ids=[other.pk])
    return conversation


def access_token_for(user: User, device_id: str = "device-1") -> str:
    session = services.device_session_open(user, device_id=device_id)
    return tokens.tokens_issue(session)[0]


class WsClient:
    """A WebSocket client speaking JSON text frames to the ASGI application."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.communicator = WebsocketCommunicator(application, path, headers=headers or [])

    async def open(self) -> "WsClient":
        connected, code = await self.communicator.connect(timeout=5)
        assert connected, f"handshake refused with {code}"
        return self

    async def send(self, frame: Any) -> None:
        await self.communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout: float = 3) -> dict:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def nothing(self, timeout: float = 0.3) -> None:
        """Assert that no frame arrives within `timeout`."""
        assert await self.communicator.receive_nothing(timeout=timeout), "unexpected frame"

    async def close(self) -> None:
        await self.communicator.disconnect()


class SamaClient(WsClient):
    _ids = itertools.count(1)

    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__("/", headers)
        self.user: User | None = None

    async def request(self, name: str, params: Any = None, request_id: str | None = None) -> dict:
        """Send a request and answer its `response` object (which echoes the id)."""
        request_id = request_id or f"{next(self._ids)}:{name}"
        await self.send({"request": {name: params if params is not None else {}, "id": request_id}})
        frame = await self.receive()
        assert "response" in frame, frame
        assert frame["response"]["id"] == request_id, frame
        return frame["response"]

    async def group_create(self, *others: User, name: str = "G") -> str:
        """A group of the signed-in user with `others`, created over SAMA: its id."""
        params = {"type": "g", "name": name, "participants": [str(u.pk) for u in others]}
        return (await self.request("conversation_create", params))["conversation"]["_id"]

    async def private_create(self, other: User) -> str:
        """The private conversation of the signed-in user with `other`, created over SAMA: its id."""
        params = {"type": "u", "participants": [str(other.pk)]}
        return (await self.request("conversation_create", params))["conversation"]["_id"]

    async def login_as(self, user: User, device_id: str = "device-1") -> "SamaClient":
        token = await database_sync_to_async(access_token_for)(user, device_id)
        response = await self.request("connect", {"token": token, "device_id": device_id})
        assert response.get("success") is True, response
        self.user = user
        return self


async def sama_connected(user: User, device_id: str = "device-1") -> SamaClient:
    client = await SamaClient().open()
    return await client.login_as(user, device_id)


async def settle() -> None:
    """Let in-flight channel-layer deliveries arrive."""
    await asyncio.sleep(0.05)


db = database_sync_to_async


def buffers_of_each_select(run: Callable[[], object]) -> list[int]:
    """The buffers each SELECT that `run` made touches, run again under EXPLAIN (PostgreSQL): a
    statement found by index touches a few, one that reads a table of thousands of rows dozens."""
    with CaptureQueriesContext(connection) as captured:
        run()
    selects = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    assert selects, "the call read nothing"
    buffers = []
    with connection.cursor() as cursor:
        for sql in selects:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            buffers.append(_buffers((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))
    return buffers


def _buffers(node: dict[str, Any]) -> int:
    """The buffers a plan node touched (found in memory or read)."""
    return node["Shared Hit Blocks"] + node["Shared Read Blocks"]


def generic_plan(sql: str, params: list[int | str]) -> dict[str, Any]:
    """The plan of a statement (PostgreSQL) as the server runs it: prepared, planned for any
    parameter values, and executed under EXPLAIN (ANALYZE, BUFFERS); its root node."""
    numbered = iter(range(1, len(params) + 1))
    statement = re.sub("%s", lambda _: f"${next(numbered)}", sql)
    literals = ", ".join(str(p) if isinstance(p, int) else "'" + p.replace("'", "''") + "'" for p in params)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE plan_check AS {statement}")
        try:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE plan_check({literals})")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE plan_check")
            cursor.execute("RESET plan_cache_mode")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def generic_plan_buffers(sql: str, params: list[int | str]) -> int:
    """The buffers the statement's plan for any parameters touches at its root (see `generic_plan`)."""
    return _buffers(generic_plan(sql, params))


def generic_plan_steps_buffers(sql: str, params: list[int | str]) -> list[int]:
    """The buffers each step of the statement's plan for any parameters touches (see
    `generic_plan`): a statement's CTEs that change data are steps of their own, outside the
    root's count."""
    found, nodes = [], [generic_plan(sql, params)]
    while nodes:
        node = nodes.pop()
        found.append(_buffers(node))
        nodes.extend(node.get("Plans", ()))
    return found
