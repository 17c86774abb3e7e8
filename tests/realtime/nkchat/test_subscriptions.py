"""core/event/subscribe and unsubscribe: wildcards, spellings, and participant-only delivery."""

import pytest

from tests.helpers import db, make_user
from tests.realtime.nkchat.client import NkClient, ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _group(owner: NkClient, *members) -> str:
    data = {"name": "G", "user_ids": [u.pk for u in members]}
    return (await owner.ok("conversation", "create", data))["conversation_id"]


async def test_nothing_arrives_without_a_subscription():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    cid = await _group(a, bob)
    await a.ok("message", "create", {"conversation_id": cid, "message": "hi"})
    await b.nothing()
    await a.nothing()
    await a.close()
    await b.close()


async def test_class_wildcard_subscription_gets_everything_and_unsubscribe_stops_it():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    await b.subscribe(subclass="*", type="*", obj_id="*")
    cid = await _group(a, bob)
    assert await b.event() == ev("conversation", "created", cid)
    mid = (await a.ok("message", "create", {"conversation_id": cid, "message": "hi"}))["message_id"]
    assert await b.event() == ev("conversation", "created_message", cid, {"message_id": mid})
    carol = await db(make_user)()
    assert await b.event() == ev("user", "created", carol.pk)
    await b.unsubscribe()  # class "chat", the rest wildcards: drops every subscription
    await a.ok("message", "create", {"conversation_id": cid, "message": "again"})
    await db(make_user)()
    await b.nothing()
    await a.close()
    await b.close()


async def test_type_and_obj_id_narrow_the_subscription():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    first, second = await _group(a, bob), await _group(a, bob)
    await b.subscribe(subclass="conversation", type="created_message", obj_id=second)
    await a.ok("message", "create", {"conversation_id": first, "message": "not this one"})
    mid = (await a.ok("message", "create", {"conversation_id": second, "message": "this one"}))["message_id"]
    assert await b.event() == ev("conversation", "created_message", second, {"message_id": mid})
    await a.ok("message", "update", {"conversation_id": second, "message_id": mid, "message": "edited"})
    await db(make_user)()  # a user event: not subscribed
    await b.nothing()
    # a narrower unsubscribe does not cut a wider subscription; the same pattern does
    await b.unsubscribe(subclass="conversation", type="created_message", obj_id=first)
    mid = (await a.ok("message", "create", {"conversation_id": second, "message": "still"}))["message_id"]
    assert (await b.event())["body"] == {"message_id": mid}
    await b.unsubscribe(subclass="conversation", type="created_message", obj_id=int(second))
    await a.ok("message", "create", {"conversation_id": second, "message": "gone"})
    await b.nothing()
    await a.close()
    await b.close()


@pytest.mark.parametrize("spelling", ["added_memebers", "added_members"])
async def test_both_spellings_of_member_events_match(spelling):
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    b = await nk_connected(bob)
    cid = await _group(a, bob)
    await b.subscribe(subclass="conversation", type=spelling)
    await b.subscribe(subclass="conversation", type=spelling.replace("added", "removed"))
    await a.ok("conversation", "add_members", {"conversation_id": cid, "user_ids": [carol.pk]})
    assert await b.event() == ev("conversation", "added_memebers", cid, {"user_ids": [str(carol.pk)]})
    await a.ok("conversation", "remove_members", {"conversation_id": cid, "user_ids": [carol.pk]})
    assert await b.event() == ev("conversation", "removed_memebers", cid, {"user_ids": [str(carol.pk)]})
    await b.nothing()
    await a.close()
    await b.close()


async def test_subscribers_hear_only_of_conversations_they_take_part_in():
    alice, bob, eve = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a, e = await nk_connected(alice), await nk_connected(eve)
    await e.subscribe()
    await e.subscribe(subclass="conversation", type="created_message")
    cid = await _group(a, bob)
    await a.ok("message", "create", {"conversation_id": cid, "message": "secret"})
    await e.subscribe(subclass="conversation", obj_id=cid)  # naming the conversation does not help
    await a.ok("message", "create", {"conversation_id": cid, "message": "still secret"})
    await e.nothing()
    await a.close()
    await e.close()


async def test_every_connection_keeps_its_own_subscriptions():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    b1, b2 = await nk_connected(bob), await nk_connected(bob)
    await b1.subscribe(subclass="conversation")
    await _group(a, bob)
    assert (await b1.event())["type"] == "created"
    await b2.nothing()
    for client in (a, b1, b2):
        await client.close()


SUBSCRIBE_ERRORS = [
    ({}, "class is required"),
    ({"class": "core"}, "Unknown class core"),
    ({"class": "chat", "subclass": "room"}, "Unknown subclass room"),
    ({"class": "chat", "subclass": "user", "type": "created_message"}, "Unknown type created_message"),
    ({"class": "chat", "type": "exploded"}, "Unknown type exploded"),
    ({"class": "chat", "obj_id": ["1"]}, "obj_id must be a string"),
    ({"class": "chat", "subclass": 1}, "subclass must be a string"),
]


async def test_subscribe_errors():
    client = await nk_connected(await db(make_user)())
    for data, error in SUBSCRIBE_ERRORS:
        for cmd in ("subscribe", "unsubscribe"):
            answer = await client.request("core", "event", cmd, data)
            assert answer == {"result": "error", "data": {"error": error, "code": 422}, "tid": answer["tid"]}
    await client.close()
