"""SAMA reactions (its newer API): `message_reactions_update`, `message_reactions_list`, the
`message_reactions_update` event, and `reactions` in `message_list` and `conversation_list`."""

import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _group_with_a_message(a, b, *others):
    cid = await a.group_create(b.user, *[o.user for o in others])
    for client in (b, *others):
        await client.receive()  # conversation_created
    await a.send({"message": {"id": "m1", "body": "react to me", "cid": cid}})
    mid = (await a.receive())["ack"]["server_mid"]
    for client in (b, *others):
        await client.receive()  # the message
    return cid, mid


async def test_reactions_are_told_to_the_other_connections_and_listed():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob, "b-phone")
    b2 = await sama_connected(bob, "b-laptop")
    cid, mid = await _group_with_a_message(a, b, b2)

    answer = await b.request("message_reactions_update", {"mid": mid, "add": "👍"}, "r1")
    assert answer == {"id": "r1", "success": True}
    expected = {"mid": mid, "cid": cid, "c_type": "g", "from": str(bob.pk), "add": "👍"}
    for client in (a, b2):  # the other participants and the reactor's other devices
        assert await client.receive() == {"message_reactions_update": expected}
    await b.nothing()  # not the reacting connection

    await a.request("message_reactions_update", {"mid": mid, "add": "👍"})
    assert (await b.receive())["message_reactions_update"]["from"] == str(alice.pk)
    await b2.receive()
    await b.request("message_reactions_update", {"mid": mid, "add": "😂", "remove": "👍"})
    both = {"mid": mid, "cid": cid, "c_type": "g", "from": str(bob.pk), "add": "😂", "remove": "👍"}
    assert await a.receive() == {"message_reactions_update": both}
    await b2.receive()

    # nothing changed: the same answer, no event
    assert await b.request("message_reactions_update", {"mid": mid, "remove": "🙈"}, "r2") == {
        "id": "r2",
        "success": True,
    }
    await a.nothing()

    listed = await a.request("message_reactions_list", {"mid": mid}, "l")
    assert listed == {"id": "l", "reactions": {"👍": [str(alice.pk)], "😂": [str(bob.pk)]}}

    messages = (await b.request("message_list", {"cid": cid}))["messages"]
    assert messages[0]["reactions"] == {"own": ["😂"], "total": {"👍": 1, "😂": 1}}
    last = (await a.request("conversation_list", {}))["conversations"][0]["last_message"]
    assert last["reactions"] == {"own": ["👍"], "total": {"👍": 1, "😂": 1}}
    for client in (a, b, b2):
        await client.close()


async def test_a_message_without_reactions_lists_empty_reactions():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid, mid = await _group_with_a_message(a, b)
    messages = (await a.request("message_list", {"cid": cid}))["messages"]
    assert messages[0]["_id"] == mid and messages[0]["reactions"] == {}
    assert (await a.request("conversation_list", {}))["conversations"][0]["last_message"]["reactions"] == {}
    assert await a.request("message_reactions_list", {"mid": mid}, "l") == {"id": "l", "reactions": {}}
    await a.close()
    await b.close()


async def test_reaction_errors():
    alice, bob, stranger = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    s = await sama_connected(stranger)
    _, mid = await _group_with_a_message(a, b)

    def error(status, message):
        return {"status": status, "message": message}

    incorrect, not_found = error(422, "Incorrect message ID."), error(422, "Message ID not found.")
    for params in ({"add": "👍"}, {"mid": "abc", "add": "👍"}, {"mid": None, "add": "👍"}, {"mid": "²", "add": "👍"}):
        assert (await a.request("message_reactions_update", params))["error"] == incorrect
    assert (await a.request("message_reactions_list", {}))["error"] == incorrect
    for client, params in ((a, {"mid": "999999999", "add": "👍"}), (s, {"mid": mid, "add": "👍"})):
        assert (await client.request("message_reactions_update", params))["error"] == not_found
    assert (await s.request("message_reactions_list", {"mid": mid}))["error"] == not_found
    for params in ({"mid": mid}, {"mid": mid, "add": "x" * 11}, {"mid": mid, "remove": ""}, {"mid": mid, "add": 1}):
        answer = await a.request("message_reactions_update", params)
        assert answer["error"]["status"] == 422, answer
    await b.nothing()
    for client in (a, b, s):
        await client.close()


async def test_news_of_a_message_skips_those_who_deleted_it_for_themselves():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a, b, c = await sama_connected(alice), await sama_connected(bob), await sama_connected(carol)
    cid, mid = await _group_with_a_message(a, b, c)
    assert await b.request("message_delete", {"cid": cid, "ids": [mid], "type": "myself"}, "d") == {
        "id": "d",
        "success": True,
    }

    assert await a.request("message_edit", {"id": mid, "body": "changed"}, "e") == {"id": "e", "success": True}
    edited = {"message_edit": {"id": mid, "cid": cid, "c_type": "g", "from": str(alice.pk), "body": "changed"}}
    assert await c.receive() == edited
    await a.request("message_reactions_update", {"mid": mid, "add": "👍"})
    assert (await c.receive())["message_reactions_update"]["add"] == "👍"
    await b.nothing()  # neither the edit nor the reaction
    for client in (a, b, c):
        await client.close()
