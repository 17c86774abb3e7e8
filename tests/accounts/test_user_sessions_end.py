"""Logging a user out everywhere, and ending one device session, close the connections concerned."""

import pytest
from django.test import Client

from accounts import services
from accounts.models import DeviceSession, User
from tests.accounts.support import (
    assert_all_closed,
    assert_token_refused,
    close_code,
    connected_everywhere,
    phone_user,
)
from tests.helpers import PASSWORD, WsClient, access_token_for, db, make_user, sama_connected
from tests.rest.support import Api

pytestmark = pytest.mark.django_db(transaction=True)


async def test_log_out_everywhere_closes_every_connection_and_keeps_the_user_active():
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    ended = await db(services.user_sessions_end)(user)
    assert ended == 3  # SAMA's, NkCHAT's and REST's device sessions; Hooligram signs in without one
    await assert_all_closed(connected)
    for token in connected.tokens.values():
        await assert_token_refused(token)
    assert (await db(User.objects.get)(pk=user.pk)).is_active is True
    assert await db(DeviceSession.objects.filter(user=user).exists)() is False
    await connected.close()
    again = await sama_connected(user, "new-device")  # a new session works
    await again.close()


async def test_sama_http_logout_closes_the_sockets_of_that_session_only():
    user = await db(make_user)()
    same_device = await sama_connected(user, "phone")
    other_device = await sama_connected(user, "laptop")
    token = await db(access_token_for)(user, "phone")
    response = await db(lambda: Client().post("/logout", headers={"authorization": f"Bearer {token}"}))()
    assert response.json() == {"success": True}
    assert await close_code(same_device) == 4401
    await other_device.nothing()
    assert (await other_device.request("user_last_activity", {"ids": [str(user.pk)]}))["last_activity"]
    await same_device.close()
    await other_device.close()


async def test_rest_logout_closes_that_sessions_notification_socket():
    user = await db(make_user)()
    token = await db(access_token_for)(user, "rest-device")
    api = Api()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    ws = await WsClient("/ws", headers=[(b"authorization", f"Bearer {token}".encode())]).open()
    other = await sama_connected(user, "another-device")
    assert (await db(api.post)("/users/me/logout")).status_code == 200
    assert await close_code(ws) == 4401
    await other.nothing()
    await ws.close()
    await other.close()


async def test_sama_user_logout_keeps_its_own_socket_open():
    user = await db(make_user)()
    client = await sama_connected(user, "phone")
    assert (await client.request("user_logout"))["success"] is True
    await client.nothing()
    response = await client.request("user_login", {"login": user.username, "password": PASSWORD, "device_id": "d"})
    assert response["user"]["_id"] == str(user.pk)
    await client.close()
