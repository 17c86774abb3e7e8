"""SAMA replies and forwards (its newer API): `replied_message_id` (checked) and
`forwarded_message_id` (not) on `message`, delivered and listed only when set."""

import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _send(client, cid, client_id, **fields):
    await client.send({"message": {"id": client_id, "body": client_id, "cid": cid, **fields}})
    return await client.receive()


async def test_a_reply_and_a_forward_are_delivered_and_listed_with_their_ids():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()  # conversation_created
    first = (await _send(a, cid, "first"))["ack"]["server_mid"]
    assert "replied_message_id" not in (await b.receive())["message"]
    ack = await _send(b, cid, "reply", replied_message_id=first, forwarded_message_id="12345")
    reply = ack["ack"]["server_mid"]
    delivered = (await a.receive())["message"]
    assert delivered["_id"] == reply
    assert (delivered["replied_message_id"], delivered["forwarded_message_id"]) == (first, "12345")
    listed = (await a.request("message_list", {"cid": cid}))["messages"]
    by_id = {m["_id"]: m for m in listed}
    assert (by_id[reply]["replied_message_id"], by_id[reply]["forwarded_message_id"]) == (first, "12345")
    assert "replied_message_id" not in by_id[first] and "forwarded_message_id" not in by_id[first]
    await a.close()
    await b.close()


async def test_a_reply_to_a_message_not_seen_in_that_conversation_is_refused_with_the_client_id():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    cid = await a.group_create(bob)
    other = await a.group_create(bob)
    elsewhere = (await _send(a, other, "elsewhere"))["ack"]["server_mid"]
    refused = {"status": 422, "message": "Incorrect replied message ID."}
    for n, replied in enumerate([elsewhere, "999999999", "not-an-id", 7.5]):
        answer = await _send(a, cid, f"r{n}", replied_message_id=replied)
        assert answer == {"message": {"id": f"r{n}", "error": refused}}
    answer = await _send(a, cid, "fw", forwarded_message_id="not-an-id")
    assert answer["message"]["id"] == "fw" and answer["message"]["error"]["status"] == 422
    listed = (await a.request("message_list", {"cid": cid}))["messages"]
    assert listed == []
    await a.close()


async def test_message_list_by_ids_loads_the_replied_messages_it_still_sees():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    cid = await a.group_create(bob)
    ids = [(await _send(a, cid, f"m{n}"))["ack"]["server_mid"] for n in range(3)]
    assert (await a.request("message_delete", {"cid": cid, "ids": [ids[1]], "type": "myself"}))["success"] is True
    listed = await a.request("message_list", {"cid": cid, "ids": [ids[0], ids[1], "999999999"]})
    assert [m["_id"] for m in listed["messages"]] == [ids[0]]  # the one hidden from alice is left out
    too_many = await a.request("message_list", {"cid": cid, "ids": [str(n) for n in range(1, 102)]})
    assert too_many["error"]["status"] == 422
    await a.close()


async def test_an_empty_attachments_list_beside_a_body_is_a_message_without_attachments():
    # The newer original refuses it; clients written to the document send it, and it means nothing.
    alice = await db(make_user)()
    a = await sama_connected(alice)
    cid = await a.group_create(await db(make_user)())
    mid = (await _send(a, cid, "e", attachments=[]))["ack"]["server_mid"]
    [listed] = (await a.request("message_list", {"cid": cid}))["messages"]
    assert listed["_id"] == mid and listed["body"] == "e" and "attachments" not in listed
    await a.close()
