"""MESSAGING_SEND, live MESSAGING_DELIVER_REQUEST, acknowledgements and store-and-forward."""

import re

import pytest
from django.db import OperationalError

from messaging.models import DeliveryReceipt, Message
from realtime import receipt_batches
from tests.helpers import db, make_user, sama_connected
from tests.realtime.hooligram.client import HooligramClient, hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _delivered_message(frame: dict) -> dict:
    assert frame["type"] == "MESSAGING_DELIVER_REQUEST", frame
    assert isinstance(frame["id"], str) and frame["id"]
    payload = dict(frame["payload"])
    assert ISO.match(payload.pop("date_created"))
    return payload


async def _group(client: HooligramClient, sids: list[str], *others: HooligramClient) -> int:
    created = await client.act("GROUP_CREATE_REQUEST", {"group_name": "G", "member_sids": sids})
    for c in (client, *others):
        assert (await c.receive())["type"] == "GROUP_DELIVER_REQUEST"
    return created["payload"]["group_id"]


async def test_send_deliver_and_acknowledge():
    alice, alice_code = await make_phone_user("65", "92000001")
    bob, bob_code = await make_phone_user("65", "92000002")
    a = await hooligram_connected(alice, alice_code)
    b = await hooligram_connected(bob, bob_code)
    group_id = await _group(a, [alice.sid, bob.sid], b)
    sent = await a.act("MESSAGING_SEND_REQUEST", {"group_id": group_id, "content": "hello bob"}, "m1")
    assert sent["type"] == "MESSAGING_SEND_SUCCESS" and set(sent["payload"]) == {"message_id"}
    message_id = sent["payload"]["message_id"]
    assert isinstance(message_id, int)
    frame = await b.receive()
    assert _delivered_message(frame) == {
        "content": "hello bob",
        "group_id": group_id,
        "message_id": message_id,
        "sender_sid": alice.sid,
    }
    await a.nothing()  # the sender got MESSAGING_SEND_SUCCESS, not the message
    # the acknowledgement answers nothing, and records the receipt
    await b.send({"id": frame["id"], "payload": {"message_id": message_id}, "type": "MESSAGING_DELIVER_SUCCESS"})
    await b.nothing()
    assert await db(DeliveryReceipt.objects.filter(user=bob, message_id=message_id).exists)()
    # an acknowledgement twice is harmless
    await b.send({"id": "again", "payload": {"message_id": message_id}, "type": "MESSAGING_DELIVER_SUCCESS"})
    await b.nothing()
    await a.close()
    await b.close()


async def test_send_failures():
    alice, alice_code = await make_phone_user("65", "92000011")
    bob, _ = await make_phone_user("65", "92000012")
    carol, carol_code = await make_phone_user("65", "92000013")
    a = await hooligram_connected(alice, alice_code)
    c = await hooligram_connected(carol, carol_code)
    group_id = await _group(a, [alice.sid, bob.sid])
    cases = [
        (a, {"group_id": group_id}, "content not in payload"),
        (a, {"content": "hi"}, "group_id not in payload"),
        (a, {"group_id": group_id, "content": 5}, "content not in payload"),
        (a, {"group_id": group_id, "content": "   "}, "a message needs a body, attachments or x"),
        (a, {"group_id": 0, "content": "hi"}, "group_id is not a valid id"),
        (a, {"group_id": "9223372036854775808", "content": "hi"}, "group_id is not a valid id"),  # 2^63
        (a, {"group_id": "\u0661", "content": "hi"}, "group_id is not a valid id"),  # not ASCII
        (a, {"group_id": "9223372036854775807", "content": "hi"}, "sender doesn't belong to message group"),
        (a, {"group_id": "0000000000000000001", "content": "hi"}, "sender doesn't belong to message group"),
        (c, {"group_id": group_id, "content": "hi"}, "sender doesn't belong to message group"),
    ]
    for n, (client, payload, reason) in enumerate(cases):
        answer = await client.act("MESSAGING_SEND_REQUEST", payload, f"s{n}")
        assert answer == {"id": f"s{n}", "payload": {"errors": [reason]}, "type": "MESSAGING_SEND_FAILURE"}
    assert await db(Message.objects.filter(is_system=False).count)() == 0
    await a.close()
    await c.close()


async def test_acknowledgement_failures():
    alice, alice_code = await make_phone_user("65", "92000021")
    a = await hooligram_connected(alice, alice_code)
    cases = [
        ({}, "message_id not in payload"),
        ({"message_id": "x"}, "message_id is not a valid id"),
        ({"message_id": 999999}, "message not found"),
    ]
    for n, (payload, reason) in enumerate(cases):
        await a.send({"id": f"d{n}", "payload": payload, "type": "MESSAGING_DELIVER_SUCCESS"})
        answer = await a.receive()
        assert answer == {"id": f"d{n}", "payload": {"errors": [reason]}, "type": "MESSAGING_DELIVER_FAILURE"}
    anonymous = await HooligramClient().open()
    await anonymous.send({"id": "d", "payload": {"message_id": 1}, "type": "MESSAGING_DELIVER_SUCCESS"})
    assert await anonymous.receive() == {
        "id": "d",
        "payload": {"errors": ["not signed in"]},
        "type": "MESSAGING_DELIVER_FAILURE",
    }
    await a.close()
    await anonymous.close()


@pytest.mark.parametrize(
    ("failure", "reason", "logged"),
    [
        (RuntimeError("a bug"), "server error", "traceback"),
        (OperationalError("connection refused\nDETAIL: more"), "the server is busy; try again", None),
    ],
    ids=["bug", "database unreachable"],
)
async def test_an_acknowledgement_the_database_cannot_record_is_answered_and_the_connection_goes_on(
    monkeypatch, caplog, failure, reason, logged
):
    alice, alice_code = await make_phone_user("65", "92000025")
    a = await hooligram_connected(alice, alice_code)

    def unavailable(pairs):
        raise failure

    monkeypatch.setattr(receipt_batches, "receipts_record", unavailable)
    await a.send({"id": "d1", "payload": {"message_id": 5}, "type": "MESSAGING_DELIVER_SUCCESS"})
    assert await a.receive() == {
        "id": "d1",
        "payload": {"errors": [reason]},
        "type": "MESSAGING_DELIVER_FAILURE",
    }
    (record,) = [r for r in caplog.records if "delivery receipts not recorded" in r.getMessage()]
    if logged is None:  # an outage: one line, no traceback
        assert (record.levelname, record.exc_info) == ("WARNING", None)
        assert record.getMessage() == "1 delivery receipts not recorded: OperationalError: connection refused"
    else:
        assert record.levelname == "ERROR" and record.exc_info is not None
    assert (await a.act("CONN_KEEP_ALIVE_REQUEST", {}, "k"))["type"] == "CONN_KEEP_ALIVE_SUCCESS"
    await a.close()


async def test_offline_member_gets_missed_messages_at_every_sign_in_until_acknowledged():
    alice, alice_code = await make_phone_user("65", "92000031")
    bob, bob_code = await make_phone_user("65", "92000032")
    sam = await db(make_user)("sam")
    a = await hooligram_connected(alice, alice_code)
    group_id = await _group(a, [alice.sid, bob.sid, "sam"])
    ids = []
    for n in range(2):
        sent = await a.act("MESSAGING_SEND_REQUEST", {"group_id": group_id, "content": f"m{n}"})
        ids.append(sent["payload"]["message_id"])
    s = await sama_connected(sam)
    await s.send({"message": {"id": "x1", "body": "from sama", "cid": str(group_id)}})
    ids.append(int((await s.receive())["ack"]["server_mid"]))
    assert _delivered_message(await a.receive())["content"] == "from sama"

    async def sign_in_and_collect() -> tuple[HooligramClient, list[dict]]:
        b = await hooligram_connected(bob, bob_code)
        group = await b.receive()
        assert group["type"] == "GROUP_DELIVER_REQUEST" and group["payload"]["group_id"] == group_id
        frames = []
        while not await b.communicator.receive_nothing(timeout=0.3):
            frames.append(await b.receive())
        return b, frames

    b, frames = await sign_in_and_collect()
    delivered = [_delivered_message(f) for f in frames]
    assert [d["message_id"] for d in delivered] == ids
    assert [d["content"] for d in delivered] == ["m0", "m1", "from sama"]
    assert [d["sender_sid"] for d in delivered] == [alice.sid, alice.sid, "sam"]
    assert {d["group_id"] for d in delivered} == {group_id}
    await b.close()

    # nothing acknowledged: everything again
    b, frames = await sign_in_and_collect()
    assert [f["payload"]["message_id"] for f in frames] == ids
    await b.send({"id": frames[0]["id"], "payload": {"message_id": ids[0]}, "type": "MESSAGING_DELIVER_SUCCESS"})
    await b.send({"id": frames[2]["id"], "payload": {"message_id": ids[2]}, "type": "MESSAGING_DELIVER_SUCCESS"})
    await b.nothing()
    await b.close()

    # only the unacknowledged one, until it is acknowledged too
    b, frames = await sign_in_and_collect()
    assert [f["payload"]["message_id"] for f in frames] == [ids[1]]
    await b.send({"id": frames[0]["id"], "payload": {"message_id": ids[1]}, "type": "MESSAGING_DELIVER_SUCCESS"})
    await b.nothing()
    await b.close()
    b, frames = await sign_in_and_collect()
    assert frames == []
    for client in (a, b, s):
        await client.close()


async def test_messages_cross_between_hooligram_and_sama_both_ways():
    hugo, hugo_code = await make_phone_user("44", "7400900001")
    sara = await db(make_user)("sara")
    h = await hooligram_connected(hugo, hugo_code)
    s = await sama_connected(sara)
    # a direct message created over Hooligram is a SAMA private conversation
    created = await h.act("GROUP_CREATE_REQUEST", {"member_sids": ["44.7400900001", "sara"]})
    group_id = created["payload"]["group_id"]
    assert (await h.receive())["payload"]["is_direct_message"] is True
    notice = (await s.receive())["system_message"]
    conversation = notice["x"]["conversation_created"]
    assert conversation["_id"] == str(group_id) and conversation["type"] == "u"

    # Hooligram -> SAMA
    sent = await h.act("MESSAGING_SEND_REQUEST", {"group_id": group_id, "content": "hi from hooligram"})
    message_id = sent["payload"]["message_id"]
    delivered = (await s.receive())["message"]
    assert delivered["_id"] == str(message_id) and delivered["body"] == "hi from hooligram"
    assert delivered["cid"] == str(group_id) and delivered["from"] == str(hugo.pk)

    # SAMA -> Hooligram
    await s.send({"message": {"id": "c1", "body": "hi from sama", "cid": str(group_id)}})
    server_mid = int((await s.receive())["ack"]["server_mid"])
    frame = await h.receive()
    assert _delivered_message(frame) == {
        "content": "hi from sama",
        "group_id": group_id,
        "message_id": server_mid,
        "sender_sid": "sara",
    }
    listed = (await s.request("message_list", {"cid": str(group_id)}))["messages"]
    assert [m["body"] for m in listed] == ["hi from sama", "hi from hooligram"]
    await h.close()
    await s.close()
