"""chat/message: create, get, update, delete, and the conversation's message events."""

import pytest

from tests.helpers import db, make_user
from tests.realtime.nkchat.client import ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _pair():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    return alice, bob, a, b, cid


async def test_create_get_update_delete_with_events():
    alice, _bob, a, b, cid = await _pair()
    for type_ in ("created_message", "updated_message", "deleted_message"):
        await b.subscribe(subclass="conversation", type=type_, obj_id=cid)
    created = await a.ok("message", "create", {"conversation_id": cid, "user_id": str(alice.pk), "message": "hi"})
    mid = created["message_id"]
    assert set(created) == {"message_id"} and mid.isdigit()
    assert await b.event() == ev("conversation", "created_message", cid, {"message_id": mid})
    got = await b.ok("message", "get", {"message_id": mid})
    assert got == {
        "message_id": mid,
        "conversation_id": cid,
        "user_id": str(alice.pk),
        "message": "hi",
        "created_time": got["created_time"],
        "updated_time": got["updated_time"],
    }

    assert await a.ok("message", "update", {"conversation_id": cid, "message_id": mid, "message": "hello"}) == {}
    assert await b.event() == ev("conversation", "updated_message", cid, {"message_id": mid})
    assert (await b.ok("message", "get", {"message_id": mid}))["message"] == "hello"

    assert await a.ok("message", "delete", {"conversation_id": cid, "message_id": mid}) == {}
    assert await b.event() == ev("conversation", "deleted_message", cid, {"message_id": mid})
    assert await b.error("message", "get", {"message_id": mid}) == {"error": "Message not found", "code": 404}
    await a.nothing()  # not subscribed
    await a.close()
    await b.close()


async def test_create_errors():
    _alice, bob, a, b, cid = await _pair()
    outsider = await nk_connected(await db(make_user)())
    assert await outsider.error("message", "create", {"conversation_id": cid, "message": "x"}) == {
        "error": "Conversation not found",
        "code": 404,
    }
    assert await a.error("message", "create", {"conversation_id": cid, "user_id": bob.pk, "message": "x"}) == {
        "error": "user_id must be the logged-in user",
        "code": 403,
    }
    assert await a.error("message", "create", {"conversation_id": cid}) == {
        "error": "message must be a string",
        "code": 422,
    }
    assert await a.error("message", "create", {"conversation_id": cid, "message": "  "}) == {
        "error": "A message needs a body, attachments or x",
        "code": 422,
    }
    assert await a.error("message", "create", {"message": "x"}) == {
        "error": "conversation_id is required",
        "code": 422,
    }
    for client in (a, b, outsider):
        await client.close()


async def test_get_update_delete_errors():
    _alice, _bob, a, b, cid = await _pair()
    mid = (await a.ok("message", "create", {"conversation_id": cid, "message": "mine"}))["message_id"]
    other_cid = (await a.ok("conversation", "create", {"name": "Other"}))["conversation_id"]
    outsider = await nk_connected(await db(make_user)())
    not_found = {"error": "Message not found", "code": 404}
    assert await outsider.error("message", "get", {"message_id": mid}) == not_found
    assert await a.error("message", "get", {"message_id": "999999"}) == not_found
    assert await a.error("message", "get", {}) == {"error": "message_id is required", "code": 422}
    # only the sender changes a message
    update = {"conversation_id": cid, "message_id": mid, "message": "theirs"}
    assert await b.error("message", "update", update) == {"error": "Only the sender changes a message", "code": 403}
    assert await b.error("message", "delete", {"conversation_id": cid, "message_id": mid}) == {
        "error": "Only the sender deletes a message for everyone",
        "code": 403,
    }
    # the message must be in the named conversation
    assert await a.error("message", "update", {**update, "conversation_id": other_cid}) == not_found
    assert await a.error("message", "delete", {"conversation_id": other_cid, "message_id": mid}) == not_found
    assert await outsider.error("message", "update", update) == not_found
    assert await a.error("message", "update", {"conversation_id": cid, "message_id": mid}) == {
        "error": "message must be a string",
        "code": 422,
    }
    assert await a.error("message", "delete", {"conversation_id": cid}) == {
        "error": "message_id is required",
        "code": 422,
    }
    assert (await b.ok("message", "get", {"message_id": mid}))["message"] == "mine"
    for client in (a, b, outsider):
        await client.close()
