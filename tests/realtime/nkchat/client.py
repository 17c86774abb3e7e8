"""An NkCHAT WebSocket client for tests: requests with increasing tids, login, subscriptions."""

import itertools
from typing import Any

from accounts.models import User
from tests.helpers import PASSWORD, WsClient, db


class NkClient(WsClient):
    def __init__(self) -> None:
        super().__init__("/nkchat")
        self._tids = itertools.count(1)
        self.user: User | None = None

    async def request(self, cls: str, subclass: str, cmd: str, data: Any = None) -> dict:
        """Send a command and answer its reply, whose tid must be the request's."""
        tid = next(self._tids)
        frame: dict[str, Any] = {"class": cls, "subclass": subclass, "cmd": cmd, "tid": tid}
        if data is not None:
            frame["data"] = data
        await self.send(frame)
        answer = await self.receive()
        assert answer.get("tid") == tid, answer
        return answer

    async def chat(self, subclass: str, cmd: str, data: Any = None) -> dict:
        return await self.request("chat", subclass, cmd, data if data is not None else {})

    async def ok(self, subclass: str, cmd: str, data: Any = None) -> Any:
        """A `chat` command that must succeed; answers its data."""
        answer = await self.chat(subclass, cmd, data)
        assert answer["result"] == "ok", answer
        assert set(answer) == {"result", "data", "tid"}, answer
        return answer["data"]

    async def error(self, subclass: str, cmd: str, data: Any = None) -> dict:
        """A `chat` command that must fail; answers its error data `{error, code}`."""
        answer = await self.chat(subclass, cmd, data)
        assert answer["result"] == "error", answer
        assert set(answer) == {"result", "data", "tid"} and set(answer["data"]) == {"error", "code"}, answer
        return answer["data"]

    async def login_as(self, user: User, password: str = PASSWORD) -> "NkClient":
        answer = await self.request("core", "user", "login", {"user": user.username, "password": password})
        assert answer["result"] == "ok" and answer["data"]["user_id"] == str(user.pk), answer
        self.user = user
        return self

    async def subscribe(self, **data: Any) -> None:
        answer = await self.request("core", "event", "subscribe", {"class": "chat", **data})
        assert answer == {"result": "ok", "data": {}, "tid": answer["tid"]}, answer

    async def unsubscribe(self, **data: Any) -> None:
        answer = await self.request("core", "event", "unsubscribe", {"class": "chat", **data})
        assert answer["result"] == "ok", answer

    async def event(self, timeout: float = 3) -> dict:
        """The next frame, which must be an event; answers its `data`."""
        frame = await self.receive(timeout)
        assert frame["class"] == "core" and frame["cmd"] == "event", frame
        assert set(frame) == {"class", "cmd", "data", "tid"}, frame
        assert set(frame["data"]) == {"class", "subclass", "type", "obj_id", "body"}, frame
        return frame["data"]


async def nk_connected(user: User) -> NkClient:
    client = await NkClient().open()
    return await client.login_as(user)


def ev(subclass: str, type: str, obj_id: Any, body: dict | None = None) -> dict:
    """The `data` of an expected event."""
    return {"class": "chat", "subclass": subclass, "type": type, "obj_id": str(obj_id), "body": body or {}}


__all__ = ["NkClient", "db", "ev", "nk_connected"]
