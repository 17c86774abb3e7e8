"""op_log_list replays, in order, what a user missed while offline, as SAMA packets."""

import time
from datetime import UTC, datetime

import pytest

from chats.models import Conversation
from chats.snapshots import conversation_snapshot
from messaging.models import OpLogEntry
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_offline_user_replays_edits_deletes_reads_and_conversation_changes():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()
    await b.send({"message": {"id": "b1", "body": "from bob", "cid": cid}})
    bob_mid = (await b.receive())["ack"]["server_mid"]
    await a.receive()
    await a.send({"message": {"id": "a1", "body": "first", "cid": cid}})
    mid = (await a.receive())["ack"]["server_mid"]
    await b.receive()
    await b.close()  # bob goes offline
    since = int(time.time() * 1000) - 1

    await a.request("message_edit", {"id": mid, "body": "edited"})
    await a.request("message_read", {"cid": cid})
    await a.request("conversation_update", {"id": cid, "name": "Renamed", "participants": {}})
    await a.request("message_delete", {"cid": cid, "ids": [mid], "type": "all"})

    b = await sama_connected(bob)
    response = await b.request("op_log_list", {"created_at": {"gt": since}}, "453")
    logs = response["logs"]
    assert response["id"] == "453" and len(logs) == 4
    assert all(set(log) == {"_id", "user_id", "packet", "created_at"} for log in logs)
    assert all(log["user_id"] == str(bob.pk) for log in logs)
    assert [int(log["_id"]) for log in logs] == sorted(int(log["_id"]) for log in logs)
    packets = [log["packet"] for log in logs]
    edit = {"id": mid, "cid": cid, "c_type": "g", "from": str(alice.pk), "body": "edited"}
    assert packets[0] == {"message_edit": edit}
    assert packets[1] == {"message_read": {"cid": cid, "ids": [bob_mid], "from": str(alice.pk)}}
    assert packets[2]["system_message"]["x"]["conversation_updated"]["name"] == "Renamed"
    assert packets[3] == {"message_delete": {"cid": cid, "ids": [mid], "type": "all", "from": str(alice.pk)}}

    older = await b.request("op_log_list", {"created_at": {"lt": since}})
    assert all(log["created_at"] < logs[0]["created_at"] for log in older["logs"])
    later = await b.request("op_log_list", {"created_at": {"gt": int(time.time() * 1000) + 1000}})
    assert later["logs"] == []
    await a.close()
    await b.close()


async def test_op_log_list_needs_gt_or_lt():
    client = await sama_connected(await db(make_user)())
    message = "created_at with gt or lt is required"
    assert await client.request("op_log_list", {}, "1") == {"id": "1", "error": {"status": 422, "message": message}}
    response = await client.request("op_log_list", {"created_at": {}}, "2")
    assert response == {"id": "2", "error": {"status": 422, "message": "created_at.gt or created_at.lt is required"}}
    response = await client.request("op_log_list", {"created_at": {"gt": "soon"}}, "3")
    assert response == {
        "id": "3",
        "error": {"status": 422, "message": "created_at.gt must be a timestamp in milliseconds"},
    }
    await client.close()


async def test_a_replayed_frame_built_once_for_every_connection_is_a_packet_object():
    # New messages are not logged (history recovers them); an entry of that kind, written here by
    # hand, goes through the renderer that returns a frame's text, and must still be a packet.
    bob = await db(make_user)()
    since = int(time.time() * 1000) - 1
    message = {"id": 7, "created_at": 1700000000.0, "sender_id": 3, "body": "hi", "conversation_id": 9}
    message |= {"x": {}, "attachments": []}
    await db(OpLogEntry.objects.create)(user=bob, kind="message_created", payload={"actor_id": 3, "message": message})
    b = await sama_connected(bob)
    (log,) = (await b.request("op_log_list", {"created_at": {"gt": since}}))["logs"]
    assert log["packet"] == {
        "message": {
            "_id": "7",
            "t": 1700000000,
            "from": "3",
            "body": "hi",
            "cid": "9",
            "x": {},
            "created_at": "2023-11-14T22:13:20.000Z",
            "updated_at": "2023-11-14T22:13:20.000Z",
        }
    }
    await b.close()


async def test_an_entry_written_before_an_upgrade_replays_without_the_fields_since_removed():
    alice, bob = await db(make_user)("alice"), await db(make_user)("bob")
    a = await sama_connected(alice)
    cid = await a.group_create(bob)
    await a.close()
    conversation = await db(lambda: conversation_snapshot(Conversation.objects.get(pk=int(cid))))()
    # bob removed, with `left`, as the previous version wrote MembersRemoved
    payload = {"actor_id": alice.pk, "origin": None, "conversation": conversation, "user_ids": [bob.pk], "left": False}
    entry = await db(OpLogEntry.objects.create)(user=bob, kind="members_removed", payload=payload)
    then = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await db(OpLogEntry.objects.filter(pk=entry.pk).update)(created_at=then)
    b = await sama_connected(bob)
    response = await b.request("op_log_list", {"created_at": {"gt": 0}}, "r")
    [replayed] = [log["packet"] for log in response["logs"] if log["_id"] == str(entry.pk)]
    assert replayed["system_message"]["x"]["conversation_kicked"]["_id"] == cid
    # the notice's time is the entry's, not the replay's
    assert replayed["system_message"]["t"] == int(then.timestamp())
    await b.close()
