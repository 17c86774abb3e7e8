"""message_list says `status: "read"` once someone other than the sender has read a message."""

import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _send(client, cid: str, body: str) -> str:
    await client.send({"message": {"id": body, "body": body, "cid": cid}})
    return (await client.receive())["ack"]["server_mid"]


async def test_message_list_reports_read_by_someone_other_than_the_sender():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob, carol)
    await b.receive()  # conversation_created
    m0, m1 = await _send(a, cid, "m0"), await _send(a, cid, "m1")
    await b.receive(), await b.receive()
    assert await b.request("message_read", {"cid": cid, "ids": [m0]}, "r1") == {"id": "r1", "success": True}
    await a.receive()  # message_read
    m2 = await _send(b, cid, "m2")
    await a.receive()

    def statuses(listed: dict) -> dict:
        return {m["_id"]: m["status"] for m in listed["messages"]}

    assert statuses(await a.request("message_list", {"cid": cid})) == {m2: "sent", m1: "sent", m0: "read"}
    # Alice reads everything: Bob's m2 is read; her own m1 is not read by her reading it.
    assert await a.request("message_read", {"cid": cid}, "r2") == {"id": "r2", "success": True}
    assert await b.receive() == {"message_read": {"cid": cid, "ids": [m2], "from": str(alice.pk)}}
    expected = {m2: "read", m1: "sent", m0: "read"}
    assert statuses(await a.request("message_list", {"cid": cid})) == expected
    assert statuses(await b.request("message_list", {"cid": cid})) == expected
    await a.close()
    await b.close()
