"""A protocol's own account delete closes the user's other connections, in every protocol."""

import base64

import pytest
from django.test import Client

from tests.accounts.support import close_code, connected_everywhere, phone_user
from tests.helpers import PASSWORD, WsClient, access_token_for, db, make_user

pytestmark = pytest.mark.django_db(transaction=True)

OTHERS = ("hooligram", "nkchat", "rest")


async def test_sama_user_delete_closes_the_users_other_connections():
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    sama = connected.clients["sama"]
    assert (await sama.request("user_delete"))["success"] is True
    for name in OTHERS:
        assert await close_code(connected.clients[name]) == 4401, name
    await sama.nothing()  # signed out by the request, not closed
    await connected.close()


async def test_nkchat_user_delete_closes_the_users_other_connections():
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    nkchat = connected.clients["nkchat"]
    assert (await nkchat.chat("user", "delete", {"user_id": str(user.pk)}))["result"] == "ok"
    for name in ("sama", "hooligram", "rest"):
        assert await close_code(connected.clients[name]) == 4401, name
    await nkchat.nothing()
    await connected.close()


async def test_rest_delete_me_closes_the_notification_socket():
    user = await db(make_user)()
    token = await db(access_token_for)(user, "rest-device")
    ws = await WsClient("/ws", headers=[(b"authorization", f"Bearer {token}".encode())]).open()
    basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    response = await db(lambda: Client().delete("/users/me", headers={"authorization": f"Basic {basic}"}))()
    assert response.status_code == 200, response.content
    assert await close_code(ws) == 4401
    await ws.close()
