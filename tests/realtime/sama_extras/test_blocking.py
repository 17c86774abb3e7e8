"""block_user / unblock_user / list_blocked_users, and what a block refuses, over a real WebSocket."""

import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_block_list_and_unblock():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    ids = [str(bob.pk), str(carol.pk)]
    assert await a.request("block_user", {"ids": ids}, "4") == {"id": "4", "success": True}
    assert await a.request("block_user", {"ids": [str(bob.pk)]}, "4b") == {"id": "4b", "success": True}
    assert await a.request("list_blocked_users", {}, "5") == {"id": "5", "users": ids}
    assert await a.request("unblock_user", {"ids": [str(bob.pk)]}, "6") == {"id": "6", "success": True}
    assert await a.request("list_blocked_users", {}, "7") == {"id": "7", "users": [str(carol.pk)]}
    await a.close()


async def test_block_errors():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    assert await a.request("block_user", {"ids": [str(alice.pk)]}, "1") == {
        "id": "1",
        "error": {"status": 422, "message": "You cannot block yourself"},
    }
    assert await a.request("block_user", {"ids": ["999999"]}, "2") == {
        "id": "2",
        "error": {"status": 404, "message": "Users not found: 999999"},
    }
    assert await a.request("block_user", {"ids": "x"}, "3") == {
        "id": "3",
        "error": {"status": 422, "message": "ids must be a list"},
    }
    assert await a.request("unblock_user", {"ids": []}, "4") == {
        "id": "4",
        "error": {"status": 422, "message": "ids must not be empty"},
    }
    assert (await a.request("list_blocked_users", {}, "5")) == {"id": "5", "users": []}
    await a.close()


async def test_a_blocked_user_cannot_start_a_private_conversation_or_add_to_a_group():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    await a.request("block_user", {"ids": [str(bob.pk)]})
    blocked = {"status": 403, "message": "User is blocked"}
    response = await b.request("conversation_create", {"type": "u", "participants": [str(alice.pk)]}, "c1")
    assert response == {"id": "c1", "error": blocked}
    response = await b.request("conversation_create", {"type": "g", "name": "G", "participants": [str(alice.pk)]}, "c2")
    assert response == {"id": "c2", "error": blocked}
    group = await b.request("conversation_create", {"type": "g", "name": "G", "participants": [str(carol.pk)]})
    cid = group["conversation"]["_id"]
    response = await b.request("conversation_update", {"id": cid, "participants": {"add": [str(alice.pk)]}}, "c3")
    assert response == {"id": "c3", "error": blocked}
    # the one who blocked may still add the blocked user to a group
    response = await a.request("conversation_create", {"type": "g", "name": "H", "participants": [str(bob.pk)]})
    assert "conversation" in response
    await a.close()
    await b.close()


async def test_messages_from_a_blocked_user_are_refused_in_private_and_hidden_in_groups():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    c = await sama_connected(carol)
    private = (await a.request("conversation_create", {"type": "u", "participants": [str(bob.pk)]}))["conversation"]
    members = [str(bob.pk), str(carol.pk)]
    group = await a.request("conversation_create", {"type": "g", "name": "G", "participants": members})
    gid = group["conversation"]["_id"]
    for client in (b, b, c):
        assert "system_message" in await client.receive()
    await a.request("block_user", {"ids": [str(bob.pk)]})
    await b.send({"message": {"id": "m1", "body": "hi", "cid": private["_id"]}})
    assert await b.receive() == {"message": {"id": "m1", "error": {"status": 403, "message": "User is blocked"}}}
    # the blocker cannot write in the private conversation either while the block holds
    await a.send({"message": {"id": "m2", "body": "hi", "cid": private["_id"]}})
    assert (await a.receive())["message"]["error"]["status"] == 403
    await b.send({"message": {"id": "m3", "body": "to the group", "cid": gid}})
    assert "ack" in await b.receive()
    assert (await c.receive())["message"]["body"] == "to the group"
    await a.nothing()
    listed = await a.request("message_list", {"cid": gid})
    assert all(m["body"] != "to the group" for m in listed["messages"])
    assert any(m["body"] == "to the group" for m in (await c.request("message_list", {"cid": gid}))["messages"])
    # a system message with uids does not reach the blocker either
    await b.send({"system_message": {"id": "s1", "uids": [str(alice.pk), str(carol.pk)], "x": {"k": 1}}})
    assert (await c.receive())["system_message"]["x"] == {"k": 1}
    await a.nothing()
    # after unblocking, private messages flow again
    await a.request("unblock_user", {"ids": [str(bob.pk)]})
    await b.send({"message": {"id": "m4", "body": "again", "cid": private["_id"]}})
    assert "ack" in await b.receive()
    assert (await a.receive())["message"]["body"] == "again"
    for client in (a, b, c):
        await client.close()


async def test_a_group_where_everyone_else_blocked_the_sender_refuses_the_message():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    group = await a.request("conversation_create", {"type": "g", "name": "G", "participants": [str(bob.pk)]})
    assert "system_message" in await b.receive()
    await a.request("block_user", {"ids": [str(bob.pk)]})
    await b.send({"message": {"id": "m1", "body": "anyone?", "cid": group["conversation"]["_id"]}})
    assert await b.receive() == {
        "message": {"id": "m1", "error": {"status": 403, "message": "Every participant has blocked you"}}
    }
    await a.close()
    await b.close()
