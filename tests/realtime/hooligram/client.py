"""A Hooligram V2 test client over the real ASGI application, and phone users made through the
verification services."""

import itertools
from typing import Any

from accounts import sms, verification
from accounts.models import User
from tests.helpers import WsClient, db


class HooligramClient(WsClient):
    _ids = itertools.count(1)

    def __init__(self) -> None:
        super().__init__("/v2")

    async def act(self, action_type: str, payload: Any = None, action_id: Any = None) -> dict:
        """Send an action and answer the frame that comes back, checking it echoes the id."""
        action_id = action_id or f"a{next(self._ids)}"
        await self.send({"id": action_id, "payload": payload if payload is not None else {}, "type": action_type})
        frame = await self.receive()
        assert frame["id"] == action_id, frame
        return frame

    async def sign_in(self, user: User, code: str) -> "HooligramClient":
        frame = await self.act(
            "AUTHORIZATION_SIGN_IN_REQUEST",
            {"country_code": user.country_code, "phone_number": user.phone_number, "verification_code": code},
        )
        assert frame["type"] == "AUTHORIZATION_SIGN_IN_SUCCESS", frame
        assert frame["payload"] == {}
        return self


def phone_user(country_code: str, phone_number: str) -> tuple[User, str]:
    """A user registered by phone, with the code that signs them in."""
    user = verification.verification_request(country_code=country_code, phone_number=phone_number, address=None)
    return user, sms.last_code(country_code, phone_number)


async def hooligram_connected(user: User, code: str) -> HooligramClient:
    """A signed-in client; the deliveries that follow sign-in are left for the test to read."""
    client = await HooligramClient().open()
    return await client.sign_in(user, code)


make_phone_user = db(phone_user)
