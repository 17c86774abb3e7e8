import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_message_is_acknowledged_delivered_and_carbon_copied():
    alice, bob = await db(make_user)("alice"), await db(make_user)("bob")
    a1 = await sama_connected(alice, "a-phone")
    a2 = await sama_connected(alice, "a-laptop")
    b = await sama_connected(bob)
    cid = await a1.group_create(bob)
    # creation notices to the other participants' connections (not to the creating one)
    for client in (a2, b):
        notice = (await client.receive())["system_message"]
        assert notice["x"]["conversation_created"]["_id"] == cid
    await a1.send({"message": {"id": "5a34p21m0xj23", "body": "hey how is going?", "cid": cid, "x": {"p": 1}}})
    ack = await a1.receive()
    assert set(ack) == {"ack", "ask"} and ack["ack"] == ack["ask"]
    assert ack["ack"]["mid"] == "5a34p21m0xj23"
    server_mid, t = ack["ack"]["server_mid"], ack["ack"]["t"]
    assert isinstance(server_mid, str) and isinstance(t, int)
    expected = {
        "_id": server_mid,
        "t": t,
        "from": str(alice.pk),
        "body": "hey how is going?",
        "cid": cid,
        "x": {"p": 1},
    }
    for client in (b, a2):
        delivered = (await client.receive())["message"]
        created_at, updated_at = delivered.pop("created_at"), delivered.pop("updated_at")
        assert delivered == expected and created_at.endswith("Z") and updated_at == created_at
    await a1.nothing()
    for c in (a1, a2, b):
        await c.close()


async def test_message_errors_answer_with_the_client_id():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    await a.send({"message": {"id": "m1", "body": "x", "cid": "999999"}})
    assert await a.receive() == {"message": {"id": "m1", "error": {"status": 404, "message": "Conversation not found"}}}
    await a.send({"message": {"id": "m2", "body": "x", "cid": "abc"}})
    assert (await a.receive())["message"]["error"]["status"] == 422
    await a.close()


async def test_message_list_read_edit_delete_and_conversation_list():
    alice, bob = await db(make_user)("al"), await db(make_user)("bo")
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()  # conversation_created
    ids = []
    for n in range(3):
        await a.send({"message": {"id": f"c{n}", "body": f"m{n}", "cid": cid}})
        ids.append((await a.receive())["ack"]["server_mid"])
        await b.receive()
    listed = await b.request("conversation_list", {"limit": 10})
    conversation = listed["conversations"][0]
    assert conversation["_id"] == cid and conversation["unread_messages_count"] == 3
    assert conversation["last_message"]["_id"] == ids[-1]
    messages = (await b.request("message_list", {"cid": cid, "limit": 2}))["messages"]
    assert [m["_id"] for m in messages] == [ids[2], ids[1]]
    assert messages[0]["status"] == "sent"
    assert await b.request("message_read", {"cid": cid, "ids": [ids[1]]}, "r") == {"id": "r", "success": True}
    read = await a.receive()
    assert read == {"message_read": {"cid": cid, "ids": [ids[0], ids[1]], "from": str(bob.pk)}}
    assert await b.request("message_read", {"cid": cid}, "r2") == {"id": "r2", "success": True}
    assert (await a.receive())["message_read"]["ids"] == [ids[2]]
    listed = await b.request("conversation_list", {})
    assert listed["conversations"][0]["unread_messages_count"] == 0

    assert await a.request("message_edit", {"id": ids[0], "body": "edited"}, "e") == {"id": "e", "success": True}
    assert await b.receive() == {
        "message_edit": {"id": ids[0], "cid": cid, "c_type": "g", "from": str(alice.pk), "body": "edited"}
    }
    refused = await b.request("message_edit", {"id": ids[0], "body": "mine now"}, "e2")
    assert refused == {"id": "e2", "error": {"status": 403, "message": "Only the sender changes a message"}}

    deleted = await a.request("message_delete", {"cid": cid, "ids": [ids[1]], "type": "all"}, "d")
    assert deleted == {"id": "d", "success": True}
    assert await b.receive() == {"message_delete": {"cid": cid, "ids": [ids[1]], "type": "all", "from": str(alice.pk)}}
    assert await b.request("message_delete", {"cid": cid, "ids": [ids[2]], "type": "myself"}, "d2") == {
        "id": "d2",
        "success": True,
    }
    remaining = (await b.request("message_list", {"cid": cid}))["messages"]
    assert [m["_id"] for m in remaining] == [ids[0]]
    await a.close()
    await b.close()


async def test_typing_is_relayed_without_answer():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()
    await a.send({"typing": {"cid": cid}})
    assert await b.receive() == {"typing": {"cid": cid, "from": str(alice.pk)}}
    await a.nothing()
    await a.close()
    await b.close()


async def test_an_edit_reaches_the_others_when_the_message_holds_a_number_beyond_64_bits():
    # PostgreSQL keeps 1e20 in `x` as the integer 100000000000000000000, which the events' msgpack
    # cannot hold: the edit's event still leaves, its number a float again.
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()
    await a.send({"message": {"id": "m1", "body": "big", "cid": cid, "x": {"n": 1e20, "small": 7}}})
    mid = (await a.receive())["ask"]["server_mid"]
    assert (await b.receive())["message"]["x"] == {"n": 1e20, "small": 7}
    assert await a.request("message_edit", {"id": mid, "body": "edited"}, "e") == {"id": "e", "success": True}
    assert await b.receive() == {
        "message_edit": {"id": mid, "cid": cid, "c_type": "g", "from": str(alice.pk), "body": "edited"}
    }
    [listed] = (await b.request("message_list", {"cid": cid}))["messages"]
    assert listed["x"] == {"n": 1e20, "small": 7}
    await a.close()
    await b.close()
