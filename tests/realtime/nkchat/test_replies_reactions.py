"""Beyond NkCHAT's document: a message's `replied_message_id`/`forwarded_message_id` in `get` and in
its events, and `updated_reactions` events when a user reacts to a message."""

import pytest

from tests.helpers import db, make_user, sama_connected
from tests.realtime.nkchat.client import ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_reply_sent_over_sama_carries_its_ids_in_nkchat():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    s = await sama_connected(bob)
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    await s.receive()  # conversation_created
    first = (await a.ok("message", "create", {"conversation_id": cid, "message": "first"}))["message_id"]
    await s.receive()  # the message
    got = await a.ok("message", "get", {"message_id": first})
    assert "replied_message_id" not in got and "forwarded_message_id" not in got
    await a.subscribe(subclass="conversation", type="created_message", obj_id=cid)
    await s.send(
        {"message": {"id": "r", "body": "re", "cid": cid, "replied_message_id": first, "forwarded_message_id": "77"}}
    )
    reply = (await s.receive())["ack"]["server_mid"]
    body = {"message_id": reply, "replied_message_id": first, "forwarded_message_id": "77"}
    assert await a.event() == ev("conversation", "created_message", cid, body)
    got = await a.ok("message", "get", {"message_id": reply})
    assert (got["replied_message_id"], got["forwarded_message_id"]) == (first, "77")
    await a.close()
    await s.close()


async def test_reactions_are_told_as_updated_reactions_to_subscribers():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    s = await sama_connected(bob)
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    await s.receive()  # conversation_created
    mid = (await a.ok("message", "create", {"conversation_id": cid, "message": "react"}))["message_id"]
    await s.receive()  # the message
    await a.subscribe(subclass="conversation", type="updated_reactions", obj_id=cid)
    await s.request("message_reactions_update", {"mid": mid, "add": "👍"})
    added = {"message_id": mid, "user_id": str(bob.pk), "add": "👍"}
    assert await a.event() == ev("conversation", "updated_reactions", cid, added)
    await s.request("message_reactions_update", {"mid": mid, "add": "👍", "remove": "👍"})  # put back: no change
    await s.request("message_reactions_update", {"mid": mid, "remove": "👍"})
    removed = {"message_id": mid, "user_id": str(bob.pk), "remove": "👍"}
    assert await a.event() == ev("conversation", "updated_reactions", cid, removed)
    await a.nothing()
    await a.close()
    await s.close()
