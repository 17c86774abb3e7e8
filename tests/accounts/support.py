"""One user connected over all four protocols, the checks that their tokens stopped working, and
waiting for the server to close a connection."""

import itertools
from dataclasses import dataclass

from django.test import Client, override_settings

from accounts.models import User
from realtime.consumers import CLOSE_UNAUTHENTICATED
from tests.helpers import SamaClient, WsClient, access_token_for, db, sama_connected
from tests.realtime.hooligram.client import hooligram_connected
from tests.realtime.hooligram.client import phone_user as _phone_user
from tests.realtime.nkchat.client import NkClient

_phones = itertools.count(91_000_001)


@dataclass
class Connected:
    """A user's open connections by protocol, and the access token of each session-bound one."""

    user: User
    clients: dict[str, WsClient]
    tokens: dict[str, str]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()


async def phone_user() -> tuple[User, str]:
    """A new user registered by phone (so Hooligram signs in too), and the code that signs them in."""
    with override_settings(SMS_BACKEND="accounts.sms.InMemorySmsBackend"):
        return await db(_phone_user)("65", str(next(_phones)))


async def connected_everywhere(user: User, code: str) -> Connected:
    """The user connected over SAMA, Hooligram (signed in, no session), NkCHAT and REST /ws."""
    tokens = {name: await db(access_token_for)(user, f"{name}-device") for name in ("sama", "nkchat", "rest")}
    sama = await sama_connected(user, "sama-device")
    hooligram = await hooligram_connected(user, code)
    nkchat = await NkClient().open()
    answer = await nkchat.request("core", "user", "login", {"token": tokens["nkchat"]})
    assert answer["result"] == "ok", answer
    rest = await WsClient("/ws", headers=[(b"authorization", f"Bearer {tokens['rest']}".encode())]).open()
    clients = {"sama": sama, "hooligram": hooligram, "nkchat": nkchat, "rest": rest}
    return Connected(user=user, clients=clients, tokens=tokens)


async def close_frame(client: WsClient, timeout: float = 3) -> tuple[int, str]:
    """Wait until the server closes the connection (skipping frames sent before); its close code
    and reason."""
    while True:
        output = await client.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code", 1000), output.get("reason", "")


async def close_code(client: WsClient, timeout: float = 3) -> int:
    """Wait until the server closes the connection (skipping frames sent before); its close code."""
    return (await close_frame(client, timeout))[0]


async def assert_all_closed(connected: Connected) -> None:
    for name, client in connected.clients.items():
        assert await close_frame(client) == (CLOSE_UNAUTHENTICATED, "signed out"), name


async def assert_token_refused(token: str, device_id: str = "sama-device") -> None:
    """The token no longer opens anything: SAMA `connect`, SAMA `POST /login`, REST `/users/me`."""
    client = await SamaClient().open()
    response = await client.request("connect", {"token": token, "device_id": device_id})
    assert response["error"]["status"] == 401, response
    await client.close()

    def http() -> None:
        bearer = {"authorization": f"Bearer {token}"}
        login = Client().post("/login", data={"device_id": device_id}, content_type="application/json", headers=bearer)
        assert login.status_code == 401, login.content
        me = Client().get("/users/me", headers=bearer)
        assert me.status_code == 401, me.content

    await db(http)()
