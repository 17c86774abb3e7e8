"""With Redis unreachable, a request that needs it is answered "try again" (503) in its
protocol's shape, never 500, and leaves nothing half done: a SAMA `connect` that could not record
the connection leaves it signed out, so signing in again later works and events flow. A
connection told to close while Redis is unreachable still closes, and one that closes leaves the
hub."""

import pytest
import redis.exceptions

from accounts import throttling
from realtime import presence
from realtime.hub import current_hub
from tests.accounts.support import close_frame
from tests.helpers import SamaClient, access_token_for, db, make_group, make_user, sama_connected
from tests.rest.support import Api

pytestmark = pytest.mark.django_db(transaction=True)

DOWN = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


async def _down(*args, **kwargs):
    raise DOWN


async def test_a_sama_connect_with_redis_down_answers_try_again_and_leaves_the_connection_signed_out(monkeypatch):
    alice, bob = await db(make_user)(), await db(make_user)()
    conversation = await db(make_group)(alice, bob)
    token = await db(access_token_for)(bob, "b")
    reader = await SamaClient().open()
    opened = presence.connection_opened
    monkeypatch.setattr(presence, "connection_opened", _down)
    response = await reader.request("connect", {"token": token, "device_id": "b"})
    assert response["error"] == {"status": 503, "message": "The server is busy; try again"}
    assert (await reader.request("conversation_list", {}))["error"]["status"] == 401  # not signed in

    monkeypatch.setattr(presence, "connection_opened", opened)  # Redis is back
    assert (await reader.request("connect", {"token": token, "device_id": "b"}))["success"] is True
    writer = await sama_connected(alice)
    await writer.send({"message": {"id": "m1", "body": "hello", "cid": str(conversation.pk)}})
    frames = [await reader.receive()]
    assert frames[0]["message"]["body"] == "hello"
    for client in (reader, writer):
        await client.close()


def test_a_rest_login_with_redis_down_answers_503(monkeypatch):
    user = make_user()

    def down(*args, **kwargs):
        raise DOWN

    monkeypatch.setattr(throttling, "_count", down)
    response = Api().as_basic(user.username).post("/users/login", {"deviceInfo": {"deviceId": "d"}})
    assert response.status_code == 503, response.content
    assert response.json() == {"error": True, "reason": "The server is busy; try again"}


async def test_a_connection_told_to_resync_closes_even_when_leaving_fails(monkeypatch):
    alice = await db(make_user)()
    client = await sama_connected(alice)
    monkeypatch.setattr(presence, "connection_closed", _down)
    await current_hub()._resync()
    assert await close_frame(client) == (1012, "events missed: reconnect")


async def test_a_connection_that_closes_while_redis_is_down_leaves_the_hub(monkeypatch):
    """Its disconnect could not record it offline; it must not stay among the hub's connections."""
    alice, bob = await db(make_user)(), await db(make_user)()
    watcher = await sama_connected(bob)
    subscribed = await watcher.request("user_last_activity_subscribe", {"id": str(alice.pk)})
    assert str(alice.pk) in subscribed["last_activity"]
    hub = current_hub()
    assert any(hub.members.values())
    monkeypatch.setattr(presence, "connection_closed", _down)
    await watcher.close()
    assert not any(hub.members.values())  # neither its user's address nor the one it watched
