"""Beyond the Chats REST document: `repliedMessageId`/`forwardedMessageId` on a posted message and
in `MessageInfo`, `reactions` in history, and the `messageReactions` frame on `/ws`."""

import pytest

from messaging.reactions import message_reactions_update
from messaging.sending import message_send
from tests.helpers import db, make_group, make_user, sama_connected
from tests.rest.support import assert_error
from tests.rest.test_ws import call, rest_ws


@pytest.fixture
def chat(api, users):
    """(alice, bob, group chat id), alice owning it."""
    alice, bob = users(2)
    return alice, bob, api(alice).post("/chats", {"title": "G", "participants": [bob.pk]}).json()["id"]


@pytest.mark.django_db
def test_a_posted_reply_and_forward_carry_their_ids(api, chat):
    alice, bob, cid = chat
    first = api(bob).post(f"/chats/{cid}/messages", {"text": "first"}).json()
    assert (first["repliedMessageId"], first["forwardedMessageId"], first["reactions"]) == (None, None, [])
    body = {"text": "re", "repliedMessageId": first["id"], "forwardedMessageId": 4242}
    reply = api(alice).post(f"/chats/{cid}/messages", body).json()
    assert (reply["repliedMessageId"], reply["forwardedMessageId"]) == (first["id"], 4242)
    history = api(bob).get(f"/chats/{cid}/messages").json()
    assert [(m["id"], m["repliedMessageId"], m["forwardedMessageId"]) for m in history[:2]] == [
        (reply["id"], first["id"], 4242),
        (first["id"], None, None),
    ]


@pytest.mark.django_db
def test_a_reply_to_a_message_not_in_the_chat_is_refused(api, chat, users):
    alice, bob, cid = chat
    (other,) = users(1)
    elsewhere, _ = message_send(bob, conversation_id=make_group(bob, other).pk, body="elsewhere")
    for replied in (elsewhere.pk, 999999999):
        response = api(alice).post(f"/chats/{cid}/messages", {"text": "re", "repliedMessageId": replied})
        assert_error(response, 400, "Incorrect replied message ID.")  # Chats REST answers Invalid as 400
    for bad in ("abc", 0):
        response = api(alice).post(f"/chats/{cid}/messages", {"text": "re", "repliedMessageId": bad})
        assert_error(response, 400)
        response = api(alice).post(f"/chats/{cid}/messages", {"text": "re", "forwardedMessageId": bad})
        assert_error(response, 400)


@pytest.mark.django_db
def test_history_lists_reactions_for_the_viewer(api, chat, users):
    alice, bob, cid = chat
    message, _ = message_send(bob, conversation_id=cid, body="react to me")
    message_reactions_update(alice, message_id=message.pk, add="👍")
    message_reactions_update(bob, message_id=message.pk, add="👍")
    message_reactions_update(bob, message_id=message.pk, add="😂")
    listed = api(alice).get(f"/chats/{cid}/messages").json()[0]
    assert listed["id"] == message.pk
    expected = [{"reaction": "👍", "count": 2, "isOwn": True}, {"reaction": "😂", "count": 1, "isOwn": False}]
    assert sorted(listed["reactions"], key=lambda r: r["reaction"]) == expected
    chat = api(alice).get(f"/chats/{cid}").json()
    assert sorted(chat["lastMessage"]["reactions"], key=lambda r: r["reaction"]) == expected
    (listed_chat,) = api(bob).get("/chats").json()
    assert {r["reaction"]: r["isOwn"] for r in listed_chat["lastMessage"]["reactions"]} == {"👍": True, "😂": True}


@pytest.mark.django_db(transaction=True)
async def test_a_reaction_reaches_the_ws_of_every_participant():
    alice, bob = await db(make_user)(), await db(make_user)()
    cid = (await db(make_group)(alice, bob)).pk
    message, _ = await db(message_send)(alice, conversation_id=cid, body="hi")
    ws_a, ws_b = await rest_ws(alice), await rest_ws(bob)
    sama_bob = await sama_connected(bob)
    answer = await sama_bob.request("message_reactions_update", {"mid": str(message.pk), "add": "🔥"})
    assert answer["success"] is True
    expected = {
        "event": "messageReactions",
        "source": str(bob.pk),
        "payload": {"chatId": cid, "messageId": message.pk, "user": bob.pk, "added": "🔥", "removed": None},
    }
    for ws in (ws_a, ws_b):
        assert await ws.receive() == expected
    posted = (await call(bob, "post", f"/chats/{cid}/messages", {"text": "re", "repliedMessageId": message.pk})).json()
    frame = await ws_a.receive()
    assert frame["event"] == "message" and frame["payload"]["repliedMessageId"] == message.pk
    assert frame["payload"]["id"] == posted["id"] and frame["payload"]["reactions"] == []
    for client in (ws_a, ws_b, sama_bob):
        await client.close()
