"""The notification WebSocket `/ws`: handshake, frames `{event, source, payload}` for every change,
and messages crossing between REST and SAMA in real time."""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.services import device_session_close
from accounts.tokens import session_from_access_token
from config.asgi import application
from tests.helpers import WsClient, access_token_for, db, make_group, make_user, sama_connected
from tests.rest.support import CHAT_INFO_KEYS, MESSAGE_INFO_KEYS, Api

pytestmark = pytest.mark.django_db(transaction=True)


async def rest_ws(user, device_id: str = "ws-device") -> WsClient:
    token = await db(access_token_for)(user, device_id)
    return await WsClient("/ws", headers=[(b"authorization", f"Bearer {token}".encode())]).open()


def _client(user) -> Api:
    return Api().as_user(user)


async def call(user, method: str, path: str, body=None):
    """An HTTP call to the REST API as the user, off the event loop."""
    return await db(lambda: getattr(_client(user), method)(path, body))()


async def refusal(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, str]:
    """The close code and reason of a handshake the server refuses: accepted, then closed at once
    (a refusal before accepting reaches a browser as a failed connection, without its reason)."""
    communicator = WebsocketCommunicator(application, path, headers=headers or [])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closing = await communicator.receive_output(5)
    assert closing["type"] == "websocket.close", closing
    return closing["code"], closing["reason"]


async def test_handshake_needs_a_valid_token():
    user = await db(make_user)()
    for headers, path in (([], "/ws"), ([(b"authorization", b"Bearer garbage")], "/ws"), ([], "/ws?token=garbage")):
        assert await refusal(path, headers) == (4401, "not authenticated")
    token = await db(access_token_for)(user, "q")
    by_query = await WsClient(f"/ws?token={token}").open()
    await by_query.close()
    await db(lambda: device_session_close(session_from_access_token(token)))()
    # a logged-out session's token no longer opens it
    assert await refusal(f"/ws?token={token}") == (4401, "not authenticated")


async def test_client_frames_of_any_size_are_ignored_and_the_socket_stays():
    alice, bob = await db(make_user)(), await db(make_user)()
    cid = (await db(make_group)(alice, bob)).pk
    ws = await rest_ws(bob)
    for frame in ("not json", {"event": "hello"}, [1, 2], "x" * (2 * settings.WEBSOCKET_FRAME_MAX_BYTES)):
        await ws.send(frame)
    await call(alice, "post", f"/chats/{cid}/messages", {"text": "still there?"})
    assert (await ws.receive())["event"] == "message"  # the first frame after them: nothing answered them
    await ws.close()


async def test_message_frames_for_post_edit_delete_and_read():
    alice, bob = await db(make_user)(), await db(make_user)()
    cid = (await db(make_group)(alice, bob)).pk
    a, b = await rest_ws(alice), await rest_ws(bob)
    posted = (await call(alice, "post", f"/chats/{cid}/messages", {"text": "hi", "localId": "l1"})).json()
    for ws in (b, a):  # the author's own socket hears it too (their other devices)
        frame = await ws.receive()
        assert frame["event"] == "message" and frame["source"] == str(alice.pk)
        assert set(frame["payload"]) == MESSAGE_INFO_KEYS
        assert {k: frame["payload"][k] for k in ("id", "localId", "chatId", "authorId", "text")} == {
            k: posted[k] for k in ("id", "localId", "chatId", "authorId", "text")
        }
    await call(alice, "put", f"/chats/{cid}/messages/{posted['id']}", {"text": "hello"})
    frame = await b.receive()
    assert frame["event"] == "messageUpdate" and frame["payload"]["text"] == "hello" and frame["payload"]["editedAt"]
    await a.receive()
    await call(bob, "put", f"/chats/{cid}/messages/{posted['id']}/read")
    frame = await a.receive()
    assert frame == {
        "event": "readMark",
        "source": str(bob.pk),
        "payload": {
            "chatId": cid,
            "messageIds": [posted["id"]],
            "user": bob.pk,
            "createdAt": frame["payload"]["createdAt"],
        },
    }
    await b.receive()
    await call(alice, "delete", f"/chats/{cid}/messages/{posted['id']}")
    frame = await b.receive()
    assert frame["event"] == "messageDelete" and frame["payload"]["id"] == posted["id"]
    assert frame["payload"]["deletedAt"] and frame["payload"]["text"] == ""
    await a.receive()
    await a.nothing()
    await b.nothing()
    for ws in (a, b):
        await ws.close()


async def test_chat_frames_update_added_removed_cleared_deleted_and_auxiliary():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    await db(lambda: Api().as_user(carol).put("/users/me", {"name": "Carol C"}))()
    cid = (await db(make_group)(alice, bob)).pk
    await call(bob, "put", f"/chats/{cid}/settings", {"isMuted": True})
    a, b, c = await rest_ws(alice), await rest_ws(bob), await rest_ws(carol)

    await call(alice, "put", f"/chats/{cid}", {"title": "Renamed"})
    frame = await b.receive()
    assert frame["event"] == "chatUpdate" and frame["source"] == str(alice.pk)
    assert set(frame["payload"]) == CHAT_INFO_KEYS
    assert frame["payload"]["title"] == "Renamed" and frame["payload"]["isMuted"] is True  # bob's own settings
    assert frame["payload"]["owner"]["id"] == alice.pk
    assert (await a.receive())["payload"]["isMuted"] is False

    await call(alice, "post", f"/chats/{cid}/users", {"users": [carol.pk]})
    for ws in (a, b, c):
        frame = await ws.receive()
        assert frame["event"] == "addedUsers"
        assert [(u["id"], u["name"]) for u in frame["payload"]["addedUsers"]] == [(carol.pk, "Carol C")]
        assert (await ws.receive())["event"] == "message"  # the stored "has been added" notice

    await call(carol, "post", f"/chats/{cid}/notify", {"name": "typing_started", "text": "...", "data": {"x": 1}})
    expected = {"chatId": cid, "name": "typing_started", "text": "...", "data": {"x": 1}}
    for ws in (a, b):
        assert await ws.receive() == {"event": "auxiliary", "source": str(carol.pk), "payload": expected}
    await c.nothing()  # not to the sender

    await call(alice, "delete", f"/chats/{cid}/users", {"users": [carol.pk]})
    for ws in (a, b, c):
        frame = await ws.receive()
        assert frame["event"] == "removedUsers" and [u["id"] for u in frame["payload"]["removedUsers"]] == [carol.pk]
    for ws in (a, b):
        assert (await ws.receive())["event"] == "message"  # the stored "has been removed" notice

    await call(alice, "post", f"/chats/{cid}/images", {"image": {"id": "pic1", "fileType": "png", "fileSize": 3}})
    for ws in (a, b):
        frame = await ws.receive()
        assert frame["event"] == "chatUpdate" and frame["payload"]["images"][0]["id"] == "pic1"

    await call(alice, "delete", f"/chats/{cid}/messages")
    for ws in (a, b):
        frame = await ws.receive()
        assert frame["event"] == "chatCleared" and frame["payload"]["id"] == cid

    await call(alice, "delete", f"/chats/{cid}")
    for ws in (a, b):
        frame = await ws.receive()
        assert frame["event"] == "chatDeleted" and frame["payload"]["id"] == cid
    for ws in (a, b, c):
        await ws.nothing()
        await ws.close()


async def test_rest_message_reaches_sama_and_sama_message_reaches_rest():
    alice, bob = await db(make_user)(), await db(make_user)()
    cid = (await db(make_group)(alice, bob)).pk
    sama_bob = await sama_connected(bob)
    rest_alice = await rest_ws(alice)

    posted = (await call(alice, "post", f"/chats/{cid}/messages", {"text": "from REST"})).json()
    delivered = (await sama_bob.receive())["message"]
    assert (delivered["_id"], delivered["body"], delivered["from"], delivered["cid"]) == (
        str(posted["id"]),
        "from REST",
        str(alice.pk),
        str(cid),
    )
    assert (await rest_alice.receive())["event"] == "message"  # alice's own socket

    await sama_bob.send({"message": {"id": "s1", "body": "from SAMA", "cid": str(cid)}})
    ack = await sama_bob.receive()
    frame = await rest_alice.receive()
    assert frame["event"] == "message" and frame["source"] == str(bob.pk)
    assert frame["payload"]["text"] == "from SAMA" and frame["payload"]["localId"] == "s1"
    assert frame["payload"]["id"] == int(ack["ack"]["server_mid"])

    await sama_bob.send({"typing": {"cid": str(cid)}})
    typing = await rest_alice.receive()
    assert typing == {
        "event": "auxiliary",
        "source": str(bob.pk),
        "payload": {"chatId": cid, "name": "typing", "text": None, "data": None},
    }
    await sama_bob.close()
    await rest_alice.close()


async def test_a_handshake_that_cannot_be_judged_is_refused_with_1013_or_1011(monkeypatch):
    from django.db import OperationalError

    from accounts import tokens

    def unavailable(token):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr(tokens, "session_from_access_token", unavailable)
    assert await refusal("/ws?token=x") == (1013, "try again later")

    def bug(token):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tokens, "session_from_access_token", bug)
    assert await refusal("/ws?token=x") == (1011, "internal error")  # internal error, logged with its traceback
